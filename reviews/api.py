"""Reviewer REST API (/api/v1/reviews/…, /api/v1/reviewers/…): token or session auth; thin views over decisions.py."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.models import Category
from common.inputs import MAX_ID
from reviews import availability, decisions, threshold_changes
from reviews.models import BulkApproval, ReviewerAvailability, ReviewTask, ThresholdProposal, ThresholdProposalEvent
from reviews.queue import pending_queue
from reviews.roles import allowed_pools, is_ml_lead, is_reviewer, is_senior


class IsReviewer(permissions.BasePermission):
    message = "Reviewer access only."

    def has_permission(self, request, view):
        return is_reviewer(request.user)


class IsSeniorReviewer(permissions.BasePermission):
    message = "Senior reviewer access only."

    def has_permission(self, request, view):
        return is_senior(request.user)


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReviewTaskSerializer(serializers.ModelSerializer):
    customer_message = MessageSerializer(source="message", read_only=True)
    claimed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    session = serializers.UUIDField(source="session.public_id", read_only=True)
    sources = serializers.SerializerMethodField()
    decision = serializers.ChoiceField(ReviewTask.Decision.choices, allow_blank=True, read_only=True,
                                       help_text="empty until a person (or a sweep) decided")

    class Meta:
        model = ReviewTask
        fields = ["id", "kind", "status", "pool", "priority", "category", "risk_class", "is_vip", "locale",
                  "confidence", "draft_text", "sources", "customer_message", "session", "parent", "followup",
                  "created_at", "sla_deadline", "sla_breached", "timeout_at", "claimed_by", "claimed_at",
                  "claim_expires_at", "release_count", "decision", "decided_by", "decided_at", "edited_text",
                  "reject_reason", "notes", "review_duration_s", "answer"]
        read_only_fields = fields

    def get_sources(self, task) -> list[dict]:
        return task.draft.get("sources") or []


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=decisions.DECISIONS)
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BulkApproveSerializer(serializers.Serializer):
    min_confidence = serializers.FloatField(required=False, min_value=0, max_value=1)
    category = serializers.ChoiceField(choices=Category.values, required=False, allow_blank=True, default="",
                                       help_text="only this category; blank for every normal-risk category")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=200)
    task_ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                     max_length=1000)


class BulkApprovalSerializer(serializers.ModelSerializer):
    category = serializers.CharField(read_only=True, help_text="the category asked for; blank for every one")

    class Meta:
        model = BulkApproval
        fields = ["id", "created_at", "min_confidence", "category", "task_ids", "count"]
        # Output only; and read-only fields carry no database-dependent ranges (PositiveIntegerField's maximum is
        # 2^63-1 on SQLite, 2^31-1 on PostgreSQL), so the committed schema is the same on both.
        read_only_fields = fields


class AvailabilitySerializer(serializers.ModelSerializer):
    active_reviewers = serializers.SerializerMethodField()

    class Meta:
        model = ReviewerAvailability
        fields = ["checked_in", "checked_in_at", "checked_out_at", "last_activity_at", "active_reviewers"]

    def get_active_reviewers(self, _) -> int:
        return availability.active_reviewer_count()


ERROR = inline_serializer("ReviewError", {"code": serializers.CharField(), "detail": serializers.CharField()})
VALIDATION_ERROR = inline_serializer("ReviewValidationError", {
    "code": serializers.CharField(), "detail": serializers.CharField(),
    # per field: a list of messages, or for a list field a map from the bad item's index to its messages
    "errors": serializers.DictField(child=serializers.JSONField(), required=False)})
AUTH_ERRORS = {401: ERROR, 403: ERROR}


def _visible_task(request, pk: int) -> ReviewTask:
    """A task this reviewer may see: a senior-pool task is 404 to a regular reviewer, as if it did not exist."""
    if not 0 < pk <= MAX_ID:
        raise NotFound("No such review task.")
    return get_object_or_404(ReviewTask.objects.select_related("message", "session", "claimed_by", "decided_by")
                             .filter(pool__in=allowed_pools(request.user)), pk=pk)


class ReviewListView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=[s.value for s in ReviewTask.Status]),
                    OpenApiParameter("limit", int, description="at most 500; default 100")],
        responses={200: ReviewTaskSerializer(many=True), 400: ERROR, **AUTH_ERRORS},
        summary="List review tasks (default: the claimable queue, P1 first, earliest deadline first)")
    def get(self, request):
        wanted = request.query_params.get("status", "pending")
        if wanted not in ReviewTask.Status.values:
            return Response({"code": "invalid", "detail": f"Unknown status {wanted!r}."}, status=400)
        try:
            limit = max(1, min(500, int(request.query_params.get("limit", 100))))
        except ValueError:
            return Response({"code": "invalid", "detail": "limit must be an integer."}, status=400)
        if wanted == ReviewTask.Status.PENDING:
            qs = pending_queue(request.user)
        else:
            qs = (ReviewTask.objects.filter(status=wanted, pool__in=allowed_pools(request.user))
                  .select_related("message", "session", "claimed_by", "decided_by"))
        return Response(ReviewTaskSerializer(qs[:limit], many=True).data)


class ReviewDetailView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(responses={200: ReviewTaskSerializer, 404: ERROR, **AUTH_ERRORS}, summary="One review task")
    def get(self, request, pk: int):
        return Response(ReviewTaskSerializer(_visible_task(request, pk)).data)


class ClaimView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(request=None, responses={200: ReviewTaskSerializer, 400: ERROR, 404: ERROR, 409: ERROR,
                                            **AUTH_ERRORS},
                   summary="Claim a task (atomic: of two reviewers one wins, the other gets 409)")
    def post(self, request, pk: int):
        task = decisions.do_claim(pk, request.user)
        return Response(ReviewTaskSerializer(task).data)


class DecisionView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(request=DecisionSerializer, responses={200: ReviewTaskSerializer, 400: VALIDATION_ERROR,
                                                          404: ERROR, 409: ERROR, **AUTH_ERRORS},
                   summary="Decide: approve, edit (text required) or reject (reason required)")
    def post(self, request, pk: int):
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = decisions.do_decide(pk, request.user, data.validated_data["decision"],
                                   text=data.validated_data["text"], reason=data.validated_data["reason"],
                                   notes=data.validated_data["notes"])
        return Response(ReviewTaskSerializer(task).data)


class BulkApproveView(APIView):
    permission_classes = [IsSeniorReviewer]

    @extend_schema(request=BulkApproveSerializer, responses={200: BulkApprovalSerializer, 400: VALIDATION_ERROR,
                                                             **AUTH_ERRORS},
                   summary="Approve pending normal-risk drafts above a confidence floor (seniors)")
    def post(self, request):
        data = BulkApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = decisions.do_bulk_approve(request.user, **data.validated_data)
        return Response(BulkApprovalSerializer(record).data)


class CheckInView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(request=None, responses={200: AvailabilitySerializer, **AUTH_ERRORS},
                   summary="Check in as an active reviewer")
    def post(self, request):
        return Response(AvailabilitySerializer(availability.do_check_in(request.user)).data)


class CheckOutView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(request=None, responses={200: AvailabilitySerializer, **AUTH_ERRORS}, summary="Check out")
    def post(self, request):
        return Response(AvailabilitySerializer(availability.do_check_out(request.user)).data)


# --- threshold change control (/api/v1/threshold-changes/…): thin views over threshold_changes.py -----------------

class IsMlLead(permissions.BasePermission):
    message = "ML lead access only."

    def has_permission(self, request, view):
        return is_ml_lead(request.user)


class ThresholdEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ThresholdProposalEvent
        fields = ["id", "at", "actor", "from_status", "to_status", "reason", "numbers"]
        read_only_fields = fields


class ThresholdProposalSerializer(serializers.ModelSerializer):
    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    events = ThresholdEventSerializer(many=True, read_only=True)

    class Meta:
        model = ThresholdProposal
        fields = ["id", "status", "values", "reason", "proposed_by", "created_at", "simulation", "simulated_at",
                  "load_acknowledgement", "approved_by", "approved_at", "canary_percent", "canary_hours",
                  "canary_started_at", "canary_ends_at", "before", "finished_at", "events"]
        read_only_fields = fields


class ThresholdProposeSerializer(serializers.Serializer):
    values = serializers.DictField(child=serializers.DictField(), help_text=(
        '{category: {field: value}}; fields: auto_respond_min, review_min, handoff_below, peak_*; '
        'the key "all" stands for every category'))
    reason = serializers.CharField(max_length=300)
    canary_percent = serializers.FloatField(required=False, min_value=0.01, max_value=100)
    canary_hours = serializers.FloatField(required=False, min_value=0.001)
    hours = serializers.FloatField(required=False, min_value=0.01, max_value=24 * 90,
                                   help_text="history replayed by the simulation (default 168)")


class ThresholdApproveSerializer(serializers.Serializer):
    acknowledgement = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ThresholdRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ThresholdSimulateSerializer(serializers.Serializer):
    hours = serializers.FloatField(required=False, min_value=0.01, max_value=24 * 90)


CHANGE_ERROR = inline_serializer("ThresholdChangeError", {"code": serializers.CharField(),
                                                          "detail": serializers.CharField()})
CHANGE_DENIED = {401: CHANGE_ERROR, 403: CHANGE_ERROR}  # ML leads only


def _proposal(pk: int) -> ThresholdProposal:
    return get_object_or_404(ThresholdProposal.objects.select_related("proposed_by", "approved_by"), pk=pk)


class ThresholdChangeListView(APIView):
    permission_classes = [IsMlLead]

    @extend_schema(responses={200: ThresholdProposalSerializer(many=True), **CHANGE_DENIED}, summary="Threshold proposals, newest first")
    def get(self, request):
        qs = ThresholdProposal.objects.select_related("proposed_by", "approved_by").prefetch_related("events__actor")
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in ThresholdProposal.Status.values:
                return Response({"code": "invalid", "detail": f"Unknown status {wanted!r}."}, status=400)
            qs = qs.filter(status=wanted)
        return Response(ThresholdProposalSerializer(qs[:100], many=True).data)

    @extend_schema(request=ThresholdProposeSerializer, responses={201: ThresholdProposalSerializer, 400: CHANGE_ERROR,
                                                                   **CHANGE_DENIED},
                   summary="Propose new thresholds (the impact simulation runs at once and is returned)")
    def post(self, request):
        data = ThresholdProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        proposal = threshold_changes.do_propose(
            request.user, v["values"], v["reason"], canary_percent=v.get("canary_percent"),
            canary_hours=v.get("canary_hours"), hours=v.get("hours"))
        return Response(ThresholdProposalSerializer(_proposal(proposal.pk)).data, status=201)


class ThresholdChangeDetailView(APIView):
    permission_classes = [IsMlLead]

    @extend_schema(responses={200: ThresholdProposalSerializer, 404: ERROR, **CHANGE_DENIED},
                   summary="One threshold proposal")
    def get(self, request, pk: int):
        return Response(ThresholdProposalSerializer(_proposal(pk)).data)


class ThresholdChangeSimulateView(APIView):
    permission_classes = [IsMlLead]

    @extend_schema(request=ThresholdSimulateSerializer, responses={200: ThresholdProposalSerializer, 400: CHANGE_ERROR,
                                                                    404: ERROR, 409: CHANGE_ERROR, **CHANGE_DENIED},
                   summary="Run the impact simulation again (before approval)")
    def post(self, request, pk: int):
        data = ThresholdSimulateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        threshold_changes.do_simulate(_proposal(pk), request.user, hours=data.validated_data.get("hours"))
        return Response(ThresholdProposalSerializer(_proposal(pk)).data)


class ThresholdChangeApproveView(APIView):
    permission_classes = [permissions.IsAuthenticated]  # the action says why a non-ML-lead may not (403 + message)

    @extend_schema(request=ThresholdApproveSerializer, responses={200: ThresholdProposalSerializer, 400: CHANGE_ERROR,
                                                                   404: ERROR, 409: CHANGE_ERROR, **CHANGE_DENIED},
                   summary="Approve (another ML lead than the proposer); starts the canary")
    def post(self, request, pk: int):
        data = ThresholdApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _proposal(pk)
        threshold_changes.do_approve(pk, request.user, data.validated_data["acknowledgement"])
        return Response(ThresholdProposalSerializer(_proposal(pk)).data)


class ThresholdChangeRejectView(APIView):
    permission_classes = [IsMlLead]

    @extend_schema(request=ThresholdRejectSerializer, responses={200: ThresholdProposalSerializer, 400: CHANGE_ERROR,
                                                                  404: ERROR, 409: CHANGE_ERROR, **CHANGE_DENIED},
                   summary="Reject a proposal before its canary")
    def post(self, request, pk: int):
        data = ThresholdRejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _proposal(pk)
        threshold_changes.do_reject(pk, request.user, data.validated_data["reason"])
        return Response(ThresholdProposalSerializer(_proposal(pk)).data)
