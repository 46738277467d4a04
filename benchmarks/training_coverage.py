"""Benchmark: DX talent coverage report and a full tier re-evaluation for 7,200 staff, 40 courses and about
150,000 completions, against a trivial view in the same run. Query counts are taken at full size and again
with half of the completions and awards removed: they must not grow with the rows.

    .venv/bin/python benchmarks/training_coverage.py [--repeat 3]

Uses DATABASE_URL when set (e.g. postgres://postgres@127.0.0.1:5432/wstrain), otherwise a temporary SQLite file.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workstyle.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    if not tmp:
        call_command("flush", interactive=False, verbosity=0)
    from training import demo as training_demo
    from training import services
    from training.models import Award, Completion
    from workstyle import demo as core_demo
    from workstyle.models import StaffProfile, User

    t0 = time.perf_counter()
    core_demo.load(small=False)
    t1 = time.perf_counter()
    training_demo.load(small=False)
    t2 = time.perf_counter()

    hr = User.objects.get(username="10000003")
    client = Client()
    client.force_login(hr)

    def timed(fn, repeat):
        times, queries = [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as q:
                start = time.perf_counter()
                fn()
                times.append((time.perf_counter() - start) * 1000)
            queries = len(q)
        return statistics.median(times), queries

    def coverage():
        r = client.get("/training/coverage/?level=section&close=1")
        assert r.status_code == 200, r.status_code

    def trivial():
        r = client.get("/healthz")
        assert r.status_code == 200

    def reevaluate():
        services.evaluate_tiers(notify_people=False)

    client.get("/training/coverage/")  # warm imports (matplotlib) outside the measurement
    trivial_ms, trivial_q = timed(trivial, max(args.repeat, 5))
    cov_ms, cov_q = timed(coverage, args.repeat)
    eval_ms, eval_q = timed(reevaluate, 1)

    # from scratch: every award removed, everyone evaluated (rolled back afterwards)
    with transaction.atomic():
        Award.objects.all().delete()
        with CaptureQueriesContext(connection) as q:
            start = time.perf_counter()
            result = services.evaluate_tiers(notify_people=False)
            scratch_ms = (time.perf_counter() - start) * 1000
        scratch_q, scratch_awarded = len(q), sum(result.awarded.values())
        transaction.set_rollback(True)

    staff = StaffProfile.objects.filter(is_active=True).count()
    completions = Completion.objects.count()
    awards = Award.objects.count()
    # the same with the completions and awards of half the staff removed: query counts must be equal
    with transaction.atomic():
        ids = list(StaffProfile.objects.order_by("user_id").values_list("user_id", flat=True))[::2]
        for i in range(0, len(ids), 2000):
            Completion.objects.filter(user_id__in=ids[i:i + 2000]).delete()
            Award.objects.filter(user_id__in=ids[i:i + 2000]).delete()
        half_completions = Completion.objects.count()
        _ms, cov_q_half = timed(coverage, 1)
        _ms, eval_q_half = timed(reevaluate, 1)
        transaction.set_rollback(True)

    print(json.dumps({
        "benchmark": "training_coverage",
        "database": connection.vendor,
        "staff": staff, "courses": 40, "completions": completions, "awards": awards,
        "demo_load_s": {"workstyle": round(t1 - t0, 2), "training": round(t2 - t1, 2)},
        "trivial_view_ms": round(trivial_ms, 2), "trivial_view_queries": trivial_q,
        "coverage_page_ms": round(cov_ms, 1), "coverage_page_queries": cov_q,
        "completions_half": half_completions, "coverage_page_queries_half_rows": cov_q_half,
        "reevaluate_all_ms": round(eval_ms, 1), "reevaluate_all_queries": eval_q,
        "reevaluate_all_queries_half_rows": eval_q_half,
        "evaluate_from_scratch_ms": round(scratch_ms, 1), "evaluate_from_scratch_queries": scratch_q,
        "evaluate_from_scratch_awarded": scratch_awarded,
        "ratio_coverage_vs_trivial": round(cov_ms / trivial_ms, 1) if trivial_ms else None,
        "ratio_reevaluate_vs_trivial": round(eval_ms / trivial_ms, 1) if trivial_ms else None,
        "query_counts_constant": cov_q == cov_q_half and eval_q == eval_q_half,
    }, ensure_ascii=False))
    if tmp:
        os.unlink(tmp.name)


if __name__ == "__main__":
    main()
