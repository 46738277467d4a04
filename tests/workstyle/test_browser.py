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
