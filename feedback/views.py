"""POST /api/v1/feedback — the REST twin of the WebSocket `feedback` frame (same action, same errors)."""

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.authentication import IsChatSession, SessionTokenAuthentication
from feedback import collect
from feedback.models import Feedback


class FeedbackRequest(serializers.Serializer):
    message_id = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=Feedback.Kind.values)
    value = serializers.ChoiceField(choices=Feedback.Value.values, required=False)
    text = serializers.CharField(required=False, max_length=collect.MAX_TEXT)
    chosen = serializers.CharField(required=False, max_length=collect.MAX_TEXT)
    rejected = serializers.CharField(required=False, max_length=collect.MAX_TEXT)


ERROR = inline_serializer("FeedbackError", {"code": serializers.CharField(), "detail": serializers.CharField()})


@method_decorator(never_cache, name="dispatch")
class FeedbackView(APIView):
    # The customer is identified by the session token, not by Django auth (and so needs no CSRF token).
    authentication_classes = [SessionTokenAuthentication]
    permission_classes = [IsChatSession]

    @extend_schema(
        request=FeedbackRequest,
        responses={201: inline_serializer("FeedbackAck", {"feedback_id": serializers.IntegerField()}),
                   400: ERROR, 401: ERROR, 404: ERROR,
                   429: inline_serializer("FeedbackRateLimited", {"code": serializers.CharField(),
                                                                   "detail": serializers.CharField(),
                                                                   "resets_at": serializers.DateTimeField()})},
    )
    def post(self, request):
        feedback = collect.do_record_feedback(request.auth, request.data)
        return Response({"feedback_id": feedback.pk}, status=201)
