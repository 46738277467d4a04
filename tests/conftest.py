"""Shared fixtures: named personas in a small organisation, service gating, a live ASGI server, a browser.

Personas (all in the small org built here):
  sato      – employee in the 変革推進課 (section S1)
  kato      – another employee of S1
  suzuki    – chief (課長) of S1
  takahashi – employee in another section (S2) of the same department
  yamada    – chief of S2
  kimura    – head (部長) of the department D1
  tanaka    – HR
  ito       – facilities
  watanabe  – DX/AI strategy office
  nakamura  – executive
  yamamoto  – admin (superuser)
  charlie   – employee of another bureau (no access to S1's things)
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in ("1", "true", "yes")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "correct-horse-battery"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def _skip_or_fail(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and not settings.IS_POSTGRES:
        _skip_or_fail("this test needs PostgreSQL (set DATABASE_URL=postgres://…)")
    if item.get_closest_marker("redis"):
        if not settings.REDIS_URL:
            _skip_or_fail("this test needs Redis (set REDIS_URL=redis://…)")
        else:
            import redis

            try:
                redis.Redis.from_url(settings.REDIS_URL).ping()
            except Exception as exc:  # noqa: BLE001
                _skip_or_fail(f"Redis at {settings.REDIS_URL} does not answer: {exc}")
    if item.get_closest_marker("browser"):
        if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
            _skip_or_fail(f"this test needs Chromium at {CHROMIUM}")
        try:
            import playwright  # noqa: F401
        except ImportError:
            _skip_or_fail("this test needs the playwright package")


@pytest.fixture(autouse=True)
def _fresh_registries_and_cache():
    from django.core.cache import cache

    cache.clear()
    yield


def close_connections_of_other_threads(*, collect: bool = False) -> None:
    """Close the database connections that sync code run from async code (asgiref's shared thread, used by
    `sync_to_async` and channels' `database_sync_to_async` in tests) left open. Django's connections are per
    thread, so they have to be closed in the thread that opened them. With ``collect``, also free those of
    finished threads (uvicorn's per-request threads), which close when garbage-collected."""
    import concurrent.futures
    import gc
    import warnings

    from asgiref.sync import SyncToAsync
    from django.db import connections

    executor = SyncToAsync.single_thread_executor
    if getattr(executor, "_threads", None):
        try:
            executor.submit(connections.close_all).result(timeout=10)
        except concurrent.futures.TimeoutError:
            warnings.warn("asgiref's sync thread is busy; its database connection stays open", stacklevel=2)
    if collect:
        gc.collect()


@pytest.fixture(scope="session")
def _stray_db_sessions_reaper(django_db_setup, django_db_blocker):
    """Last resort before the test database is dropped: end any session still connected to it, so that
    PostgreSQL does not refuse the DROP ("database test_… is being accessed by other users")."""
    yield
    close_connections_of_other_threads(collect=True)
    if settings.IS_POSTGRES:
        from django.db import connection

        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(autouse=True)
def _close_db_connections_of_other_threads(request):
    if "django_db_setup" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("_stray_db_sessions_reaper")
    yield
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        close_connections_of_other_threads()


@dataclass
class Org:
    bureau: object
    department: object
    s1: object
    s2: object
    other_bureau: object
    other_section: object


@pytest.fixture
def org(db):
    from workstyle.models import OrgUnit
    from workstyle.services.org import recompute_tree

    b = OrgUnit.objects.create(code="B03", name="財政・変革局", kind="bureau")
    d = OrgUnit.objects.create(code="B03-D02", name="変革推進部", kind="department", parent=b)
    s1 = OrgUnit.objects.create(code="B03-D02-S01", name="変革推進課", kind="section", parent=d)
    s2 = OrgUnit.objects.create(code="B03-D02-S03", name="庁舎管理課", kind="section", parent=d)
    ob = OrgUnit.objects.create(code="B07", name="環境局", kind="bureau")
    od = OrgUnit.objects.create(code="B07-D01", name="総務政策部", kind="department", parent=ob)
    os_ = OrgUnit.objects.create(code="B07-D01-S01", name="総務課", kind="section", parent=od)
    recompute_tree()
    for u in (b, d, s1, s2, ob, os_):
        u.refresh_from_db()
    return Org(bureau=b, department=d, s1=s1, s2=s2, other_bureau=ob, other_section=os_)


def make_person(username, name, section, *, roles=(), manager=False, title="主事", employment_type="regular",
                superuser=False, password=PASSWORD):
    from workstyle.models import StaffProfile, User

    user = User.objects.create_user(
        username=username, email=f"{username}@city.example.jp", password=password,
        is_superuser=superuser, is_staff=superuser,
    )
    StaffProfile.objects.create(
        user=user, employee_number=username, name=name, name_kana=name, email=user.email, section=section,
        title=title, is_manager=manager, employment_type=employment_type,
    )
    for role in ("employee", *roles, *(("manager",) if manager else ())):
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


class Personas:
    def __init__(self, org):
        self.org = org
        self.sato = make_person("sato", "佐藤 翔太", org.s1)
        self.kato = make_person("kato", "加藤 愛", org.s1)
        self.suzuki = make_person("suzuki", "鈴木 健一", org.s1, manager=True, title="課長")
        self.takahashi = make_person("takahashi", "高橋 直樹", org.s2)
        self.yamada = make_person("yamada", "山田 恵", org.s2, manager=True, title="課長")
        self.kimura = make_person("kimura", "木村 修", org.department, manager=True, title="部長")
        self.tanaka = make_person("tanaka", "田中 陽子", org.other_section, roles=("hr",))
        self.ito = make_person("ito", "伊藤 誠", org.s2, roles=("facilities",))
        self.watanabe = make_person("watanabe", "渡辺 彩", org.other_section, roles=("dx_office",))
        self.nakamura = make_person("nakamura", "中村 隆", org.bureau, roles=("executive",), manager=True, title="局長")
        self.yamamoto = make_person("yamamoto", "山本 香織", org.other_section, roles=("admin",), superuser=True)
        self.charlie = make_person("charlie", "チャーリー 太郎", org.other_section)

    def all(self):
        return {k: v for k, v in vars(self).items() if k != "org"}


@pytest.fixture
def personas(org):
    return Personas(org)


@pytest.fixture
def client_for(client):
    """client_for(user) → a Django test client logged in as that user."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveASGIServer:
    """uvicorn serving the project's ASGI app in a thread of this process (shares the test database)."""

    def __init__(self):
        import uvicorn

        from workstyle.asgi import application

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        config = uvicorn.Config(application, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off", ws="websockets-sansio")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self):
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_asgi(transactional_db, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    server = LiveASGIServer().start()
    yield server
    server.stop()
    close_connections_of_other_threads(collect=True)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=path, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"],
        )
        yield b
        b.close()


def session_cookie_for(user) -> dict:
    """A session cookie for `user` (for WebSocket clients and browser contexts)."""
    from django.test import Client

    c = Client()
    c.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value}


def browser_login(context, live, user):
    cookie = session_cookie_for(user)
    context.add_cookies([{**cookie, "url": live.url}])
