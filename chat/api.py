"""The HTTP fallback for clients without WebSockets: same validation, limits and idempotency as the socket.

The customer's credential is the X-Session-Token header (chat.authentication); refusals are chat.actions' ChatError,
rendered by the project's DRF exception handler with the same codes the socket's `error` frames carry. The message
body is checked by chat.actions (for both transports); MessageIn only describes it for the schema.
"""

from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from chat import actions
from chat.authentication import IsChatSession, SessionTokenAuthentication
from chat.models import Locale, Message
from common import inputs
from common.security import client_ip_from_request

ERROR_OUT = inline_serializer("ChatError", {"code": serializers.CharField(), "detail": serializers.CharField()})
ERRORS = {400: ERROR_OUT, 401: ERROR_OUT, 403: ERROR_OUT, 404: ERROR_OUT, 429: ERROR_OUT}


class AfterQuery(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, max_value=inputs.MAX_ID, default=0,
                                     help_text="only messages with a larger id (0 to 2^63-1)")


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


@extend_schema(request=inline_serializer("SessionIn", {
    "locale": serializers.ChoiceField(Locale.values, required=False),
    "customer": serializers.CharField(required=False, max_length=512,
                                      help_text="the store's signed customer identity token (README: Who the customer "
                                                "is); a bad or expired one is a 400 identity_invalid / "
                                                "identity_expired and no session is created")}),
               responses={201: inline_serializer("SessionOut", {"session": serializers.CharField(),
                                                                "session_id": serializers.UUIDField(),
                                                                "signed_in": serializers.BooleanField()}),
                          400: ERROR_OUT, 403: ERROR_OUT, 429: ERROR_OUT})
@never_cache
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def create_session(request):
    """Start a conversation (signed in when a valid customer identity is given); the returned token goes in
    X-Session-Token."""
    data = request.data if isinstance(request.data, dict) else {}
    locale = data.get("locale")
    customer = actions.check_customer_identity(data["customer"]) if data.get("customer") not in (None, "") else None
    session, _ = actions.do_resume_session(None, locale if isinstance(locale, str) else Locale.JA,
                                           client_ip=client_ip_from_request(request), customer=customer)
    return Response({"session": session.token, "session_id": str(session.public_id),
                     "signed_in": session.customer_id is not None}, status=201)


@extend_schema(methods=["GET"], parameters=[AfterQuery],
               responses={200: MessageOut(many=True), 400: ERROR_OUT, 401: ERROR_OUT, 404: ERROR_OUT})
@extend_schema(methods=["POST"],
               request=inline_serializer("MessageIn", {"client_id": serializers.CharField(max_length=64),
                                                       "text": serializers.CharField(max_length=actions.MAX_TEXT)}),
               responses={**ERRORS,
                          202: inline_serializer("Received", {"message_id": serializers.IntegerField(),
                                                              "client_id": serializers.CharField()})})
@never_cache
@api_view(["GET", "POST"])
@authentication_classes([SessionTokenAuthentication])
@permission_classes([IsChatSession])
def session_messages(request, session_id):
    """POST: send a message (202; resending the same client_id returns the same message id).
    GET: the conversation after message id `after`."""
    session = request.auth
    if str(session.public_id) != str(session_id):  # 404, not 403: a token must not reveal that another id exists
        raise actions.UnknownSession("no such session for this token")
    if request.method == "GET":
        query = AfterQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        after = query.validated_data["after"]
        messages = session.messages.filter(id__gt=after).exclude(kind=Message.Kind.HEARTBEAT).order_by("id")[:200]
        return Response(MessageOut(messages, many=True).data)
    data = request.data if isinstance(request.data, dict) else {}
    received = actions.do_receive_message(session, data.get("client_id"), data.get("text"),
                                          client_ip=client_ip_from_request(request))
    return Response({"message_id": received.message.pk, "client_id": received.message.client_id},
                    status=status.HTTP_202_ACCEPTED)
