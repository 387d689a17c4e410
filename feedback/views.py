"""POST /api/v1/feedback — the REST twin of the WebSocket `feedback` frame (same action, same errors)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.models import ChatSession
from feedback import collect
from feedback.models import Feedback


class FeedbackRequest(serializers.Serializer):
    message_id = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=Feedback.Kind.values)
    value = serializers.ChoiceField(choices=Feedback.Value.values, required=False)
    text = serializers.CharField(required=False, max_length=collect.MAX_TEXT)
    chosen = serializers.CharField(required=False, max_length=collect.MAX_TEXT)
    rejected = serializers.CharField(required=False, max_length=collect.MAX_TEXT)


class FeedbackView(APIView):
    # The customer is identified by the session token, not by Django auth (and so needs no CSRF token).
    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        request=FeedbackRequest,
        parameters=[OpenApiParameter("X-Session-Token", str, OpenApiParameter.HEADER, required=True)],
        responses={201: inline_serializer("FeedbackAck", {"feedback_id": serializers.IntegerField()}),
                   400: inline_serializer("FeedbackError", {"detail": serializers.CharField()}),
                   401: inline_serializer("FeedbackUnauthorized", {"detail": serializers.CharField()}),
                   404: inline_serializer("FeedbackNotFound", {"detail": serializers.CharField()}),
                   429: inline_serializer("FeedbackRateLimited", {"detail": serializers.CharField(),
                                                                   "resets_at": serializers.DateTimeField()})},
    )
    def post(self, request):
        session = ChatSession.from_token(request.headers.get("X-Session-Token", ""))
        if session is None:
            return self._no_store(Response({"detail": "Missing or invalid X-Session-Token."}, status=401))
        try:
            feedback = collect.do_record_feedback(session, request.data)
        except collect.RateLimited as error:
            response = Response({"detail": error.detail, "resets_at": error.resets_at.isoformat()}, status=429)
            response["Retry-After"] = str(error.retry_after())
            return self._no_store(response)
        except collect.FeedbackError as error:
            return self._no_store(Response({"detail": error.detail}, status=error.http_status))
        return self._no_store(Response({"feedback_id": feedback.pk}, status=201))

    @staticmethod
    def _no_store(response):
        response["Cache-Control"] = "no-store"
        return response
