"""In a real browser: log in as the demo employee, see the home page in Japanese, switch to English."""

import pytest

pytestmark = [pytest.mark.browser]


def test_login_japanese_home_then_english(live_asgi, browser):
    from django.core.management import call_command

    call_command("load_demo", "--small", "--only", "workstyle", stdout=open("/dev/null", "w"))
    page = browser.new_context(locale="ja-JP").new_page()
    page.goto(live_asgi.url + "/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "ja"
    page.get_by_label("職員番号またはメールアドレス").fill("10000001")
    page.get_by_label("パスワード").fill("demo-pass-2026")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(live_asgi.url + "/")
    assert "山田 花子さん、こんにちは" in page.locator("h1").inner_text()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Good day, 山田 花子" in page.locator("h1").inner_text()
    # the live notification badge connected over the WebSocket without error
    assert page.locator("#unread-count").count() == 1


def test_tablet_layout_touch_targets_and_keyboard(live_asgi, browser, personas):
    from tests.conftest import browser_login

    context = browser.new_context(locale="ja-JP", viewport={"width": 820, "height": 1180}, has_touch=True)
    browser_login(context, live_asgi, personas.sato)
    page = context.new_page()
    page.goto(live_asgi.url + "/")
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Hiragino Sans"')  # CSS loaded
    # no horizontal scrolling on a tablet
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # every link and button in the header is a touch target of at least 44px
    small = page.evaluate("""() => [...document.querySelectorAll('header a, header button')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""")
    assert small == []
    # keyboard: the first Tab reaches the skip link, which moves focus to <main>
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
