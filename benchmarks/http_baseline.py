"""HTTP baseline: what Django's middleware stack and the logged-in home page cost, against a trivial ASGI answer.

Starts the app with uvicorn in a subprocess under production-like settings (DEBUG=0, a real SECRET_KEY,
ALLOWED_HOSTS=127.0.0.1, manifest static files; PostgreSQL when DATABASE_URL is set (a scratch database
`<name>_httpbench` created next to it and dropped afterwards), else a temporary SQLite database; both get
`migrate` + `load_demo --small`), logs the demo employee in through the real login form, then
drives three endpoints with N concurrent keep-alive clients on the loopback interface:

  trivial   /healthz/raw   answered by a tiny ASGI wrapper before Django (workstyle/asgi.py)
  healthz   /healthz       the same "ok" through the whole Django middleware stack
  home      /              the logged-in home page (session, user, navigation, home cards, template)

Prints ONE JSON line: requests/s, p50 and p95 (ms) for each, and the ratios to the trivial view.

    .venv/bin/python benchmarks/http_baseline.py                  # SQLite, 50 clients
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wsf .venv/bin/python benchmarks/http_baseline.py
    .venv/bin/python benchmarks/http_baseline.py --clients 100 --requests 5000 --max-seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEMO_LOGIN, DEMO_PASSWORD = "10000001", "demo-pass-2026"  # workstyle/demo.py (the demo employee)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "workstyle.settings",
        "DEBUG": "0",
        "TESTING": "0",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "TASK_BACKEND": "immediate",
        "LOG_LEVEL": "ERROR",
    })
    if not env.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(tmp / "bench.sqlite3")
    return env


class ScratchPostgres:
    """A throw-away database next to the one DATABASE_URL names (`<name>_httpbench`), dropped afterwards."""

    def __init__(self, url: str):
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(url)
        self.name = (parts.path.lstrip("/") or "postgres") + "_httpbench"
        self.url = urlunsplit(parts._replace(path="/" + self.name))
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))

    def _run(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def __enter__(self):
        self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._run(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc):
        self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("uvicorn did not become ready")


# --- a minimal HTTP/1.1 keep-alive client (httpx would be the bottleneck on a trivial endpoint) -----------

class Conn:
    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, method: str, path: str, headers: dict | None = None, body: bytes = b""):
        if self.writer is None:
            await self.open()
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: keep-alive",
                 "Accept-Language: ja"]
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        if body:
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        resp_headers: list[tuple[str, str]] = []
        for line in header_lines:
            if ":" in line:
                k, v = line.split(":", 1)
                resp_headers.append((k.strip().lower(), v.strip()))
        hmap = dict(resp_headers)
        if "content-length" in hmap:
            data = await self.reader.readexactly(int(hmap["content-length"]))
        elif hmap.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            data = b"".join(chunks)
        else:
            data = await self.reader.read()
            self.writer.close()
            self.writer = None
        if hmap.get("connection", "").lower() == "close" and self.writer is not None:
            self.writer.close()
            self.writer = None
        return status, resp_headers, data

    def close(self):
        if self.writer is not None:
            self.writer.close()


def set_cookies(jar: dict, headers: list[tuple[str, str]]) -> None:
    for k, v in headers:
        if k == "set-cookie":
            name, _, rest = v.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]


def cookie_header(jar: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


async def log_in(port: int) -> str:
    """Log the demo employee in through the real form; return the Cookie header of the session."""
    from urllib.parse import urlencode

    conn, jar = Conn(port), {}
    status, headers, body = await conn.request("GET", "/accounts/login/")
    assert status == 200, status
    set_cookies(jar, headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urlencode({"csrfmiddlewaretoken": token, "login": DEMO_LOGIN, "password": DEMO_PASSWORD}).encode()
    status, headers, _ = await conn.request("POST", "/accounts/login/", {
        "Cookie": cookie_header(jar), "Content-Type": "application/x-www-form-urlencoded"}, form)
    set_cookies(jar, headers)
    conn.close()
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login failed: HTTP {status}")
    return cookie_header({"sessionid": jar["sessionid"], "csrftoken": jar.get("csrftoken", "")})


async def measure(port: int, path: str, *, clients: int, total: int, max_seconds: float, cookie: str | None,
                  expect: bytes) -> dict:
    headers = {"Cookie": cookie} if cookie else {}
    conns = [Conn(port) for _ in range(clients)]
    await asyncio.gather(*(c.open() for c in conns))
    # warm-up: every connection once
    for status, _h, body in await asyncio.gather(*(c.request("GET", path, headers) for c in conns)):
        if status != 200 or expect not in body:
            raise RuntimeError(f"{path}: unexpected answer HTTP {status}")
    latencies: list[float] = []
    errors = 0
    issued = 0
    start = time.perf_counter()
    deadline = start + max_seconds

    async def worker(conn: Conn):
        nonlocal issued, errors
        while issued < total and time.perf_counter() < deadline:
            issued += 1
            t0 = time.perf_counter()
            status, _h, body = await conn.request("GET", path, headers)
            latencies.append(time.perf_counter() - t0)
            if status != 200 or expect not in body:
                errors += 1

    await asyncio.gather(*(worker(c) for c in conns))
    elapsed = time.perf_counter() - start
    for c in conns:
        c.close()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"path": path, "requests": len(latencies), "errors": errors, "seconds": round(elapsed, 2),
            "rps": round(len(latencies) / elapsed, 1), "p50_ms": round(q[49] * 1000, 2),
            "p95_ms": round(q[94] * 1000, 2)}


async def run_all(port: int, args) -> dict:
    cookie = await log_in(port)
    out = {}
    out["trivial"] = await measure(port, "/healthz/raw", clients=args.clients, total=args.requests,
                                   max_seconds=args.max_seconds, cookie=None, expect=b"ok")
    out["healthz"] = await measure(port, "/healthz", clients=args.clients, total=args.requests,
                                   max_seconds=args.max_seconds, cookie=None, expect=b"ok")
    out["home"] = await measure(port, "/", clients=args.clients, total=args.home_requests,
                                max_seconds=args.max_seconds, cookie=cookie, expect=b'lang="ja"')
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--requests", type=int, default=4000, help="requests per trivial endpoint")
    p.add_argument("--home-requests", type=int, default=1500, help="requests to the home page")
    p.add_argument("--db-pool", action="store_true", help="PostgreSQL: use psycopg's pool (DB_POOL=1)")
    p.add_argument("--max-seconds", type=float, default=25, help="time cap per endpoint")
    args = p.parse_args()
    if not (1 <= args.clients <= 500):
        p.error("--clients must be between 1 and 500")

    tmp = Path(tempfile.mkdtemp(prefix="http-baseline-"))
    env = server_env(tmp)
    if args.db_pool:
        env["DB_POOL"] = "1"
    db = "postgresql" if env.get("DATABASE_URL", "").startswith(("postgres", "pgsql")) else "sqlite"
    scratch = ScratchPostgres(env["DATABASE_URL"]) if db == "postgresql" else None
    if scratch is not None:
        env["DATABASE_URL"] = scratch.url
        scratch.__enter__()
    proc = None
    try:
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "collectstatic", "--no-input", "-v0")
        manage(env, "compile_translations")
        manage(env, "load_demo", "--small")
        port = free_port()
        proc = subprocess.Popen(
            [str(Path(PY).parent / "uvicorn"), "workstyle.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--lifespan", "off", "--no-access-log", "--log-level", "warning",
             "--ws", "websockets-sansio"],
            cwd=ROOT, env=env,
        )
        wait_ready(f"http://127.0.0.1:{port}/healthz/raw", proc)
        results = asyncio.run(run_all(port, args))
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
        if scratch is not None:
            scratch.__exit__(None, None, None)

    t = results["trivial"]
    ratios = {}
    for key in ("healthz", "home"):
        r = results[key]
        ratios[f"{key}_rps_vs_trivial"] = round(r["rps"] / t["rps"], 3)
        ratios[f"{key}_p50_vs_trivial"] = round(r["p50_ms"] / t["p50_ms"], 2)
        ratios[f"{key}_p95_vs_trivial"] = round(r["p95_ms"] / t["p95_ms"], 2)
    print(json.dumps({"benchmark": "http_baseline", "server": "uvicorn (1 process)", "db": db + (" (pool)" if args.db_pool and db == "postgresql" else ""),
                      "clients": args.clients, **results, "ratios": ratios}, ensure_ascii=False))


if __name__ == "__main__":
    main()
