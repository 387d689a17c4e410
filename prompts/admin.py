"""Prompt versions in the admin: drafts are edited here; anything proposed is read-only. Approval happens on the
review page (a side-by-side diff against the live version, the evaluation, approve / reject with a reason).
Rollback and freeze are admin actions asking for a reason. History and freezes are read-only."""

import difflib
import json

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin
from prompts import lifecycle
from prompts.models import PromptFreeze, PromptTransition, PromptVersion

CONTENT = ("name", "text", "templates", "reason")


def content_lines(version: PromptVersion | None) -> list[str]:
    """A version as lines for the diff: the system prompt, then every template as `key [language]: text`."""
    if version is None:
        return []
    lines = ["# system prompt", *version.text.splitlines(), "", "# answer templates"]
    for key in sorted(version.templates):
        for language, text in sorted(version.templates[key].items()):
            lines.append(f"{key} [{language}]: {text}")
    return lines


def side_by_side(live: PromptVersion | None, candidate: PromptVersion) -> str:
    """difflib's HtmlDiff table (live on the left, candidate on the right), changed lines with context."""
    return difflib.HtmlDiff(wrapcolumn=70).make_table(
        content_lines(live), content_lines(candidate), str(live) if live else _("no live version"), str(candidate),
        context=True, numlines=2)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=4000)


class ApproveForm(forms.Form):
    override_reason = forms.CharField(label=_("Override (required when the evaluation got worse)"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), max_length=4000)


class PromptTransitionInline(admin.TabularInline):
    model = PromptTransition
    fields = readonly_fields = ["at", "from_status", "to_status", "actor", "actor_label", "reason", "numbers"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PromptVersion)
class PromptVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "status", "created_by", "approved_by", "evaluated_at", "canary_until",
                    "needs_decision", "review_link")
    list_filter = ("name", "status", "needs_decision")
    search_fields = ("text", "reason")
    inlines = [PromptTransitionInline]
    actions = ["submit_for_review", "roll_back", "freeze", "lift_freeze"]

    def get_readonly_fields(self, request, obj=None):
        every = [f.name for f in PromptVersion._meta.fields if f.name != "id"] + ["review_link"]
        if obj is None or obj.status == PromptVersion.Status.DRAFT:
            return [f for f in every if f not in CONTENT]
        return every  # proposed: immutable (the model refuses too)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            created = lifecycle.do_create(obj.name, obj.text, obj.templates, request.user, obj.reason)
            obj.pk, obj.version = created.pk, created.version
            obj.refresh_from_db()
        else:
            obj.save()

    @admin.display(description=_("review"))
    def review_link(self, obj):
        if obj.pk is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:prompts_promptversion_review", args=[obj.pk]),
                           _("diff, evaluation, decision"))

    def get_urls(self):
        return [path("<int:pk>/review/", self.admin_site.admin_view(self.review_view),
                     name="prompts_promptversion_review"), *super().get_urls()]

    def review_view(self, request, pk):
        version = get_object_or_404(PromptVersion, pk=pk)
        approve_form, reject_form = ApproveForm(), ReasonForm()
        if request.method == "POST":
            try:
                if "approve" in request.POST:
                    approve_form = ApproveForm(request.POST)
                    if approve_form.is_valid():
                        lifecycle.do_approve(version, request.user, approve_form.cleaned_data["override_reason"])
                        self.message_user(request, _("%(v)s approved") % {"v": version}, messages.SUCCESS)
                        return redirect(request.path)
                elif "reject" in request.POST:
                    reject_form = ReasonForm(request.POST)
                    if reject_form.is_valid():
                        lifecycle.do_reject(version, request.user, reject_form.cleaned_data["reason"])
                        self.message_user(request, _("%(v)s rejected") % {"v": version}, messages.SUCCESS)
                        return redirect(request.path)
            except lifecycle.PromptError as exc:
                self.message_user(request, exc.detail, messages.ERROR)
            version.refresh_from_db()
        live = PromptVersion.active(version.name)
        evaluation = version.evaluation or {}
        rows = [(m, evaluation.get("candidate", {}).get(m), evaluation.get("live", {}).get(m),
                 evaluation.get("difference", {}).get(m)) for m in lifecycle.EVALUATION_METRICS]
        return TemplateResponse(request, "admin/prompts/review.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "version": version, "live": live,
            "title": _("Review %(v)s") % {"v": version},
            "diff": side_by_side(live if live and live.pk != version.pk else None, version),
            "evaluation_rows": rows, "regressions": lifecycle.regressions(version),
            "canary_result": json.dumps(version.canary_result, indent=1, ensure_ascii=False) if version.canary_result else "",
            "can_decide": version.status == PromptVersion.Status.PENDING,
            "approve_form": approve_form, "reject_form": reject_form,
            "history": version.transitions.select_related("actor"),
        })

    def _with_reason(self, request, queryset, title, act):
        """An intermediate page asking for the reason, then the action."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                self.message_user(request, act(form.cleaned_data["reason"]), messages.SUCCESS)
            except lifecycle.PromptError as exc:
                self.message_user(request, exc.detail, messages.ERROR)
            return None
        return TemplateResponse(request, "admin/action_reason.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": title, "form": form,
            "queryset": queryset, "action": request.POST.get("action"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "intro": _("Give the reason; it is recorded with your name, the time, and the states before and after."),
            "cancel_url": reverse("admin:prompts_promptversion_changelist")})

    @admin.action(description=_("Submit the selected drafts for review (validated)"))
    def submit_for_review(self, request, queryset):
        for version in queryset.filter(status=PromptVersion.Status.DRAFT):
            try:
                lifecycle.do_submit(version, request.user)
                self.message_user(request, _("%(v)s is pending review") % {"v": version}, messages.SUCCESS)
            except lifecycle.PromptError as exc:
                self.message_user(request, f"{version}: {exc.detail}", messages.ERROR)

    @admin.action(description=_("Roll back: put the previous live version of the selected prompt names back"))
    def roll_back(self, request, queryset):
        names = sorted(set(queryset.values_list("name", flat=True)))

        def act(reason):
            done = [f"{name} → v{lifecycle.do_rollback(name, request.user, reason)[1].version}" for name in names]
            return _("rolled back: %(done)s") % {"done": ", ".join(done)}
        return self._with_reason(request, queryset, _("Roll back %(names)s") % {"names": ", ".join(names)}, act)

    @admin.action(description=_("Freeze prompt changes (no promotion, no canary start)"))
    def freeze(self, request, queryset):
        return self._with_reason(request, queryset, _("Freeze prompt changes"),
                                 lambda reason: str(lifecycle.do_freeze(request.user, reason)))

    @admin.action(description=_("Lift the prompt freeze"))
    def lift_freeze(self, request, queryset):
        freeze = lifecycle.do_lift_freeze(request.user, _("lifted in the admin"))
        self.message_user(request, _("freeze lifted") if freeze else _("no freeze was in force"), messages.SUCCESS)


@admin.register(PromptTransition)
class PromptTransitionAdmin(ReadOnlyAdmin):
    list_display = ("at", "version", "from_status", "to_status", "actor", "actor_label", "reason")
    list_filter = ("to_status", "version__name")
    list_select_related = ("version", "actor")


@admin.register(PromptFreeze)
class PromptFreezeAdmin(ReadOnlyAdmin):
    list_display = ("frozen_at", "reason", "in_force", "frozen_by", "lifted_at", "lifted_by", "lift_reason")
