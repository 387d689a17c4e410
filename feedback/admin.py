from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feedback import quarantine, satisfaction
from feedback.models import AuditReport, CompetitorName, Feedback, QuarantineEvent
from common.admin import ReadOnlyAdmin


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=1000,
                             help_text=_("Recorded in the quarantine log with your name and the time."))


class QuarantineEventInline(admin.TabularInline):
    model = QuarantineEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "actor_label", "reason", "before", "after", "audit_report"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    change_list_template = "admin/feedback/feedback/change_list.html"
    list_display = ["id", "created_at", "kind", "value", "topic_category", "prompt_version", "provenance_score",
                    "trusted", "quarantined", "message_ref", "session_ref", "customer_ref"]
    list_filter = ["kind", "value", "quarantined", "topic_category", "created_at"]
    search_fields = ["=id", "text", "quarantine_reason"]
    list_select_related = ["prompt_version"]
    raw_id_fields = ["message", "session", "customer", "prompt_version"]
    actions = ["quarantine_selected", "release_selected"]
    inlines = [QuarantineEventInline]
    show_full_result_count = False  # no COUNT(*) over millions of rows on every page
    # Feedback is evidence: staff quarantine or release it (audited), they do not edit it.
    readonly_fields = [f.name for f in Feedback._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description=_("trusted"))
    def trusted(self, obj):
        return obj.is_trusted

    # The ids, not the rows' names: a name would cost a query per row on a table of millions.
    @admin.display(description=_("message"), ordering="message_id")
    def message_ref(self, obj):
        return obj.message_id

    @admin.display(description=_("session"), ordering="session_id")
    def session_ref(self, obj):
        return obj.session_id

    @admin.display(description=_("customer"), ordering="customer_id")
    def customer_ref(self, obj):
        return obj.customer_id

    def _reason_action(self, request, queryset, title, do, done):
        """An intermediate page asking for the reason, then the action on the selected rows."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            count = do(list(queryset.values_list("pk", flat=True)), form.cleaned_data["reason"], actor=request.user)
            self.message_user(request, done % {"n": count}, messages.SUCCESS)
            return None
        return TemplateResponse(request, "admin/action_reason.html", {
            **self.admin_site.each_context(request), "title": title, "form": form, "queryset": queryset,
            "action": request.POST.get("action"), "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "intro": gettext("%(n)s feedback selected. Give the reason; it is recorded with your name, the time, "
                             "and the state before and after.") % {"n": queryset.count()},
            "cancel_url": reverse("admin:feedback_feedback_changelist"),
        })

    @admin.action(description=_("Quarantine selected feedback…"), permissions=["change"])
    def quarantine_selected(self, request, queryset):
        return self._reason_action(request, queryset, gettext("Quarantine feedback"), quarantine.do_quarantine,
                                   gettext("%(n)s feedback quarantined."))

    @admin.action(description=_("Release selected feedback from quarantine…"), permissions=["change"])
    def release_selected(self, request, queryset):
        return self._reason_action(request, queryset, gettext("Release feedback"), quarantine.do_release,
                                   gettext("%(n)s feedback released."))

    def get_urls(self):
        return [path("satisfaction/", self.admin_site.admin_view(self.satisfaction_view),
                     name="feedback_feedback_satisfaction"), *super().get_urls()]

    def satisfaction_view(self, request):
        """Positive rate per category and per prompt version, trusted thumbs only (who may view feedback)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return TemplateResponse(request, "admin/feedback/feedback/satisfaction.html", {
            **self.admin_site.each_context(request), "title": gettext("Satisfaction (trusted feedback only)"),
            "opts": self.model._meta, "by_category": satisfaction.by_category(),
            "by_prompt_version": satisfaction.by_prompt_version(),
            "changelist_url": reverse("admin:feedback_feedback_changelist"),
        })


@admin.register(CompetitorName)
class CompetitorNameAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "created_at"]
    list_editable = ["active"]
    search_fields = ["name"]


@admin.register(QuarantineEvent)
class QuarantineEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "feedback_ref", "actor_label", "reason", "audit_report"]
    list_filter = ["action", "actor_label"]
    readonly_fields = [f.name for f in QuarantineEvent._meta.fields]

    @admin.display(description=_("feedback"), ordering="feedback_id")
    def feedback_ref(self, obj):
        return obj.feedback_id


@admin.register(AuditReport)
class AuditReportAdmin(admin.ModelAdmin):
    list_display = ["started_at", "kind", "alert", "summary", "finished_at"]
    list_filter = ["kind", "alert"]
    readonly_fields = [f.name for f in AuditReport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
