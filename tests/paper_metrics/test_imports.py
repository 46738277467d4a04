import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paper_metrics import services
from paper_metrics.conversion import a4_sheets
from paper_metrics.models import ImportBatch, MonthlyUsage, PrintJob
from tests.paper_metrics.conftest import papercut, pc_row
from workstyle.errors import DomainError, ImportRejected

pytestmark = pytest.mark.django_db


def _import(p, data, fmt="papercut", **kw):
    return services.import_print_log(actor=p.watanabe, fmt=fmt, data=data, file_name="log.csv", **kw)


def test_papercut_banner_trailing_comma_cp932_and_mapping(paper_setup):
    p = paper_setup
    data = papercut([
        pc_row(doc="予算要求資料（第２版）.xlsx"),                       # sato → s1 by employee number
        pc_row(user="CITY\\Kato", pages=5, duplex="DUPLEX", size="A3"),  # domain prefix, case → kato (s1)
        pc_row(user="yamada@city.example.jp", pages=3, copies=2),        # e-mail local part → s2
        pc_row(user="guest01", pages=4),                                 # unknown user, known printer → s2
        pc_row(user="guest02", printer="UNKNOWN-PRT", pages=1),          # unmapped: kept, reported
        pc_row(user="sato", pages=2, size="", copies=""),                # empty fields: A4, 1 copy
    ], encoding="cp932")
    batch = _import(p, data)
    assert batch.encoding == "cp932"
    assert (batch.rows_read, batch.rows_stored, batch.unmapped_count) == (6, 6, 1)
    assert batch.unmapped[0][0] == 7  # banner=1, header=2, rows start at 3
    assert batch.sheets == 2 + 6 + 6 + 4 + 1 + 2
    docs = set(PrintJob.objects.values_list("document", flat=True))
    assert "予算要求資料（第２版）.xlsx" in docs
    s1 = MonthlyUsage.objects.filter(section=p.org.s1).values_list("sheets", flat=True)
    assert sum(s1) == 2 + 6 + 2
    assert sum(MonthlyUsage.objects.filter(section=p.org.s2).values_list("sheets", flat=True)) == 6 + 4
    assert PrintJob.objects.get(line=7).section_id is None


def test_utf8_bom_without_banner_and_without_trailing_comma(paper_setup):
    data = b"\xef\xbb\xbf" + papercut([pc_row(), pc_row(pages=3)], banner=False, trailing=False)
    batch = _import(paper_setup, data)
    assert batch.encoding == "utf-8-sig"
    assert batch.rows_stored == 2 and batch.sheets == 5


def test_bad_lines_refuse_whole_file_with_line_numbers(paper_setup):
    data = papercut([
        pc_row(), pc_row(time="2025-13-45 10:00:00"), pc_row(pages=-3), pc_row(copies="0"),
        pc_row(pages="abc"),
    ]) + b"2025-04-01 10:00:00,sato,1\r\n"
    with pytest.raises(ImportRejected) as exc:
        _import(paper_setup, data)
    lines = [line for line, _msg in exc.value.errors]
    assert lines == [4, 5, 6, 7, 8]
    assert ImportBatch.objects.count() == 0 and PrintJob.objects.count() == 0 and MonthlyUsage.objects.count() == 0


def test_blank_lines_keep_line_numbers(paper_setup):
    data = papercut([pc_row(), "", pc_row(user="nobody", printer="x")], trailing=False)
    batch = _import(paper_setup, data)
    assert batch.rows_stored == 2
    assert batch.unmapped[0][0] == 5


def test_same_file_twice_is_refused(paper_setup):
    data = papercut([pc_row()])
    _import(paper_setup, data)
    with pytest.raises(DomainError, match="already imported"):
        _import(paper_setup, data)
    assert MonthlyUsage.objects.get().sheets == 2
    assert ImportBatch.objects.count() == 1


def test_failure_in_the_middle_leaves_nothing(paper_setup, monkeypatch):
    from paper_metrics import parsers

    monkeypatch.setattr(parsers, "BLOCK_SIZE", 512)  # several batches; the first is stored before the failure
    rows = [pc_row(pages=1 + i % 5) for i in range(60)] + [pc_row(pages="-1")]
    with pytest.raises(ImportRejected) as exc:
        _import(paper_setup, papercut(rows))
    assert exc.value.errors[0][0] == 63
    assert PrintJob.objects.count() == 0 and ImportBatch.objects.count() == 0 and MonthlyUsage.objects.count() == 0

    calls = {"n": 0}
    real = services._store_jobs

    def boom(batch_id, frame):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        real(batch_id, frame)

    monkeypatch.setattr(services, "_store_jobs", boom)
    with pytest.raises(RuntimeError):
        _import(paper_setup, papercut(rows[:60]))
    assert PrintJob.objects.count() == 0 and ImportBatch.objects.count() == 0 and MonthlyUsage.objects.count() == 0


def test_strict_refuses_unmapped(paper_setup):
    with pytest.raises(ImportRejected) as exc:
        _import(paper_setup, papercut([pc_row(), pc_row(user="x", printer="y")]), strict=True)
    assert exc.value.errors[0][0] == 4
    assert PrintJob.objects.count() == 0


def test_fiscal_year_edges_march_31_and_april_1(paper_setup):
    data = papercut([pc_row(time="2024-03-31 23:59:59", pages=3), pc_row(time="2024-04-01 00:00:00", pages=5)])
    _import(paper_setup, data)
    by_month = dict(MonthlyUsage.objects.values_list("month", "sheets"))
    assert by_month == {dt.date(2024, 3, 1): 3, dt.date(2024, 4, 1): 5}
    from workstyle import dates

    assert dates.fiscal_year(dt.date(2024, 3, 31)) == 2023 and dates.fiscal_year(dt.date(2024, 4, 1)) == 2024


CUPS = """\
RICOH-3F sato 101 [01/Apr/2025:09:12:45 +0900] total 4 - 10.0.0.12 月次報告 資料.pdf iso_a4_210x297mm one-sided
RICOH-3F yamada 102 [01/Apr/2025:10:00:00 +0900] total 5 - 10.0.0.13 予算書 iso_a3_297x420mm two-sided-long-edge
RICOH-3F kato 103 [31/Mar/2025:23:59:00 +0900] 1 2 - 10.0.0.12 old.txt na_letter_8.5x11in one-sided
RICOH-3F kato 103 [31/Mar/2025:23:59:00 +0900] 2 2 - 10.0.0.12 old.txt na_letter_8.5x11in one-sided
this is not a page log line
"""


def test_cups_page_log(paper_setup):
    with pytest.raises(ImportRejected) as exc:
        _import(paper_setup, CUPS.encode(), fmt="cups")
    assert exc.value.errors == [(5, exc.value.errors[0][1])]
    batch = _import(paper_setup, "".join(CUPS.splitlines(True)[:4]).encode(), fmt="cups")
    assert batch.rows_stored == 3
    jobs = {j.user_name: j for j in PrintJob.objects.all()}
    assert jobs["sato"].document == "月次報告 資料.pdf" and jobs["sato"].sheets == 4
    assert jobs["yamada"].sheets == 3 * 2  # duplex ceil(5/2)=3, A3 ×2
    assert jobs["kato"].pages == 2 and jobs["kato"].copies == 2 and jobs["kato"].month == dt.date(2025, 3, 1)


def test_mapped_csv_with_saved_mapping(paper_setup):
    p = paper_setup
    services.save_column_mapping(actor=p.watanabe, source="canon-2f", columns={
        "time": "日時", "department": "部門コード", "pages": "ページ数", "copies": "部数", "duplex": "両面",
        "paper_size": "用紙", "color": "カラー", "document": "文書名"}, time_format="%Y/%m/%d %H:%M")
    text = ("日時,部門コード,ページ数,部数,両面,用紙,カラー,文書名,\r\n"
            "2025/05/01 09:00,B03-D02-S01,10,1,両面,A4,白黒,議事録.docx,\r\n"
            "2025/05/01 09:30,OLD-123,3,2,片面,B4,カラー,図面.pdf,\r\n")
    services.save_code_mapping(actor=p.watanabe, old_code="OLD-123", new_section=p.org.s2)
    batch = _import(p, text.encode("cp932"), fmt="mapped", source="canon-2f")
    assert batch.rows_stored == 2 and batch.unmapped_count == 0
    assert dict(MonthlyUsage.objects.values_list("section__code", "sheets")) == {"B03-D02-S01": 5, "B03-D02-S03": 9}
    assert PrintJob.objects.filter(color=True).count() == 1


def test_mapped_missing_column_and_unknown_format(paper_setup):
    p = paper_setup
    services.save_column_mapping(actor=p.watanabe, source="kyocera", columns={"time": "Date", "user": "User", "pages": "Pages"})
    with pytest.raises(ImportRejected, match="Missing columns"):
        _import(p, b"Date,Login,Pages\n2025-05-01 10:00:00,sato,1\n", fmt="mapped", source="kyocera")
    with pytest.raises(ImportRejected):
        _import(p, b"x", fmt="xerox")
    with pytest.raises(ImportRejected, match="PaperCut"):
        _import(p, b"Date,Login,Pages\n2025-05-01 10:00:00,sato,1\n")


def test_purchases_import_and_manual_entry(paper_setup):
    p = paper_setup
    data = (b"date,section_code,paper_size,packs,sheets_per_pack\n2025-04-10,B03-D02-S01,A4,10,500\n"
            b"2025/04/20,B03-D02-S01,A3,2,250\n")
    batch = services.import_paper_purchases(actor=p.watanabe, data=data, file_name="p.csv")
    assert batch.sheets == 5000 + 1000
    row = MonthlyUsage.objects.get(kind="purchase")
    assert row.sheets == 6000 and row.month == dt.date(2025, 4, 1)
    bad = b"date,section_code,paper_size,packs,sheets_per_pack\n2025-04-10,NOPE,A4,1,500\nxx,B03-D02-S01,A4,1,500\n"
    with pytest.raises(ImportRejected) as exc:
        services.import_paper_purchases(actor=p.watanabe, data=bad, file_name="b.csv")
    assert [line for line, _m in exc.value.errors] == [2, 3]
    services.set_manual_entry(actor=p.watanabe, section=p.org.s2, month=dt.date(2025, 4, 15), sheets=1200)
    services.set_manual_entry(actor=p.watanabe, section=p.org.s2, month=dt.date(2025, 4, 1), sheets=1300)
    assert MonthlyUsage.objects.get(kind="manual").sheets == 1300
    with pytest.raises(DomainError):
        services.set_manual_entry(actor=p.sato, section=p.org.s2, month=dt.date(2025, 4, 1), sheets=1)


def test_command_summary_and_nonzero_exit(paper_setup, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(papercut([pc_row(), pc_row(user="zz", printer="qq")]))
    call_command("import_print_log", str(good), "--format", "papercut")
    out = capsys.readouterr().out
    assert "2 rows read, 2 rows stored, 4.0 A4-equivalent sheets, 1 unmapped rows" in out
    assert "unmapped line 4" in out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(papercut([pc_row(), pc_row(pages="-2"), pc_row(time="yesterday")]))
    with pytest.raises(CommandError):
        call_command("import_print_log", str(bad), "--format", "papercut")
    err = capsys.readouterr().err
    assert "4" in err and "5" in err
    with pytest.raises(CommandError, match="already imported"):
        call_command("import_print_log", str(good), "--format", "papercut")
    pur = tmp_path / "pur.csv"
    pur.write_text("date,section_code,paper_size,packs,sheets_per_pack\n2025-04-10,B03-D02-S01,A4,1,500\n")
    call_command("import_paper_purchases", str(pur))
    assert "500.0 A4-equivalent sheets" in capsys.readouterr().out


def test_printer_rollups_and_times(paper_setup):
    from paper_metrics.models import PrinterMonthly

    _import(paper_setup, papercut([pc_row(), pc_row(user="kato", pages=3), pc_row(user="x", printer="LOBBY-1")]))
    rows = dict(PrinterMonthly.objects.values_list("printer", "sheets"))
    assert rows == {"B03-3F-RICOH": 5, "LOBBY-1": 2}
    assert PrinterMonthly.objects.get(printer="B03-3F-RICOH").section == paper_setup.org.s2
    from django.utils import timezone

    job = PrintJob.objects.order_by("line").first()
    assert timezone.localtime(job.printed_at).replace(tzinfo=None) == dt.datetime(2025, 4, 1, 9, 0, 0)


def test_second_file_adds_to_rollups(paper_setup):
    _import(paper_setup, papercut([pc_row(pages=2)]))
    _import(paper_setup, papercut([pc_row(pages=3), pc_row(time="2025-05-02 10:00:00", pages=1)]))
    by_month = dict(MonthlyUsage.objects.filter(section=paper_setup.org.s1).values_list("month", "sheets"))
    assert by_month == {dt.date(2025, 4, 1): 5, dt.date(2025, 5, 1): 1}
    assert MonthlyUsage.objects.get(month=dt.date(2025, 4, 1)).jobs == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_the_same_file_count_once(paper_setup):
    import threading

    from django.db import connection

    data = papercut([pc_row(pages=1 + i % 7) for i in range(300)])
    results = []

    def run():
        try:
            results.append(_import(paper_setup, data).pk)
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results)).count("duplicate") == 2
    assert ImportBatch.objects.count() == 1
    assert sum(MonthlyUsage.objects.values_list("jobs", flat=True)) == 300


def test_demo_loader_small_is_idempotent(db):
    import time

    from paper_metrics import demo
    from workstyle import demo as core_demo

    core_demo.load(small=True)
    t = time.monotonic()
    demo.load(small=True)
    assert time.monotonic() - t < 4
    n = MonthlyUsage.objects.count()
    assert n > 1000 and PrintJob.objects.count() == 2000
    demo.load(small=True)
    assert MonthlyUsage.objects.count() == n


def test_unmapped_rows_can_be_mapped_later(paper_setup, client_for):
    p = paper_setup
    batch = _import(p, papercut([pc_row(), pc_row(user="guest9", printer="\\\\srv\\LOBBY-1", pages=4)]))
    assert batch.unmapped_count == 1
    services.save_printer(actor=p.watanabe, name="LOBBY-1", section=p.org.s1)
    resp = client_for(p.watanabe).post(f"/paper/imports/{batch.pk}/reassign/")
    assert resp.status_code == 302
    batch.refresh_from_db()
    assert batch.unmapped_count == 0 and batch.unmapped == []
    assert MonthlyUsage.objects.get(section=p.org.s1).sheets == 2 + 4
    assert client_for(p.suzuki).post(f"/paper/imports/{batch.pk}/reassign/").status_code == 404

JOB = st.tuples(st.integers(0, 500), st.integers(1, 20), st.booleans(), st.sampled_from(["A4", "A3", "B4", "B5", ""]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(jobs=st.lists(JOB, min_size=1, max_size=30), nonce=st.uuids())
def test_imported_sheets_follow_the_rule(paper_setup, jobs, nonce):
    rows = [pc_row(pages=p, copies=c, duplex="DUPLEX" if d else "NOT DUPLEX", size=s, doc=f"{nonce}.pdf")
            for p, c, d, s in jobs]
    batch = _import(paper_setup, papercut(rows, encoding="cp932"))
    expected = sum(a4_sheets(pages=p, copies=c, duplex=d, size=s) for p, c, d, s in jobs)
    assert batch.sheets == pytest.approx(expected)
    assert batch.rows_stored == len(jobs)
