"""Chat sessions and messages in the admin: read-mostly, for support staff looking into a conversation.

Messages are the record of what a customer was told, so the admin never edits or deletes them; a session can be
unblocked (or blocked) by editing blocked_until.
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import ChatSession, Message


class MessageInline(admin.TabularInline):
    model = Message
    fk_name = "session"
    fields = ("id", "created_at", "role", "kind", "status", "category", "confidence", "text", "reply_to",
              "answered_at", "answer_deadline", "seen_at")
    readonly_fields = fields
    can_delete = False
    extra = 0
    show_change_link = True
    ordering = ("-id",)

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # A 200-turn session stays one page: the latest messages, newest first.
        return super().get_queryset(request).select_related("reply_to")


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin):
    list_display = ("public_id", "customer", "locale", "created_at", "last_activity_at", "blocked", "previous")
    list_filter = ("locale",)
    search_fields = ("public_id", "customer__email", "customer__external_id")
    date_hierarchy = "created_at"
    raw_id_fields = ("customer", "previous")
    readonly_fields = ("public_id", "created_at", "last_activity_at", "state_version", "pinned_intent", "summary",
                       "summary_upto_id", "cost_usd")
    fields = ("public_id", "customer", "locale", "blocked_until", *readonly_fields[1:], "previous")
    inlines = [MessageInline]

    @admin.display(boolean=True, description=_("blocked"))
    def blocked(self, obj):
        return obj.is_blocked()


class OverdueFilter(admin.SimpleListFilter):
    title = _("answer owed")
    parameter_name = "promise"

    def lookups(self, request, model_admin):
        return [("overdue", _("past deadline, no final answer")), ("open", _("awaiting a final answer"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset & Message.open_promises(timezone.now())
        if self.value() == "open":
            return queryset.filter(role=Message.Role.USER, answered_at__isnull=True)
        return queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "session", "role", "kind", "status", "category", "short_text", "created_at", "answered_at",
                    "answer_deadline")
    list_filter = (OverdueFilter, "role", "kind", "status", "category")
    search_fields = ("text", "client_id", "correlation_id", "session__public_id")
    list_select_related = ("session",)
    date_hierarchy = "created_at"
    show_full_result_count = False  # the table grows without bound; counting it on every page is wasted work

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return obj.text[:80]
