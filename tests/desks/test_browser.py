"""In a real browser: book a desk on the map and see it become yours; a second context sees it live."""

import pytest

from tests.conftest import browser_login
from tests.desks.conftest import make_floor
from workstyle import dates

pytestmark = [pytest.mark.browser]


def serve_static(context):
    """The test server runs with DEBUG off and no collected static files: serve them from the finders."""
    import mimetypes

    from django.contrib.staticfiles import finders

    def handle(route):
        rel = route.request.url.split("/static/", 1)[1].split("?")[0]
        path = finders.find(rel)
        if not path:
            return route.fulfill(status=404, body="")
        ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(path, "rb") as fh:
            route.fulfill(status=200, body=fh.read(), headers={"Content-Type": ctype})

    context.route("**/static/**", handle)


def new_context(browser, live_asgi, user, locale):
    ctx = browser.new_context(locale=locale)
    serve_static(ctx)
    browser_login(ctx, live_asgi, user)
    return ctx


def _day():
    return dates.add_working_days(dates.today(), 2)


def test_book_on_the_map_and_see_it_live(live_asgi, browser, personas):
    floor = make_floor(12, name="6F")
    desk = floor.desks.order_by("code")[3]
    url = f"{live_asgi.url}/desks/floors/{floor.pk}/?day={_day().isoformat()}&slot=day"

    watcher_ctx = new_context(browser, live_asgi, personas.kato, "en-US")
    watcher = watcher_ctx.new_page()
    watcher.goto(url)
    watcher.wait_for_selector("#floor[data-live='1']", timeout=10000)
    assert watcher.locator(f"g.desk[data-desk='{desk.pk}']").get_attribute("data-state") == "free"

    ctx = new_context(browser, live_asgi, personas.sato, "ja-JP")
    page = ctx.new_page()
    page.goto(url)
    page.locator(f"g.desk[data-desk='{desk.pk}']").click()           # click 1: the desk
    page.locator("#desk-book-button").click()                         # click 2: book
    page.wait_for_load_state()
    mine = page.locator(f"g.desk[data-desk='{desk.pk}']")
    assert mine.get_attribute("data-state") == "mine"
    assert desk.code in page.locator(".messages").inner_text()
    # the list view says so in words, not only in colour
    assert "自分" in page.locator(f"tr[data-desk='{desk.pk}'] .state-text").inner_text() or \
        "mine" in page.locator(f"tr[data-desk='{desk.pk}'] .state-text").inner_text()

    # the other person sees it taken without reloading
    watcher.wait_for_function(
        f"document.querySelector(\"g.desk[data-desk='{desk.pk}']\").getAttribute('data-state') === 'taken'",
        timeout=5000,
    )
    assert "taken" in watcher.locator(f"tr[data-desk='{desk.pk}'] .state-text").inner_text()
    assert watcher.locator(f"tr[data-desk='{desk.pk}'] form.book-row").is_hidden()
    watcher_ctx.close()
    ctx.close()


def test_keyboard_booking_from_the_list(live_asgi, browser, personas):
    floor = make_floor(4, name="7F")
    desk = floor.desks.order_by("code")[1]
    ctx = new_context(browser, live_asgi, personas.kato, "en-US")
    page = ctx.new_page()
    page.goto(f"{live_asgi.url}/desks/floors/{floor.pk}/?day={_day().isoformat()}&slot=am")
    page.get_by_role("button", name=f"Book desk {desk.code}").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator(f"g.desk[data-desk='{desk.pk}']").get_attribute("data-state") == "mine"
    ctx.close()
