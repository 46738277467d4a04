"""In a real browser: the dx office opens the city dashboard (chart and table), drills into a bureau,
and the section chief finds their section's status on the home page."""

import pytest

pytestmark = [pytest.mark.browser]


def test_dashboard_drill_down_and_home_card(live_asgi, browser, personas):
    import datetime as dt

    from paper_metrics.models import MonthlyUsage
    from tests.conftest import browser_login
    from workstyle import dates

    p = personas
    fy = dates.fiscal_year(dates.today())
    rows = []
    for sec, now in ((p.org.s1, 90), (p.org.s2, 40)):
        for i, m in enumerate([dt.date(2023, mo, 1) for mo in range(4, 13)] + [dt.date(2024, mo, 1) for mo in (1, 2, 3)]):
            rows.append(MonthlyUsage(section=sec, month=m, kind="print", source="papercut", sheets=100 + i))
        for mo in range(12):
            m = dt.date(fy + (mo >= 9), (mo + 3) % 12 + 1, 1)
            rows.append(MonthlyUsage(section=sec, month=m, kind="print", source="papercut", sheets=now))
    MonthlyUsage.objects.bulk_create(rows)

    ctx = browser.new_context(locale="ja-JP")
    browser_login(ctx, live_asgi, p.watanabe)
    page = ctx.new_page()
    page.goto(live_asgi.url + "/paper/")
    assert page.locator("h1").inner_text().startswith("紙使用量：市全体")
    assert page.locator("figure svg").count() == 1
    assert page.locator("table").first.is_visible()
    page.get_by_role("link", name=p.org.bureau.name).first.click()
    page.wait_for_url(f"**/paper/unit/{p.org.bureau.code}/")
    assert p.org.s1.name in page.locator("main").inner_text()

    ctx2 = browser.new_context(locale="ja-JP")
    browser_login(ctx2, live_asgi, p.suzuki)
    home = ctx2.new_page()
    home.goto(live_asgi.url + "/")
    home.get_by_role("link", name="詳細").last.click()
    home.wait_for_url(f"**/paper/unit/{p.org.s1.code}/")
