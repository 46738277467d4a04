"""ASGI entry point: HTTP through Django, WebSockets through Channels (origin-checked, session-authenticated)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workstyle.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from workstyle import registry  # noqa: E402

RAW_HEALTH_PATH = "/healthz/raw"
_RAW_HEADERS = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"2"),
                (b"cache-control", b"no-store")]


def with_raw_health(app):
    """Answer GET/HEAD /healthz/raw with a plain "ok" before Django is involved.

    It reveals nothing and touches neither the database nor the session: a liveness probe for load balancers,
    and the "outside the middleware" reference of benchmarks/http_baseline.py (`/healthz` is the same answer
    through the whole Django middleware stack).
    """

    async def asgi(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == RAW_HEALTH_PATH and scope["method"] in ("GET", "HEAD"):
            await send({"type": "http.response.start", "status": 200, "headers": _RAW_HEADERS})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else b"ok"})
            return
        await app(scope, receive, send)

    return asgi


application = ProtocolTypeRouter(
    {
        "http": with_raw_health(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(registry.websocket_routes()))),
    }
)
