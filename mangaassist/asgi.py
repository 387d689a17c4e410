"""HTTP goes to Django; `/ws/...` goes to the Channels consumers each app lists in its `routing.py`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mangaassist.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chat.routing import websocket_urlpatterns as chat_ws  # noqa: E402
from common.security import BrowserOriginValidator  # noqa: E402
from reviews.routing import websocket_urlpatterns as reviews_ws  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Both /ws/chat/ and /ws/reviews/: a page on another site may not open them (Origin check first).
        "websocket": BrowserOriginValidator(AuthMiddlewareStack(URLRouter(chat_ws + reviews_ws))),
    }
)
