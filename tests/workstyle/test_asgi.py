import pytest
from asgiref.sync import iscoroutinefunction, sync_to_async
from channels.testing import HttpCommunicator
from django.http import HttpResponse

from tests.conftest import session_cookie_for
from workstyle.asgi import application


async def test_raw_health_answers_before_django():
    comm = HttpCommunicator(application, "GET", "/healthz/raw")
    resp = await comm.get_response()
    assert resp["status"] == 200 and resp["body"] == b"ok"
    assert (b"content-type", b"text/plain; charset=utf-8") in resp["headers"]
    # nothing of Django's stack: no session, no CSRF, no security headers added by middleware
    assert not any(name.lower() in (b"set-cookie", b"x-frame-options") for name, _ in resp["headers"])


HOST = [(b"host", b"testserver")]


async def test_other_methods_and_paths_reach_django():
    resp = await HttpCommunicator(application, "POST", "/healthz/raw", headers=HOST).get_response()
    assert resp["status"] in (403, 404, 405)  # Django's answer, not the raw "ok"
    resp = await HttpCommunicator(application, "GET", "/healthz", headers=HOST).get_response()
    assert resp["status"] == 200 and resp["body"] == b"ok"
    assert any(name.lower() == b"x-frame-options" for name, _ in resp["headers"])


@pytest.mark.django_db(transaction=True)
async def test_mfa_requirement_is_enforced_in_async_mode(personas, settings):
    settings.MFA_REQUIRED_ROLES = ["hr"]
    for user in (personas.tanaka, personas.sato):
        cookie = await sync_to_async(session_cookie_for)(user)
        headers = [*HOST, (b"cookie", f"{cookie['name']}={cookie['value']}".encode())]
        resp = await HttpCommunicator(application, "GET", "/org/", headers=headers).get_response()
        if user is personas.tanaka:
            assert resp["status"] == 302
            assert dict(resp["headers"])[b"Location"].startswith(b"/accounts/2fa/totp/activate/")
        else:
            assert resp["status"] == 200


async def test_static_files_middleware_serves_in_async_mode(settings):
    from django.test import RequestFactory

    from workstyle.middleware import StaticFilesMiddleware

    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True

    async def downstream(request):
        return HttpResponse("from django")

    mw = StaticFilesMiddleware(downstream)
    assert iscoroutinefunction(mw)
    resp = await mw(RequestFactory().get("/static/css/app.css"))
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/css")
    assert resp.is_async
    body = b"".join([part async for part in resp.streaming_content])
    assert body.startswith(b":root") and len(body) == int(resp["Content-Length"])
    resp = await mw(RequestFactory().get("/org/"))
    assert resp.content == b"from django"
