"""In a real browser: My DX shows the tier and certificates; the public verify page follows a revocation;
the coverage page shows the chart and its table."""

import pytest

pytestmark = [pytest.mark.browser]


def test_my_dx_verify_and_coverage(live_asgi, browser):
    from django.core.management import call_command

    from tests.conftest import browser_login
    from training import services
    from training.models import Award
    from workstyle.models import User

    call_command("load_demo", "--small", "--only", "workstyle,training", stdout=open("/dev/null", "w"))
    employee = User.objects.get(username="10000001")
    context = browser.new_context(locale="ja-JP")
    browser_login(context, live_asgi, employee)
    page = context.new_page()
    page.goto(live_asgi.url + "/training/")
    assert page.locator("h1").inner_text() == "マイDX"
    assert "ブロンズ" in page.locator("#tier-h + p").inner_text()
    page.get_by_role("link", name="検証ページ").first.click()
    page.wait_for_url("**/training/verify/**")
    assert page.locator("[data-status]").get_attribute("data-status") == "valid"
    award = Award.objects.filter(user=employee, tier="bronze").get()
    services.revoke_award(actor=User.objects.get(username="10000003"), award_id=award.pk, reason="誤登録の訂正")
    page.reload()
    assert page.locator("[data-status]").get_attribute("data-status") == "revoked"
    assert "誤登録の訂正" in page.content()

    hr = browser.new_context(locale="ja-JP")
    browser_login(hr, live_asgi, User.objects.get(username="10000003"))
    p2 = hr.new_page()
    p2.goto(live_asgi.url + "/training/coverage/")
    assert p2.locator("figure svg").count() == 1
    assert p2.locator("table").count() >= 2
