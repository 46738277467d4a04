"""Binder benchmark: 30 PDFs (600 pages in all) into one binder with cover, outline, page labels and a
stamp on every page, against ``qpdf --empty --pages`` merging the same files, in the same run.

    .venv/bin/python benchmarks/binder.py [--files 30] [--pages 600] [--repeat 3]

Prints one JSON line: seconds (best of --repeat), pages/s and peak RSS of each side, and the ratio
ours/qpdf. Each side runs in its own child process; our time is measured inside the child after imports
(a server has them loaded), the peak memory is the child's whole RSS.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE))


def make_inputs(folder: Path, files: int, pages: int) -> list[Path]:
    from meetings.pdfbuild import sample_pdf

    per = max(1, pages // files)
    decks = [sample_pdf(f"資料 {i + 1}：ペーパーレス会議の推進", per, lines=["紙の使用量50%削減", "タブレットで資料共有"], seed=i)
             for i in range(3)]
    paths = []
    for i in range(files):
        p = folder / f"m{i:02d}.pdf"
        p.write_bytes(decks[i % 3])
        paths.append(p)
    return paths


def inner_ours(paths: list[str], out: str) -> None:
    from meetings.pdfbuild import BinderPart, CoverItem, build_binder, cover_pdf

    started = time.perf_counter()
    items = [CoverItem(position=i + 1, title=f"議題 {i + 1}", materials=[(f"資料 {i + 1}", 20)]) for i in range(len(paths))]
    cover = cover_pdf(title="第12回 変革推進会議", lines=["日時: 2026-11-26 10:00–11:30", "場所: 本庁舎 5階"],
                      heading_agenda="議事", items=items)
    parts = [BinderPart(item_title=f"{i + 1}. 議題 {i + 1}", item_label=str(i + 1),
                        materials=[(f"資料 {i + 1}", f"{i + 1}-1", p)]) for i, p in enumerate(paths)]
    data = build_binder(cover=cover, parts=parts, stamp="複製 佐藤 翔太（職員番号 10000001）2026-11-26 10:05 転送禁止")
    Path(out).write_bytes(data)
    print(json.dumps({"seconds": time.perf_counter() - started}))


def run_child(cmd: list[str]) -> tuple[float, int, str]:
    """Run under /usr/bin/time: a child forked from this (large) process would inherit its peak RSS."""
    timer = shutil.which("time") or "/usr/bin/time"
    started = time.perf_counter()
    proc = subprocess.run([timer, "-f", "MAXRSS_KB=%M", *cmd], capture_output=True, cwd=str(BASE))
    wall = time.perf_counter() - started
    err = proc.stderr.decode()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {err[-2000:]}")
    rss_kb = int(err.rsplit("MAXRSS_KB=", 1)[1].split()[0])
    return wall, rss_kb * 1024, proc.stdout.decode()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=30)
    ap.add_argument("--pages", type=int, default=600)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--inner", nargs="*")
    args = ap.parse_args()
    if args.inner:
        inner_ours(args.inner[1:], args.inner[0])
        return
    qpdf = shutil.which("qpdf")
    if not qpdf:
        raise SystemExit("qpdf is not installed (apt-get install qpdf)")
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = make_inputs(folder, args.files, args.pages)
        total = sum(len(PdfReader(p).pages) for p in paths)
        ours, qp = [], []
        for _ in range(args.repeat):
            out = folder / "binder.pdf"
            _wall, rss, text = run_child([sys.executable, __file__, "--inner", str(out), *map(str, paths)])
            ours.append((json.loads(text.strip().splitlines()[-1])["seconds"], rss))
            reader = PdfReader(out)
            assert len(reader.pages) == total + 1 and len(reader.outline) == 2 * args.files
            wall, rss, _ = run_child([qpdf, "--empty", "--pages", *map(str, paths), "--", str(folder / "q.pdf")])
            qp.append((wall, rss))
        o_s, o_rss = min(ours)
        q_s, q_rss = min(qp)
        print(json.dumps({
            "benchmark": "binder", "files": args.files, "pages": total,
            "ours_seconds": round(o_s, 3), "ours_pages_per_s": round(total / o_s, 1),
            "ours_peak_rss_mb": round(o_rss / 2**20, 1),
            "qpdf_seconds": round(q_s, 3), "qpdf_pages_per_s": round(total / q_s, 1),
            "qpdf_peak_rss_mb": round(q_rss / 2**20, 1),
            "ratio_seconds": round(o_s / q_s, 2), "goal": "ratio_seconds <= 5",
        }, ensure_ascii=False))


if __name__ == "__main__":
    main()
