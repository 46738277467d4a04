"""In a real browser: the presenter turns pages and a second browser context follows."""

import pytest

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serve_static(context):
    """The test server does not serve /static/ (no collectstatic); answer from the static finders."""
    import mimetypes
    from urllib.parse import urlparse

    from django.contrib.staticfiles import finders

    def handle(route):
        rel = urlparse(route.request.url).path.removeprefix("/static/")
        path = finders.find(rel)
        if not path:
            route.fulfill(status=404, body="")
            return
        ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(path, "rb") as fh:
            route.fulfill(status=200, body=fh.read(), headers={"Content-Type": ctype})

    context.route("**/static/**", handle)


def test_presenter_turns_pages_and_follower_follows(live_asgi, browser, meeting, personas):
    from meetings.models import MaterialVersion
    from meetings.services import render_pages

    render_pages(version=MaterialVersion.objects.get(material=meeting.material), pages=[1])
    url = f"{live_asgi.url}/meetings/{meeting.pk}/live/"
    pres_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    browser_login(pres_ctx, live_asgi, personas.suzuki)
    serve_static(pres_ctx)
    fol_ctx = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True)
    browser_login(fol_ctx, live_asgi, personas.sato)
    serve_static(fol_ctx)
    presenter = pres_ctx.new_page()
    follower = fol_ctx.new_page()
    presenter.goto(url)
    follower.goto(url)
    presenter.wait_for_selector("#viewer[data-connected='1']")
    follower.wait_for_selector("#viewer[data-connected='1']")

    presenter.click("#present-btn")
    presenter.wait_for_selector("#viewer[data-live-page='1']")
    follower.wait_for_selector("#viewer[data-live-page='1']")
    presenter.locator("#page-wrap").focus()
    presenter.keyboard.press("ArrowRight")
    follower.wait_for_selector("#viewer[data-live-page='2']")
    follower.wait_for_function("document.getElementById('page-img').src.includes('/pages/2/full/')")
    presenter.click("#next-btn")
    follower.wait_for_function("document.getElementById('page-img').src.includes('/pages/3/full/')")
    assert "3" in follower.locator("#page-label").inner_text()

    # the follower browses away, then returns to the presenter
    follower.click("#prev-btn")
    follower.wait_for_selector("#return-btn:not([hidden])")
    presenter.click("#next-btn")
    follower.wait_for_selector("#viewer[data-live-page='4']")
    assert "/pages/2/full/" in follower.locator("#page-img").get_attribute("src")
    follower.click("#return-btn")
    follower.wait_for_function("document.getElementById('page-img').src.includes('/pages/4/full/')")
    # the presenter sees who is connected
    presenter.wait_for_function("document.getElementById('presence-count').textContent === '2'")
    img_ok = follower.evaluate("document.getElementById('page-img').naturalWidth > 0")
    assert img_ok
    pres_ctx.close()
    fol_ctx.close()
