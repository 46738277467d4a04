"""Print-log ingestion benchmark: our end-to-end import against DuckDB on the same file.

    .venv/bin/python benchmarks/print_log_ingest.py                  # 1,000,000 rows (about two minutes)
    .venv/bin/python benchmarks/print_log_ingest.py --rows 5000000   # the issue's size
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python benchmarks/print_log_ingest.py

1. Builds the demo city (7,200 staff) in a throw-away test database (test_<name> on PostgreSQL).
2. Writes a deterministic PaperCut Print Logger CSV (banner line, trailing commas, Japanese document names;
   2% of the jobs by users unknown to the staff table but on a known printer, 0.5% fully unmapped).
3. Ours: ``services.import_print_log`` (hash, encoding check, parse, validate, map, COPY raw rows, roll up),
   timed, with the process's peak RSS.
4. Reference: DuckDB reads the same file and computes the same section × month A4-equivalent sums
   (joining the same user and printer tables); the sums are compared with our roll-ups.
5. The dashboard (city view, over the stored rows' roll-ups) against a trivial view (/healthz), in process.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workstyle.settings")
os.environ.setdefault("TESTING", "1")

DOCS = ["会議資料.pdf", "起案文書（決裁用）.docx", "予算要求書.xlsx", "議事録_第3回.docx", "Report, final.pdf", "説明資料.pptx"]
SIZES = ["A4"] * 8 + ["A3", "B4"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(path: Path, rows: int, users: list[str], printers: list[str]) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(20230401)
    users_arr = np.array(users + [f"guest{i:03d}" for i in range(40)] + [f"ext{i:03d}" for i in range(10)], dtype=object)
    weights = np.concatenate([np.full(len(users), 0.975 / len(users)), np.full(40, 0.02 / 40), np.full(10, 0.005 / 10)])
    printers_arr = np.array([f"\\\\prtsv01\\{p}" for p in printers] + ["\\\\prtsv01\\UNKNOWN-01"], dtype=object)
    start = np.datetime64("2023-04-01T00:00:00")
    span = int((np.datetime64("2026-03-31T23:59:59") - start).astype(int))
    with open(path, "wb") as fh:
        fh.write(b"PaperCut Print Logger : http://www.papercut.com/\r\n")
        fh.write(b"Time,User,Pages,Copies,Printer,Document Name,Client,Paper Size,Language,Height,Width,Duplex,"
                 b"Grayscale,Size\r\n")
        step = 500_000
        for offset in range(0, rows, step):
            n = min(step, rows - offset)
            times = np.sort(start + rng.integers(0, span, n).astype("timedelta64[s]"))
            user_idx = rng.choice(len(users_arr), n, p=weights)
            unknown_both = user_idx >= len(users) + 40
            printer_idx = np.where(unknown_both, len(printers_arr) - 1, rng.integers(0, len(printers), n))
            table = pa.table({
                "Time": pa.array(np.datetime_as_string(times, unit="s")).cast(pa.string()),
                "User": pa.array(users_arr[user_idx], type=pa.string()),
                "Pages": pa.array(rng.choice([1, 1, 2, 3, 4, 6, 10, 24], n)),
                "Copies": pa.array(rng.choice([1, 1, 1, 1, 2, 5], n)),
                "Printer": pa.array(printers_arr[printer_idx], type=pa.string()),
                "Document Name": pa.array(np.array(DOCS, dtype=object)[rng.integers(0, len(DOCS), n)], type=pa.string()),
                "Client": pa.array(np.full(n, "PC-0001", dtype=object), type=pa.string()),
                "Paper Size": pa.array(np.array(SIZES, dtype=object)[rng.integers(0, len(SIZES), n)], type=pa.string()),
                "Language": pa.array(np.full(n, "PCL6", dtype=object), type=pa.string()),
                "Height": pa.array(np.full(n, "29.7cm", dtype=object), type=pa.string()),
                "Width": pa.array(np.full(n, "21.0cm", dtype=object), type=pa.string()),
                "Duplex": pa.array(np.where(rng.random(n) < 0.55, "DUPLEX", "NOT DUPLEX").astype(object), type=pa.string()),
                "Grayscale": pa.array(np.where(rng.random(n) < 0.8, "GRAYSCALE", "NOT GRAYSCALE").astype(object), type=pa.string()),
                "Size": pa.array(np.full(n, "120kb", dtype=object), type=pa.string()),
                "_": pa.nulls(n, pa.string()),  # the trailing comma
            })
            table = table.set_column(0, "Time", pa.compute.replace_substring(table["Time"], "T", " "))
            pacsv.write_csv(table, fh, write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed",
                                                                         eol="\r\n"))


COLUMNS = {name: "VARCHAR" for name in (
    "Time", "User", "Pages", "Copies", "Printer", "Document Name", "Client", "Paper Size", "Language", "Height",
    "Width", "Duplex", "Grayscale", "Size", "trailing")}


def duckdb_sums(path: Path, users: dict[str, int], printers: dict[str, int], factors: dict[str, float]):
    import duckdb
    import pandas as pd

    con = duckdb.connect()
    con.register("u", pd.DataFrame({"k": list(users), "sid": list(users.values())}))
    con.register("p", pd.DataFrame({"k": list(printers), "sid": list(printers.values())}))
    con.register("f", pd.DataFrame({"size": list(factors), "factor": list(factors.values())}))
    t = time.perf_counter()
    rows = con.execute(f"""
        WITH j AS (
          SELECT * FROM read_csv('{path}', skip=2, header=false, delim=',', quote='"', escape='"',
                                 columns={COLUMNS})
        )
        SELECT coalesce(u.sid, p.sid) AS sid, date_trunc('month', strptime(j."Time", '%Y-%m-%d %H:%M:%S'))::DATE AS month,
               sum((CASE WHEN upper(j."Duplex") = 'DUPLEX' THEN (CAST(j."Pages" AS INT) + 1) // 2 ELSE CAST(j."Pages" AS INT) END)
                   * CAST(j."Copies" AS INT) * coalesce(f.factor, 1.0)) AS sheets
        FROM j
        LEFT JOIN u ON u.k = lower(j."User")
        LEFT JOIN p ON p.k = lower(regexp_extract(j."Printer", '[^\\\\]+$'))
        LEFT JOIN f ON f.size = upper(j."Paper Size")
        WHERE coalesce(u.sid, p.sid) IS NOT NULL
        GROUP BY 1, 2
    """).fetchall()
    return time.perf_counter() - t, {(int(s), m): float(v) for s, m, v in rows}


def timed_get(client, url: str, n: int = 7, cold: bool = False) -> float:
    from django.core.cache import cache

    client.get(url)
    samples = []
    for _ in range(n):
        if cold:
            cache.clear()  # no cached roll-up table or chart: the full computation
        t = time.perf_counter()
        resp = client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200, (url, resp.status_code)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep-file", action="store_true")
    args = ap.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    settings.ALLOWED_HOSTS = ["*"]
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from django.db.models import Sum
        from django.test import Client

        from paper_metrics import services
        from paper_metrics.conversion import DEFAULT_SIZE_FACTORS
        from paper_metrics.models import MonthlyUsage, Printer
        from paper_metrics.normalise import Lookup
        from workstyle import demo
        from workstyle.models import OrgUnit, User

        demo.load(small=False)
        sections = list(OrgUnit.objects.filter(kind="section").order_by("code"))
        Printer.objects.bulk_create([
            Printer(name=f"PRT-{s.code}", name_key=f"prt-{s.code}".lower(), section=s, location="本庁舎") for s in sections
        ])
        lookup = Lookup.build()
        users = sorted(k for k in lookup.users if k.isdigit())
        printers = [f"PRT-{s.code}" for s in sections]
        tmp = Path(tempfile.mkdtemp(prefix="paperbench-"))
        path = tmp / "papercut.csv"
        t = time.perf_counter()
        generate(path, args.rows, users, printers)
        gen_s = time.perf_counter() - t
        size_mb = path.stat().st_size / 1e6

        from django.core.cache import cache

        cache.get("paper_metrics:version")  # a running server's cache client is connected already
        rss_before = rss_mb()
        t = time.perf_counter()
        if os.environ.get("PROFILE"):
            import cProfile
            import pstats

            prof = cProfile.Profile()
            batch = prof.runcall(services.import_print_log, actor=None, fmt="papercut", path=path, file_name=path.name)
            pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
        else:
            batch = services.import_print_log(actor=None, fmt="papercut", path=path, file_name=path.name)
        ours_s = time.perf_counter() - t
        rss_after = rss_mb()
        print(json.dumps({"ours_s": round(ours_s, 2), "rows": args.rows}), file=sys.stderr, flush=True)

        duck_s, duck = duckdb_sums(path, lookup.users, lookup.printers, DEFAULT_SIZE_FACTORS)
        ours = {(sid, m): s for sid, m, s in MonthlyUsage.objects.filter(kind="print").values_list("section_id", "month")
                .annotate(s=Sum("sheets")).values_list("section_id", "month", "s")}
        match = ours.keys() == duck.keys() and all(abs(ours[k] - duck[k]) < 1e-6 * max(1, duck[k]) for k in duck)

        admin = User.objects.get(username="10000006")
        c = Client()
        c.force_login(admin)
        dash_cold_ms = timed_get(c, "/paper/?fy=2025", cold=True)
        dash_ms = timed_get(c, "/paper/?fy=2025")
        unit_ms = timed_get(c, f"/paper/unit/{sections[0].top.code}/?fy=2025")
        trivial_ms = timed_get(c, "/healthz")
        result = {
            "benchmark": "print_log_ingest", "db": connection.vendor, "rows": args.rows, "file_mb": round(size_mb, 1),
            "generate_s": round(gen_s, 1),
            "ours_s": round(ours_s, 2), "ours_rows_per_s": round(args.rows / ours_s),
            "rows_stored": batch.rows_stored, "unmapped": batch.unmapped_count,
            "peak_rss_mb": round(rss_after), "rss_before_import_mb": round(rss_before),
            "duckdb_s": round(duck_s, 2), "duckdb_rows_per_s": round(args.rows / duck_s),
            "ratio_ours_vs_duckdb": round(ours_s / duck_s, 1), "sums_match": match,
            "dashboard_city_cold_ms": round(dash_cold_ms, 1), "dashboard_city_ms": round(dash_ms, 1), "dashboard_bureau_ms": round(unit_ms, 1),
            "trivial_view_ms": round(trivial_ms, 2), "ratio_dashboard_vs_trivial": round(dash_ms / trivial_ms, 1),
        }
        if not args.keep_file:
            path.unlink()
            tmp.rmdir()
        print(json.dumps(result))
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
