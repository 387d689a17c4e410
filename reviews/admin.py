"""Admin registrations for the review engine. Decisions are not made by editing rows here: the reviewer console
(built on reviews.decisions) does that, so task fields are read-only apart from notes."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin
from reviews import backpressure, simulation, threshold_changes
from reviews.models import (Alert, BulkApproval, CannedResponse, EscalationThreshold, KnownGoodState,
                            ReviewerAvailability, ReviewTask, ThresholdChange, ThresholdOverride, ThresholdProposal,
                            ThresholdProposalEvent)
from reviews.roles import is_ml_lead
from reviews.thresholds import live_values


@admin.register(EscalationThreshold)
class EscalationThresholdAdmin(ReadOnlyAdmin):
    """Live thresholds are read-only: a change is a ThresholdProposal (simulated, approved by a second ML lead,
    canaried), and going back is a KnownGoodState restore."""

    list_display = ["category", "risk_class", "priority", "auto_respond_min", "review_min", "handoff_below",
                    "peak_auto_respond_min", "peak_review_min", "peak_handoff_below", "updated_at"]
    list_filter = ["risk_class", "priority"]
    ordering = ["priority", "category"]
    fieldsets = [
        (None, {"fields": ["category", "risk_class", "priority"]}),
        (_("Thresholds"), {"fields": ["auto_respond_min", "review_min", "handoff_below"]}),
        (_("Peak profile (19:00–23:00 JST; all three or none)"),
         {"fields": ["peak_auto_respond_min", "peak_review_min", "peak_handoff_below"]}),
    ]


class ProposalForm(forms.ModelForm):
    values = forms.JSONField(help_text=_('{"category": {"auto_respond_min": 0.9}}; fields: auto_respond_min, '
                                         'review_min, handoff_below, peak_auto_respond_min, peak_review_min, '
                                         'peak_handoff_below; "all" stands for every category.'))

    class Meta:
        model = ThresholdProposal
        fields = ["values", "reason", "canary_percent", "canary_hours"]

    def clean(self):
        data = super().clean()
        if "values" in data:
            try:
                data["values"] = threshold_changes.check_values(threshold_changes.expand_all(data["values"]))
            except threshold_changes.ThresholdChangeError as exc:
                self.add_error("values", str(exc))
        return data


class ProposalEventInline(admin.TabularInline):
    model = ThresholdProposalEvent
    fields = ["at", "actor", "from_status", "to_status", "reason", "numbers"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ThresholdProposal)
class ThresholdProposalAdmin(admin.ModelAdmin):
    list_display = ["id", "status", "changed_categories", "proposed_by", "created_at", "escalation",
                    "approved_by", "canary_ends_at"]
    list_filter = ["status"]
    list_select_related = ["proposed_by", "approved_by"]
    inlines = [ProposalEventInline]
    change_form_template = "reviews/admin/thresholdproposal_change_form.html"
    readonly_fields = ["status", "values", "reason", "proposed_by", "created_at", "simulation_report",
                       "simulated_at", "load_acknowledgement", "approved_by", "approved_at", "canary_percent",
                       "canary_hours", "canary_started_at", "canary_ends_at", "canary_observed", "before",
                       "finished_at"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ProposalForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ProposalForm.Meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_add_permission(self, request):
        return is_ml_lead(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("categories"))
    def changed_categories(self, obj):
        return ", ".join(sorted(obj.values))

    @admin.display(description=_("escalation now → projected"))
    def escalation(self, obj):
        total = (obj.simulation or {}).get("changed_categories")
        if not total:
            return "–"
        return f"{total['escalation_now']:.1%} → {total['escalation_projected']:.1%}"

    @admin.display(description=_("impact simulation"))
    def simulation_report(self, obj):
        if not obj.simulation:
            return "–"
        return format_html("<pre style='font-size:.8rem'>{}</pre>", simulation.format_report(obj.simulation))

    @admin.display(description=_("canary observed"))
    def canary_observed(self, obj):
        if not obj.canary_started_at:
            return "–"
        observed = threshold_changes.canary_observed(obj)
        low, high = threshold_changes.canary_band(obj.simulation)
        rate = "–" if observed["rate"] is None else f"{observed['rate']:.1%}"
        return f"{observed['turns']} turns, escalation {rate} (band {low:.1%}–{high:.1%})"

    def save_model(self, request, obj, form, change):
        if change:  # nothing on a proposal is edited by hand
            return
        created = threshold_changes.do_propose(request.user, form.cleaned_data["values"], form.cleaned_data["reason"],
                                               canary_percent=form.cleaned_data.get("canary_percent"),
                                               canary_hours=form.cleaned_data.get("canary_hours"))
        obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        pass  # the events are written by the action module

    def get_urls(self):
        return [
            path("<int:pk>/approve/", self.admin_site.admin_view(self.approve_view),
                 name="reviews_thresholdproposal_approve"),
            path("<int:pk>/reject/", self.admin_site.admin_view(self.reject_view),
                 name="reviews_thresholdproposal_reject"),
            *super().get_urls(),
        ]

    def _act(self, request, pk, action, success):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:reviews_thresholdproposal_change", args=[pk]))
        try:
            action()
        except threshold_changes.ThresholdChangeError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:reviews_thresholdproposal_change", args=[pk]))

    def approve_view(self, request, pk):
        ack = request.POST.get("acknowledgement", "")
        return self._act(request, pk, lambda: threshold_changes.do_approve(pk, request.user, ack),
                         _("Approved: the canary starts now (or after the running one)."))

    def reject_view(self, request, pk):
        reason = request.POST.get("reason", "")
        return self._act(request, pk, lambda: threshold_changes.do_reject(pk, request.user, reason), _("Rejected."))


@admin.register(ThresholdProposalEvent)
class ThresholdProposalEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "proposal", "from_status", "to_status", "actor", "reason"]
    list_filter = ["to_status"]
    list_select_related = ["proposal", "actor"]


@admin.register(KnownGoodState)
class KnownGoodStateAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "label", "proposal", "is_live"]
    actions = ["restore"]

    @admin.display(description=_("live now"), boolean=True)
    def is_live(self, obj):
        live = live_values()
        return all(live.get(c) == v for c, v in obj.values.items())

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not is_ml_lead(request.user):
            actions.pop("restore", None)
        return actions

    @admin.action(description=_("Revert the live thresholds to the selected known-good state"))
    def restore(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one state to revert to."), messages.ERROR)
            return
        state = queryset.get()
        try:
            changed = threshold_changes.do_restore(state.pk, request.user, source_reason="admin revert")
        except threshold_changes.ThresholdChangeError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, _("Reverted to %(state)s: %(n)d categories changed.") % {"state": state,
                                                                                            "n": changed})


@admin.register(ThresholdChange)
class ThresholdChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "category", "source", "changed_by", "before", "after", "reason"]
    list_filter = ["source", "category"]
    date_hierarchy = "changed_at"


@admin.register(ThresholdOverride)
class ThresholdOverrideAdmin(admin.ModelAdmin):
    list_display = ["category", "auto_respond_min", "level", "reason", "created_at", "expires_at", "lifted_at"]
    list_filter = ["level", "category"]
    readonly_fields = ["category", "auto_respond_min", "level", "reason", "created_at", "expires_at", "lifted_at",
                       "lifted_reason"]
    actions = ["lift"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Lift the selected overrides now"))
    def lift(self, request, queryset):
        lifted = backpressure.do_lift_overrides(queryset.filter(lifted_at__isnull=True), request.user)
        self.message_user(request, ngettext("Lifted %(n)d override.", "Lifted %(n)d overrides.", lifted) % {"n": lifted})


@admin.register(ReviewTask)
class ReviewTaskAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "pool", "priority", "category", "confidence",
                    "created_at", "sla_deadline", "sla_breached", "claimed_by", "release_count", "decision",
                    "decided_by"]
    list_filter = ["status", "kind", "pool", "priority", "risk_class", "sla_breached", "category"]
    search_fields = ["draft_text", "edited_text", "message__text"]
    list_select_related = ["claimed_by", "decided_by"]
    raw_id_fields = ["message", "session", "parent", "answer"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ReviewTask._meta.fields if f.name not in ("notes",)]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        # The reviewer console and the operations dashboard (reviews/console.py) live under this admin's URLs.
        from reviews.console import console_urls

        return [*console_urls(self.admin_site), *super().get_urls()]


@admin.register(BulkApproval)
class BulkApprovalAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "approved_by", "min_confidence", "category", "count"]


@admin.register(ReviewerAvailability)
class ReviewerAvailabilityAdmin(admin.ModelAdmin):
    list_display = ["user", "checked_in", "checked_in_at", "checked_out_at", "last_activity_at"]
    list_filter = ["checked_in"]
    list_select_related = ["user"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["opened_at", "kind", "message", "value", "resolved_at", "emailed_at"]
    list_filter = ["kind", ("resolved_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["kind", "message", "value", "opened_at", "emailed_at"]
    actions = ["resolve"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Resolve the selected alerts"))
    def resolve(self, request, queryset):
        count = queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        self.message_user(request, gettext("Resolved %(n)s alerts.") % {"n": count})


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "locale", "category", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["locale", "category", "is_active"]
    search_fields = ["title", "text"]


# The admin index links to the reviewer console and the operations dashboard
# (reviews/templates/reviews/admin_index.html extends admin/index.html).
admin.site.index_template = "reviews/admin_index.html"
