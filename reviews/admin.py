"""Admin registrations for the review engine. Decisions are not made by editing rows here: the reviewer console
(built on reviews.decisions) does that, so task fields are read-only apart from notes."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reviews.labels import category_label, label

from mangaassist.admin import ReadOnlyAdmin
from reviews.models import (Alert, BulkApproval, CannedResponse, EscalationThreshold, ReviewerAvailability,
                            ReviewTask, ThresholdChange, ThresholdOverride)


@admin.register(EscalationThreshold)
class EscalationThresholdAdmin(admin.ModelAdmin):
    list_display = ["category", "risk_class", "priority", "auto_respond_min", "review_min", "handoff_below",
                    "peak_auto_respond_min", "peak_review_min", "peak_handoff_below", "updated_at"]
    list_filter = ["risk_class", "priority"]
    ordering = ["priority", "category"]
    fieldsets = [
        (None, {"fields": ["category", "risk_class", "priority"]}),
        ("Thresholds", {"fields": ["auto_respond_min", "review_min", "handoff_below"]}),
        ("Peak profile (19:00–23:00 JST; all three or none)",
         {"fields": ["peak_auto_respond_min", "peak_review_min", "peak_handoff_below"]}),
    ]

    def save_model(self, request, obj, form, change):
        # The ThresholdChange signal records who made the edit.
        obj._changed_by = request.user
        obj._change_source = ThresholdChange.Source.ADMIN
        super().save_model(request, obj, form, change)


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

    @admin.action(description="Lift the selected overrides now")
    def lift(self, request, queryset):
        lifted = queryset.filter(lifted_at__isnull=True).update(lifted_at=timezone.now(),
                                                                lifted_reason=f"lifted by {request.user}")
        from reviews.thresholds import bump_version

        bump_version()
        self.message_user(request, f"Lifted {lifted} override(s).")


class TranslatedChoices:
    """Columns showing a choice field's label in the reader's language (the models' TextChoices labels are English
    words made from their values; reviews/labels.py translates them)."""

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj):
        return label(obj.get_kind_display())

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return label(obj.get_status_display())

    @admin.display(description=_("pool"), ordering="pool")
    def pool_label(self, obj):
        return label(obj.get_pool_display())

    @admin.display(description=_("category"), ordering="category")
    def category_name(self, obj):
        return category_label(obj.category)


@admin.register(ReviewTask)
class ReviewTaskAdmin(TranslatedChoices, admin.ModelAdmin):
    list_display = ["id", "kind_label", "status_label", "pool_label", "priority", "category_name", "confidence",
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
    list_display = ["opened_at", "kind_label", "message", "value", "resolved_at", "emailed_at"]

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj):
        return label(obj.get_kind_display())

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
    list_display = ["title", "locale", "category_name", "position", "is_active"]

    @admin.display(description=_("category"), ordering="category")
    def category_name(self, obj):
        return category_label(obj.category) if obj.category else "—"

    list_editable = ["position", "is_active"]
    list_filter = ["locale", "category", "is_active"]
    search_fields = ["title", "text"]


# The admin index links to the reviewer console and the operations dashboard
# (reviews/templates/reviews/admin_index.html extends admin/index.html).
admin.site.index_template = "reviews/admin_index.html"
