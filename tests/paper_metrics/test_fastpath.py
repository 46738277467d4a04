"""The vectorised fast path of the print-log import gives exactly what the exact (row-wise) path gives."""

import csv
import datetime as dt
import io

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paper_metrics import normalise as norm
from paper_metrics import parsers, services
from paper_metrics.conversion import DEFAULT_SIZE_FACTORS
from paper_metrics.models import ImportBatch, MonthlyUsage, PrinterMonthly, PrintJob
from paper_metrics.normalise import FastCache, Lookup, normalise, normalise_fast
from paper_metrics.parsers import FileInput, ParseState, parse_papercut
from tests.paper_metrics.conftest import BANNER, HEADER

FACTORS = {k.upper(): float(v) for k, v in DEFAULT_SIZE_FACTORS.items()}
LOOKUP = Lookup(users={"10000001": 11, "sato": 11, "kato": 11, "yamada": 12},
                printers={"b03-3f-ricoh": 12, "lobby-1": 13})

USERS = ["10000001", "sato", "SATO", "CITY\\Kato", "yamada@city.example.jp", " kato ", "guest01", "外部ユーザー", ""]
PRINTERS = ["\\\\prt01\\B03-3F-RICOH", "B03-3F-RICOH", "//srv/LOBBY-1", "UNKNOWN-PRT", " lobby-1 ", ""]
DOCS = ["報告書.docx", "Report, final.pdf", " 予算要求資料（第２版）.xlsx ", "", "a" * 600, 'say "hi".txt']
SIZES = ["A4", "A3", "", "iso_a4_210x297mm", "jis_b4_257x364mm", "Letter", "Weird-Size", "a5"]
GOOD_TIMES = ["2025-04-01 09:00:00", "2024-03-31 23:59:59", "2024-04-01 00:00:00", "2024/02/29 12:30:00",
              "2023-12-31 23:59:59"]
ODD_TIMES = ["2025-04-01T09:00:00", "2025-4-1 09:00:00", "2025-04-01 09:00", " 2025-04-01 09:00:00",
             "2016-12-31 23:59:60", "2023-02-29 10:00:00", "1999-12-31 10:00:00", "yesterday"]
ODD_COUNTS = ["2.0", " 3", "+4", "0x1F", "1e2", "-1", "", "9999999999"]

ROW = st.fixed_dictionaries({
    "time": st.sampled_from(GOOD_TIMES),
    "user": st.sampled_from(USERS),
    "pages": st.integers(0, 500).map(str),
    "copies": st.one_of(st.integers(1, 20).map(str), st.just("")),
    "printer": st.sampled_from(PRINTERS),
    "doc": st.sampled_from(DOCS),
    "size": st.sampled_from(SIZES),
    "duplex": st.sampled_from(["DUPLEX", "NOT DUPLEX", " duplex", ""]),
    "gray": st.sampled_from(["GRAYSCALE", "NOT GRAYSCALE", "not grayscale "]),
})
ODD = st.fixed_dictionaries({
    "time": st.sampled_from(ODD_TIMES),
    "pages": st.sampled_from(ODD_COUNTS),
    "copies": st.sampled_from(ODD_COUNTS + ["0"]),
})


def _file(rows: list[dict], encoding="utf-8") -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    for r in rows:
        w.writerow([r["time"], r["user"], r["pages"], r["copies"], r["printer"], r["doc"], "PC-0123", r["size"], "PCL6",
                    "29.7cm", "21.0cm", r["duplex"], r["gray"], "120kb", ""])
    return (BANNER + "\r\n" + HEADER + "\r\n" + out.getvalue()).encode(encoding)


def _chunks(data: bytes) -> list:
    state = ParseState()
    chunks = list(parse_papercut(FileInput(data=data), "utf-8", state))
    assert state.error_count == 0
    return chunks


def _same_jobs(a: norm.Jobs, b: norm.Jobs) -> None:
    for name in ("line", "printed_at", "month", "pages", "copies", "duplex", "color", "sheets"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(np.isnan(a.section), np.isnan(b.section))
    np.testing.assert_array_equal(np.nan_to_num(a.section), np.nan_to_num(b.section))
    for name in ("user_name", "printer", "document", "paper_size"):
        assert pa.array(getattr(a, name)).to_pylist() == pa.array(getattr(b, name)).to_pylist(), name


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ROW, min_size=1, max_size=40))
def test_fast_path_equals_exact_path_on_clean_rows(rows):
    cache = FastCache()
    for chunk in _chunks(_file(rows)):
        fast = normalise_fast(chunk, lookup=LOOKUP, factors=FACTORS, time_format=None, cache=cache)
        assert fast is not None  # clean rows never need the exact path
        exact = normalise(chunk.frame(), state=ParseState(), lookup=LOOKUP, factors=FACTORS)
        _same_jobs(fast.jobs, exact.jobs)
        assert fast.unmapped == exact.unmapped and fast.unmapped_count == exact.unmapped_count
        assert fast.unknown_sizes == exact.unknown_sizes


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ROW, min_size=1, max_size=10), odd=ODD, where=st.integers(0, 9), field=st.sampled_from(
    ["time", "pages", "copies"]))
def test_fast_path_defers_every_unusual_value_to_the_exact_path(rows, odd, where, field):
    rows = list(rows)
    bad = dict(rows[where % len(rows)], **{field: odd[field]})
    rows.insert(where % (len(rows) + 1), bad)
    for chunk in _chunks(_file(rows)):
        fast = normalise_fast(chunk, lookup=LOOKUP, factors=FACTORS, time_format=None, cache=FastCache())
        if fast is None:
            continue
        exact = normalise(chunk.frame(), state=(state := ParseState()), lookup=LOOKUP, factors=FACTORS)
        assert state.error_count == 0  # the fast path never accepts what the exact path refuses
        _same_jobs(fast.jobs, exact.jobs)


def _stored():
    jobs = sorted(PrintJob.objects.values_list(
        "line", "printed_at", "month", "user_name", "section_id", "printer", "document", "pages", "copies", "duplex",
        "color", "paper_size", "sheets"))
    usage = sorted((s, m, k, src, round(sh, 6), j) for s, m, k, src, sh, j in MonthlyUsage.objects.values_list(
        "section_id", "month", "kind", "source", "sheets", "jobs"))
    printers = sorted((p, m, s, round(sh, 6), j) for p, m, s, sh, j in PrinterMonthly.objects.values_list(
        "printer", "month", "section_id", "sheets", "jobs"))
    batch = ImportBatch.objects.values("rows_read", "rows_stored", "sheets", "unmapped_count", "unmapped", "details").get()
    return jobs, usage, printers, batch


def _wipe():
    PrintJob.objects.all().delete()
    MonthlyUsage.objects.all().delete()
    PrinterMonthly.objects.all().delete()
    ImportBatch.objects.all().delete()


@pytest.mark.django_db
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=60), odd=st.booleans())
def test_fast_and_exact_imports_store_identical_results(paper_setup, monkeypatch, rows, odd):
    p = paper_setup
    if odd:  # one value the fast path leaves to the exact path (valid for both)
        rows = [*rows[:3], dict(rows[0], time="2025-04-01T10:00:00", pages="2.0"), *rows[3:]]
    data = _file(rows, encoding="cp932")
    monkeypatch.setattr(parsers, "BLOCK_SIZE", 1024)  # several chunks
    _wipe()
    services.import_print_log(actor=p.watanabe, fmt="papercut", data=data, file_name="a.csv")
    fast = _stored()
    _wipe()
    with monkeypatch.context() as m:
        m.setattr(services, "normalise_fast", lambda *a, **k: None)
        services.import_print_log(actor=p.watanabe, fmt="papercut", data=data, file_name="a.csv")
    exact = _stored()
    assert fast == exact
    assert fast[3]["rows_stored"] == len(rows)


@pytest.mark.django_db
def test_stored_values_round_trip(paper_setup):
    """Times in Asia/Tokyo, NULL sections, long and Japanese text survive the binary COPY (and the SQLite path)."""
    p = paper_setup
    rows = [
        {"time": "2024-03-31 23:59:59", "user": "sato", "pages": "3", "copies": "", "printer": "X", "doc": "予算書.xlsx",
         "size": "A3", "duplex": "DUPLEX", "gray": "NOT GRAYSCALE"},
        {"time": "2024-04-01 00:00:00", "user": "nobody", "pages": "0", "copies": "2", "printer": "Y",
         "doc": "Report, final.pdf", "size": "Weird-Size", "duplex": "", "gray": "GRAYSCALE"},
    ]
    batch = services.import_print_log(actor=p.watanabe, fmt="papercut", data=_file(rows), file_name="r.csv")
    from django.utils import timezone

    a, b = PrintJob.objects.order_by("line")
    assert timezone.localtime(a.printed_at).replace(tzinfo=None) == dt.datetime(2024, 3, 31, 23, 59, 59)
    assert a.month == dt.date(2024, 3, 1) and b.month == dt.date(2024, 4, 1)
    assert (a.section_id, b.section_id) == (p.org.s1.pk, None)
    assert (a.document, b.document, b.paper_size) == ("予算書.xlsx", "Report, final.pdf", "WEIRD-SIZE")
    assert (a.sheets, a.pages, a.copies, a.duplex, a.color) == (4, 3, 1, True, True)
    assert (b.sheets, b.copies, b.color) == (0, 2, False)
    assert batch.unmapped_count == 1 and batch.details["unknown_sizes"] == {"WEIRD-SIZE": 1}


MAPPED_LOOKUP = Lookup(users={"sato": 11}, departments={"b03-d02-s01": 11, "old-123": 12}, printers={"lobby-1": 13})
MAPPED_ROW = st.fixed_dictionaries({
    "time": st.sampled_from(GOOD_TIMES),
    "dept": st.sampled_from(["B03-D02-S01", "old-123", " OLD-123 ", "", "NOPE"]),
    "user": st.sampled_from(["sato", "", "ghost"]),
    "printer": st.sampled_from(["LOBBY-1", "", "x"]),
    "pages": st.integers(0, 99).map(str),
    "copies": st.one_of(st.integers(1, 5).map(str), st.just("")),
    "sheets": st.just(""),
    "duplex": st.sampled_from(["両面", "片面", "1", "", "yes"]),
    "color": st.sampled_from(["カラー", "白黒", "color", ""]),
    "size": st.sampled_from(SIZES),
})


class _Mapping:
    columns = {"time": "日時", "department": "部門コード", "user": "ユーザー", "printer": "プリンタ", "pages": "ページ数",
               "copies": "部数", "sheets": "枚数", "duplex": "両面", "color": "カラー", "paper_size": "用紙"}
    duplex_values = "duplex,両面,1,true,yes,on"
    color_values = "color,colour,カラー,1,true,yes"
    skip_lines = 0
    time_format = ""


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(MAPPED_ROW, min_size=1, max_size=30), with_sheets=st.booleans())
def test_fast_path_equals_exact_path_on_mapped_files(rows, with_sheets):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["日時", "部門コード", "ユーザー", "プリンタ", "ページ数", "部数", "枚数", "両面", "カラー", "用紙"])
    for i, r in enumerate(rows):
        sheets = str(i) if with_sheets and i == 0 else r["sheets"]
        w.writerow([r["time"], r["dept"], r["user"], r["printer"], r["pages"], r["copies"], sheets, r["duplex"],
                    r["color"], r["size"]])
    state = ParseState()
    chunks = list(parsers.parse_mapped(FileInput(data=out.getvalue().encode("cp932")), "cp932", state, _Mapping()))
    assert state.error_count == 0
    for chunk in chunks:
        fast = normalise_fast(chunk, lookup=MAPPED_LOOKUP, factors=FACTORS, time_format=None, cache=FastCache())
        exact = normalise(chunk.frame(), state=ParseState(), lookup=MAPPED_LOOKUP, factors=FACTORS)
        if with_sheets:
            assert fast is None  # a sheets column with values: the exact path
            continue
        assert fast is not None
        _same_jobs(fast.jobs, exact.jobs)
        assert fast.unmapped == exact.unmapped and fast.unknown_sizes == exact.unknown_sizes


@pytest.mark.postgres
@pytest.mark.django_db
def test_counts_beyond_the_integer_column_are_refused_not_wrapped(paper_setup):
    from django.db import DataError

    row = {"time": "2025-04-01 09:00:00", "user": "sato", "pages": str(2**32 + 5), "copies": "1", "printer": "X",
           "doc": "d", "size": "A4", "duplex": "", "gray": "GRAYSCALE"}
    with pytest.raises(DataError):
        services.import_print_log(actor=paper_setup.watanabe, fmt="papercut", data=_file([row]), file_name="big.csv")
    assert PrintJob.objects.count() == 0 and ImportBatch.objects.count() == 0
