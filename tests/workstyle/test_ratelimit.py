"""allauth's login-failure limits held in a real shared cache (Redis), so every server process sees them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from tests.conftest import PASSWORD


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


@pytest.mark.redis
def test_cache_is_redis_when_redis_url_is_set():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    cache.set("probe", "value", 30)
    keys = [k.decode() for k in _redis().keys("*probe")]
    assert keys and all(k.startswith(f"{settings.CACHES['default']['KEY_PREFIX']}:") for k in keys)


@pytest.mark.redis
def test_login_failures_are_limited_through_redis(personas):
    first = Client()
    for _ in range(5):
        resp = first.post("/accounts/login/", {"login": "sato", "password": "wrong-password"})
        assert resp.status_code == 200 and "_auth_user_id" not in first.session
    # the failure history lives in Redis, not in this process
    assert _redis().keys("*allauth:rl:*login_failed*")
    # another client (a new session, as if served by another process) is refused even with the right password
    second = Client()
    resp = second.post("/accounts/login/", {"login": "sato", "password": PASSWORD})
    assert "_auth_user_id" not in second.session
    assert resp.context["form"].errors
    # another person is not affected by sato's limit
    resp = second.post("/accounts/login/", {"login": "kato", "password": PASSWORD})
    assert resp.status_code == 302
    # once the limit's records are gone (e.g. expired), sato may log in again
    cache.clear()
    resp = Client().post("/accounts/login/", {"login": "sato", "password": PASSWORD})
    assert resp.status_code == 302


def test_ip_limit_counts_failures_across_logins(personas, settings):
    """Without Redis (local-memory cache) the same limits hold within the process: 10 failures per IP."""
    c = Client()
    names = ["sato", "kato", "suzuki", "takahashi", "yamada", "kimura", "tanaka", "ito", "watanabe", "charlie"]
    for name in names:
        c.post("/accounts/login/", {"login": name, "password": "wrong-password"})
    resp = c.post("/accounts/login/", {"login": "nakamura", "password": PASSWORD})
    assert "_auth_user_id" not in c.session
    assert resp.status_code in (200, 429)
