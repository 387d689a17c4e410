"""Prompt versions over REST (/api/v1/prompts/…): staff with session or token auth; thin views over lifecycle.py.

Every refusal is JSON {code, detail} with the status lifecycle.PromptError carries (self-approval → 403)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import NotFound
from prompts import lifecycle
from prompts.models import PromptFreeze, PromptVersion

ERROR = inline_serializer("PromptError", {"code": serializers.CharField(), "detail": serializers.CharField(),
                                          "problems": serializers.ListField(child=serializers.CharField(),
                                                                            required=False)})
DENIED = {401: ERROR, 403: ERROR}  # every operation: staff only, and acting is for ML leads


class IsMlLead(permissions.BasePermission):
    message = "ML-lead access only."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated and request.user.is_staff)
        return lifecycle.is_ml_lead(request.user) and request.user.is_staff


class PromptVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = PromptVersion
        fields = ["id", "name", "version", "status", "text", "templates", "reason", "created_by", "created_at",
                  "proposed_at", "approved_by", "approved_at", "override_reason", "evaluation", "evaluated_at",
                  "canary_percent", "canary_started_at", "canary_until", "canary_extended", "canary_result",
                  "needs_decision", "activated_at", "ended_at"]
        read_only_fields = fields


class ProposeSerializer(serializers.Serializer):
    name = serializers.SlugField(max_length=64, default="answer")
    text = serializers.CharField(max_length=50_000, trim_whitespace=False)
    # trim_whitespace=False: a template's leading space joins it to the sentence before (" A member of our team…")
    templates = serializers.DictField(child=serializers.DictField(child=serializers.CharField(allow_blank=True,
                                                                                            trim_whitespace=False)))
    reason = serializers.CharField(max_length=4000)


class ApproveSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class RollbackSerializer(serializers.Serializer):
    name = serializers.SlugField(max_length=64, default="answer")
    to = serializers.IntegerField(required=False, help_text="version number to put back (default: the last retired)")
    reason = serializers.CharField(max_length=4000)


class FreezeSerializer(serializers.Serializer):
    frozen = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class FreezeStateSerializer(serializers.ModelSerializer):
    frozen_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PromptFreeze
        fields = ["id", "reason", "in_force", "frozen_by", "frozen_at", "lifted_at", "lift_reason"]


class PromptListView(APIView):
    permission_classes = [IsMlLead]

    @extend_schema(responses={200: PromptVersionSerializer(many=True), **DENIED}, summary="List prompt versions (newest first)")
    def get(self, request):
        versions = PromptVersion.objects.select_related("created_by", "approved_by").order_by("name", "-version")
        if request.query_params.get("name"):
            versions = versions.filter(name=request.query_params["name"])
        if request.query_params.get("status"):
            versions = versions.filter(status=request.query_params["status"])
        return Response(PromptVersionSerializer(versions[:200], many=True).data)

    @extend_schema(request=ProposeSerializer, responses={201: PromptVersionSerializer, 400: ERROR, **DENIED},
                   summary="Propose a version (validated; pending review when valid, nothing stored when not)")
    def post(self, request):
        data = ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = lifecycle.do_propose(author=request.user, **data.validated_data)
        return Response(PromptVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class PromptDetailView(APIView):
    permission_classes = [IsMlLead]

    @extend_schema(responses={200: PromptVersionSerializer, 404: ERROR, **DENIED}, summary="One prompt version")
    def get(self, request, pk):
        return Response(PromptVersionSerializer(get_object_or_404(PromptVersion, pk=pk)).data)


class ApproveView(APIView):
    permission_classes = [IsMlLead]

    @extend_schema(request=ApproveSerializer, responses={200: PromptVersionSerializer, 400: ERROR, 404: ERROR, 409: ERROR, **DENIED},
                   summary="Approve (a second ML lead, not the author); starts the canary unless frozen")
    def post(self, request, pk):
        version = get_object_or_404(PromptVersion, pk=pk)
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = lifecycle.do_approve(version, request.user, **data.validated_data)
        return Response(PromptVersionSerializer(version).data)


class RejectView(APIView):
    permission_classes = [IsMlLead]

    @extend_schema(request=ReasonSerializer, responses={200: PromptVersionSerializer, 400: ERROR, 404: ERROR, 409: ERROR,
                                                                   **DENIED},
                   summary="Reject with a reason")
    def post(self, request, pk):
        version = get_object_or_404(PromptVersion, pk=pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = lifecycle.do_reject(version, request.user, data.validated_data["reason"])
        return Response(PromptVersionSerializer(version).data)


class RollbackView(APIView):
    permission_classes = [IsMlLead]

    @extend_schema(request=RollbackSerializer, responses={200: PromptVersionSerializer, 400: ERROR, 409: ERROR, **DENIED},
                   summary="Put the previous live version back (every process within about a second)")
    def post(self, request):
        data = RollbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        name, to = data.validated_data["name"], data.validated_data.get("to")
        target = None
        if to is not None:
            target = PromptVersion.objects.filter(name=name, version=to).first()
            if target is None:
                raise NotFound(f"no prompt version {name} v{to}")
        _old, new = lifecycle.do_rollback(name, request.user, data.validated_data["reason"], target)
        return Response(PromptVersionSerializer(new).data)


class FreezeView(APIView):
    permission_classes = [IsMlLead]

    @extend_schema(request=FreezeSerializer, responses={200: FreezeStateSerializer, 204: OpenApiResponse(),
                                                        400: ERROR, **DENIED},
                   summary="Freeze (no promotion, no canary start) or lift the freeze")
    def post(self, request):
        data = FreezeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["frozen"]:
            freeze = lifecycle.do_freeze(request.user, data.validated_data["reason"])
        else:
            freeze = lifecycle.do_lift_freeze(request.user, data.validated_data["reason"])
        if freeze is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(FreezeStateSerializer(freeze).data)
