"""Running the PDF child process with memory, CPU and wall-clock limits.

Settings (all optional):
  MEETINGS_MAX_UPLOAD_BYTES   default 100 MB; checked before anything parses the file
  MEETINGS_WORKER_TIMEOUT     wall-clock seconds for one child run (default 120)
  MEETINGS_WORKER_CPU_SECONDS RLIMIT_CPU of the child (default 100)
  MEETINGS_WORKER_MEMORY      RLIMIT_AS of the child in bytes (default 1.5 GB)
  MEETINGS_MAX_PAGES          pages per file (default 2000)
  MEETINGS_RENDER_FORMAT      "webp" (default) or "png"
  MEETINGS_RENDER_SIZES       {"full": 1600, "thumb": 220}: pixel widths of the two renders
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

PDF_MAGIC = b"%PDF-"
RENDER_SIZES = {"full": 1600, "thumb": 220}


def max_upload_bytes() -> int:
    return int(getattr(settings, "MEETINGS_MAX_UPLOAD_BYTES", 100 * 1024 * 1024))


def render_format() -> str:
    return getattr(settings, "MEETINGS_RENDER_FORMAT", "webp")


@dataclass
class WorkerResult:
    ok: bool
    code: str = ""
    detail: str = ""
    pages: int = 0
    texts: list[str] = field(default_factory=list)
    renders: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def _limit_values() -> tuple[int, int]:
    return (int(getattr(settings, "MEETINGS_WORKER_MEMORY", 1536 * 1024 * 1024)),
            int(getattr(settings, "MEETINGS_WORKER_CPU_SECONDS", 100)))


def _limits():
    import resource

    mem, cpu = _limit_values()

    def apply():  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (512 * 1024 * 1024, 512 * 1024 * 1024))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.nice(5)

    return apply


def run_worker(
    path: str,
    *,
    outdir: str = "",
    pages: list[int] | None = None,
    text: bool = True,
    render_only: bool = False,
    progress: Callable[[int, int], None] | None = None,
    timeout: float | None = None,
) -> WorkerResult:
    """Parse and optionally render ``path`` in a child process; never raises for a bad file."""
    timeout = float(timeout or getattr(settings, "MEETINGS_WORKER_TIMEOUT", 120))
    sizes = ",".join(f"{k}={v}" for k, v in getattr(settings, "MEETINGS_RENDER_SIZES", RENDER_SIZES).items())
    cmd = [sys.executable, "-m", "meetings.pdfworker", path, "--sizes", sizes,
           "--max-pages", str(getattr(settings, "MEETINGS_MAX_PAGES", 2000)), "--format", render_format(),
           "--mem", str(_limit_values()[0]), "--cpu", str(_limit_values()[1])]
    if outdir:
        cmd += ["--outdir", outdir]
    if pages:
        cmd += ["--pages", ",".join(str(p) for p in pages)]
    if not text:
        cmd.append("--no-text")
    if render_only:
        cmd.append("--render-only")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(settings.BASE_DIR),
           "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        cwd=str(settings.BASE_DIR), env=env, preexec_fn=_limits(), start_new_session=True,
    )
    final: dict | None = None
    buf = b""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    timed_out = False
    try:
        while True:
            left = started + timeout - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            if not sel.select(timeout=min(left, 1.0)):
                if proc.poll() is not None:
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if "progress" in msg:
                    if progress:
                        progress(msg["progress"], msg["total"])
                else:
                    final = msg
    finally:
        sel.close()
        if timed_out or proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait()
        proc.stdout.close()
    seconds = time.monotonic() - started
    if timed_out:
        return WorkerResult(ok=False, code="timeout", detail=f"{timeout:.0f}s", seconds=seconds)
    if final is None:
        rc = proc.returncode
        code = "limit" if rc in (-signal.SIGKILL, -signal.SIGXCPU, -signal.SIGSEGV, -signal.SIGABRT) or rc else "broken"
        return WorkerResult(ok=False, code=code, detail=f"exit {rc}", seconds=seconds)
    if not final.get("ok"):
        return WorkerResult(ok=False, code=final.get("code", "broken"), detail=final.get("detail", ""), seconds=seconds)
    return WorkerResult(ok=True, pages=final.get("pages", 0), texts=final.get("texts", []),
                        renders=final.get("renders", []), seconds=seconds)
