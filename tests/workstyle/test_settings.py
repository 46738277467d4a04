"""Settings come from the environment and fail loudly, naming the variable, on bad values.

Settings are read at import time, so each case runs in a fresh interpreter. The cases run in parallel.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import django; from django.conf import settings; settings.INSTALLED_APPS; print('ok')"

# Variables of ours that the parent environment (a developer shell, CI) may hold; each case starts clean.
OURS = ("DEBUG", "TESTING", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "REDIS_URL",
        "EMAIL_BACKEND", "EMAIL_PORT", "OIDC_SERVER_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "TASK_BACKEND",
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD", "DB_CONN_MAX_AGE", "SQLITE_PATH",
        "MFA_REQUIRED_ROLES", "LOGIN_RATE_LIMIT", "PYTEST_ADDOPTS", "DB_POOL", "USERSESSIONS_TRACK_ACTIVITY",
        "DJANGO_ALLOW_ASYNC_UNSAFE")  # the last one is set by tests/conftest.py for Playwright
PRODUCTION = {
    "DEBUG": "0",
    "TESTING": "0",
    "SECRET_KEY": "prod-" + secrets.token_urlsafe(48),
    "ALLOWED_HOSTS": "workstyle.city.example.jp",
    "CSRF_TRUSTED_ORIGINS": "https://workstyle.city.example.jp",
}


def clean_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in OURS}
    env["DJANGO_SETTINGS_MODULE"] = "workstyle.settings"
    env["PYTHONPATH"] = str(ROOT)
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


DEV = {"DEBUG": "1", "TESTING": "0"}
BAD = {
    "DEBUG=maybe": ({"DEBUG": "maybe", "TESTING": "0"}, "DEBUG"),
    "no SECRET_KEY in production": ({k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}, "SECRET_KEY"),
    "short SECRET_KEY": ({**PRODUCTION, "SECRET_KEY": "short"}, "SECRET_KEY"),
    "no ALLOWED_HOSTS in production": ({k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"},
                                       "ALLOWED_HOSTS"),
    "CSRF origin without scheme": ({**DEV, "CSRF_TRUSTED_ORIGINS": "workstyle.city.example.jp"},
                                   "CSRF_TRUSTED_ORIGINS"),
    "DATABASE_URL=mysql": ({**DEV, "DATABASE_URL": "mysql://root@127.0.0.1/ws"}, "DATABASE_URL"),
    "REDIS_URL=http": ({**DEV, "REDIS_URL": "http://127.0.0.1:6379/0"}, "REDIS_URL"),
    "OIDC half set": ({**DEV, "OIDC_SERVER_URL": "https://sso.city.example.jp", "OIDC_CLIENT_ID": "ws"},
                      "OIDC_CLIENT_SECRET"),
    "OIDC URL not http(s)": ({**DEV, "OIDC_SERVER_URL": "sso.city.example.jp", "OIDC_CLIENT_ID": "ws",
                              "OIDC_CLIENT_SECRET": "x"}, "OIDC_SERVER_URL"),
    "EMAIL_BACKEND=foo": ({**DEV, "EMAIL_BACKEND": "foo"}, "EMAIL_BACKEND"),
    "EMAIL_PORT=abc": ({**DEV, "EMAIL_PORT": "abc"}, "EMAIL_PORT"),
    "DB_POOL with DB_CONN_MAX_AGE": ({**DEV, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x", "DB_POOL": "1",
                                      "DB_CONN_MAX_AGE": "60"}, "DB_CONN_MAX_AGE"),
    "TASK_BACKEND=celery": ({**DEV, "TASK_BACKEND": "celery"}, "TASK_BACKEND"),
}


@pytest.fixture(scope="module")
def outcomes():
    """Start every case at once (each is a fresh interpreter importing the settings), then collect."""
    cases = {"good dev": DEV, "good production": PRODUCTION, **{k: v[0] for k, v in BAD.items()}}
    procs = {
        name: subprocess.Popen([sys.executable, "-c", PROBE], cwd=ROOT, env=clean_env(**env),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, env in cases.items()
    }
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=60)
        results[name] = (proc.returncode, out, err)
    return results


def test_good_settings_import(outcomes):
    for name in ("good dev", "good production"):
        code, out, err = outcomes[name]
        assert code == 0 and out.strip() == "ok", err


@pytest.mark.parametrize("case", list(BAD))
def test_bad_value_fails_loudly_naming_the_variable(outcomes, case):
    code, out, err = outcomes[case]
    variable = BAD[case][1]
    assert code != 0, f"{case}: settings imported although they are wrong"
    last = err.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured"), err
    assert variable in last, last


def test_check_deploy_is_clean_under_production_settings():
    """`manage.py check --deploy --fail-level WARNING` with production values, outside pytest's detection."""
    proc = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=clean_env(**PRODUCTION), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


def test_testing_detection_does_not_leak_into_production_subprocess():
    probe = "from django.conf import settings; print(settings.TESTING, settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=clean_env(**PRODUCTION),
                          capture_output=True, text=True, timeout=60)
    assert proc.stdout.split() == ["False", "False", "True"], proc.stderr
