"""Project-wide security glue: the admin lockout answer, the WebSocket Origin check, the client's address, the
signed customer identity."""

import base64
import hashlib
import hmac
import json
import time
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


# --- Signed customer identity (the store's page tells the chat widget who is signed in) -------------------------
#
# token = "v1." + b64url(payload) + "." + b64url(HMAC-SHA256(secret, "v1." + b64url(payload)))
# payload = compact JSON {"sub": customer external id, "exp": expiry as Unix seconds}; b64url without "=" padding.
# The store's backend and MangaAssist share CUSTOMER_IDENTITY_SECRET; README shows how the store makes a token.

IDENTITY_VERSION = "v1"
IDENTITY_MAX_TTL_SECONDS = 24 * 3600  # a token claiming a longer life is refused: the page makes a fresh one
IDENTITY_LEEWAY_SECONDS = 30  # clock skew between the store's servers and ours


class IdentityError(Exception):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def identity_secret() -> bytes:
    """CUSTOMER_IDENTITY_SECRET; in DEBUG without one, a secret derived from SECRET_KEY (the demo page signs with it)."""
    secret = settings.CUSTOMER_IDENTITY_SECRET
    if secret:
        return secret.encode()
    if settings.DEBUG:
        return hashlib.sha256(f"customer-identity:{settings.SECRET_KEY}".encode()).digest()
    raise IdentityError("identity_unavailable", "signed customer identities are not configured here")


def _signature(signed_part: str, secret: bytes) -> str:
    return _b64(hmac.new(secret, signed_part.encode("ascii"), hashlib.sha256).digest())


def sign_customer_identity(customer_id: str, ttl_seconds: int = 600, now: float | None = None) -> str:
    """A token saying "customer `customer_id` is signed in" for `ttl_seconds` (what the store's backend makes)."""
    payload = json.dumps({"sub": customer_id, "exp": int((now or time.time()) + ttl_seconds)}, separators=(",", ":"))
    signed_part = f"{IDENTITY_VERSION}.{_b64(payload.encode())}"
    return f"{signed_part}.{_signature(signed_part, identity_secret())}"


def verify_customer_identity(token, now: float | None = None) -> str:
    """The customer id a token vouches for; IdentityError with code identity_invalid, identity_expired or
    identity_unavailable otherwise. The signature is checked before anything in the payload is read."""
    secret = identity_secret()
    if not isinstance(token, str) or len(token) > 512 or not token.isascii() or token.count(".") != 2:
        raise IdentityError("identity_invalid", "the customer identity is not a v1 token")
    version, payload, signature = token.split(".")
    if version != IDENTITY_VERSION or not hmac.compare_digest(signature, _signature(f"{version}.{payload}", secret)):
        raise IdentityError("identity_invalid", "the customer identity's signature does not match")
    try:
        claims = json.loads(_unb64(payload))
        customer_id, expires = claims["sub"], claims["exp"]
        if not isinstance(customer_id, str) or not 0 < len(customer_id) <= 64 or isinstance(expires, bool) \
                or not isinstance(expires, int):
            raise ValueError("sub must be a string, exp an integer")
    except (ValueError, TypeError, KeyError) as exc:
        raise IdentityError("identity_invalid", f"the customer identity's payload is malformed ({exc})") from None
    now = now or time.time()
    if expires + IDENTITY_LEEWAY_SECONDS < now:
        raise IdentityError("identity_expired", "the customer identity has expired; reload the page")
    if expires - now > IDENTITY_MAX_TTL_SECONDS + IDENTITY_LEEWAY_SECONDS:
        raise IdentityError("identity_invalid", "the customer identity claims to live longer than a day")
    return customer_id
