"""ASGI entry point: HTTP through Django, WebSockets through Channels (origin-checked, session-authenticated)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workstyle.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from workstyle import registry  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(registry.websocket_routes()))),
    }
)
