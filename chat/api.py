"""The HTTP fallback for clients without WebSockets: same validation, limits and idempotency as the socket."""

from functools import wraps

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from chat import actions
from chat.actions import ChatError
from chat.models import Locale, Message
from common import inputs
from common.security import client_ip_from_request

ERROR_STATUS = {"empty": 400, "too_long": 400, "invalid": 400, "blocked": 403, "rate_limited": 429,
                "not_found": 404}
TOKEN_HEADER = OpenApiParameter("X-Session-Token", str, OpenApiParameter.HEADER, required=True)
ERROR_OUT = inline_serializer("ChatError", {"code": serializers.CharField(), "detail": serializers.CharField()})
ERRORS = {400: ERROR_OUT, 401: ERROR_OUT, 403: ERROR_OUT, 404: ERROR_OUT, 429: ERROR_OUT}


def _error(exc: ChatError) -> Response:
    response = Response({"code": exc.code, "detail": exc.detail}, status=ERROR_STATUS.get(exc.code, 400))
    if exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    return response


def no_store(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


def with_session(view):
    """Resolves the X-Session-Token header; the URL's session id must be that session's."""

    @wraps(view)
    def wrapper(request, session_id, *args, **kwargs):
        token = request.headers.get("X-Session-Token")
        if not token:
            return Response({"code": "invalid", "detail": "the X-Session-Token header is required"}, status=401)
        try:
            session = actions.check_session_token(token)
        except ChatError as exc:
            return _error(exc)
        if str(session.public_id) != str(session_id):
            # 404, not 403: a token must not reveal whether another session id exists
            return Response({"code": "not_found", "detail": "no such session for this token"}, status=404)
        return view(request, session, *args, **kwargs)

    return wrapper


class MessageOut(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField()
    kind = serializers.CharField()
    text = serializers.CharField()
    client_id = serializers.CharField(allow_null=True)
    reply_to = serializers.IntegerField(source="reply_to_id", allow_null=True)
    status = serializers.CharField()
    category = serializers.CharField()
    sources = serializers.JSONField()
    created_at = serializers.DateTimeField()


@extend_schema(request=inline_serializer("SessionIn", {"locale": serializers.ChoiceField(Locale.values, required=False)}),
               responses={201: inline_serializer("SessionOut", {"session": serializers.CharField(),
                                                                "session_id": serializers.UUIDField()}),
                          400: ERROR_OUT, 403: ERROR_OUT, 429: ERROR_OUT})
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@no_store
def create_session(request):
    """Start a conversation; the returned token goes in X-Session-Token."""
    locale = request.data.get("locale") if isinstance(request.data, dict) else None
    try:
        session = actions.do_start_session(locale if isinstance(locale, str) else Locale.JA,
                                           client_ip=client_ip_from_request(request))
    except ChatError as exc:
        return _error(exc)
    return Response({"session": session.token, "session_id": str(session.public_id)}, status=201)


@extend_schema(methods=["GET"], parameters=[
    TOKEN_HEADER, OpenApiParameter("after", int, description="only messages with a larger id (0 to 2^63-1)")],
               responses={200: MessageOut(many=True), 400: ERROR_OUT, 401: ERROR_OUT, 404: ERROR_OUT})
@extend_schema(methods=["POST"], parameters=[TOKEN_HEADER],
               request=inline_serializer("MessageIn", {"client_id": serializers.CharField(max_length=64),
                                                       "text": serializers.CharField(max_length=actions.MAX_TEXT)}),
               responses={**ERRORS,
                          202: inline_serializer("Received", {"message_id": serializers.IntegerField(),
                                                              "client_id": serializers.CharField()})})
@api_view(["GET", "POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@no_store
@with_session
def session_messages(request, session):
    """POST: send a message (202; resending the same client_id returns the same message id).
    GET: the conversation after message id `after`."""
    if request.method == "GET":
        try:
            after = int(request.query_params.get("after", 0))
            if not 0 <= after <= inputs.MAX_ID:
                raise ValueError
        except ValueError:
            return Response({"code": "invalid", "detail": "after must be a number from 0 to 2^63-1"}, status=400)
        messages = session.messages.filter(id__gt=after).exclude(kind=Message.Kind.HEARTBEAT).order_by("id")[:200]
        return Response(MessageOut(messages, many=True).data)
    data = request.data if isinstance(request.data, dict) else {}
    try:
        received = actions.do_receive_message(session, data.get("client_id"), data.get("text"),
                                              client_ip=client_ip_from_request(request))
    except ChatError as exc:
        return _error(exc)
    return Response({"message_id": received.message.pk, "client_id": received.message.client_id},
                    status=status.HTTP_202_ACCEPTED)
