"""Project-wide security glue: the admin lockout answer, the WebSocket Origin check, the client's address."""

from urllib.parse import urlparse

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext


try:
    from axes.backends import AxesStandaloneBackend
except ImportError:  # pragma: no cover - axes is a pinned requirement
    AxesStandaloneBackend = object


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes for logins that come over the web; authentication without a request (a script, a management
    command, the test client's login) has nobody to throttle, and axes would refuse it outright."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def axes_lockout(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out admin login: 429 with Retry-After, like every other limit."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 900
    # The translation lives in chat/locale (the project has no locale folder of its own).
    text = gettext("Too many failed logins. Try again in %(minutes)d minutes.") % {"minutes": max(1, seconds // 60)}
    response = HttpResponse(text + "\n", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response


def allowed_ws_origins() -> list[str]:
    """The hosts a browser page may open our WebSockets from: ALLOWED_HOSTS plus CSRF_TRUSTED_ORIGINS' hosts."""
    origins = list(settings.ALLOWED_HOSTS)
    origins += [urlparse(origin).netloc or origin for origin in settings.CSRF_TRUSTED_ORIGINS]
    return origins


class BrowserOriginValidator(OriginValidator):
    """Refuses a WebSocket handshake whose Origin is not one of ours (cross-site WebSocket hijacking).

    Browsers always send Origin on a WebSocket handshake, so a page on another site is refused. A handshake without
    Origin is not a browser (a test client, a native app): it carries no ambient credentials worth hijacking."""

    def __init__(self, application):
        super().__init__(application, allowed_origins=[])

    def valid_origin(self, parsed_origin):
        if parsed_origin is None:
            return True
        self.allowed_origins = allowed_ws_origins()  # read per handshake: tests and settings may change
        return super().valid_origin(parsed_origin)


def client_ip_from_scope(scope) -> str:
    """The peer address uvicorn reports (it applies X-Forwarded-For from FORWARDED_ALLOW_IPS proxies)."""
    client = scope.get("client")
    return client[0] if client else "unknown"


def client_ip_from_request(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"
