"""In a real browser: an employee requests telework, the chief approves, the employee sees it approved."""

import pytest

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser]


def test_request_approve_and_see_it(live_asgi, browser, personas, city_rules):
    emp_ctx = browser.new_context(locale="ja-JP")
    browser_login(emp_ctx, live_asgi, personas.sato)
    page = emp_ctx.new_page()
    page.goto(live_asgi.url + "/telework/new/")
    page.get_by_label("日付（または初日）").fill("2026-06-03")
    page.get_by_label("午前").check()
    page.get_by_label("予定している業務").fill("予算資料の作成")
    page.get_by_role("button", name="所属長に申請する").click()
    page.wait_for_url("**/telework/requests/*/")
    assert page.locator("#request-status").inner_text() == "申請中"
    detail_url = page.url

    chief_ctx = browser.new_context(locale="ja-JP")
    browser_login(chief_ctx, live_asgi, personas.suzuki)
    chief = chief_ctx.new_page()
    chief.goto(live_asgi.url + "/telework/queue/")
    chief.get_by_role("link", name="佐藤 翔太").click()
    chief.get_by_label("コメント").fill("承認します")
    chief.get_by_role("button", name="承認", exact=True).click()
    chief.wait_for_load_state()
    assert chief.locator("#request-status").inner_text() == "承認済み"

    page.goto(detail_url)
    assert page.locator("#request-status").inner_text() == "承認済み"
    assert "承認します" in page.content()
    emp_ctx.close()
    chief_ctx.close()
