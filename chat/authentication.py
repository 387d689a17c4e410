"""The customer's credential on the HTTP API: the `X-Session-Token` header, resolved once for every view.

Views that customers call (`chat.api`, `feedback.views`) list SessionTokenAuthentication and IsChatSession; the view
then finds the session in `request.auth`. A customer is not a Django user, so `request.user` stays anonymous (and
such views need no CSRF token: nothing rides on a cookie).
"""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from chat import actions
from chat.models import ChatSession

HEADER = "X-Session-Token"


class SessionTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        token = request.headers.get(HEADER)
        if not token:
            return None
        try:
            session = actions.check_session_token(token)  # the socket's hello makes the same check
        except actions.UnknownSession:
            # HTTP's convention for a bad credential (401); the socket answers the protocol's `not_found` frame.
            raise exceptions.AuthenticationFailed("The session token is invalid, expired or revoked: start a new "
                                                  "session.", code="invalid_token") from None
        return AnonymousUser(), session

    def authenticate_header(self, request):
        return HEADER  # makes a missing or bad token a 401 (with WWW-Authenticate), not a 403


class IsChatSession(permissions.BasePermission):
    message = f"The {HEADER} header is required."

    def has_permission(self, request, view):
        return isinstance(request.auth, ChatSession)


class SessionTokenScheme(OpenApiAuthenticationExtension):
    target_class = SessionTokenAuthentication
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": HEADER}
