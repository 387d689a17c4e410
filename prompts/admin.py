from django.contrib import admin

from prompts.models import PromptVersion


@admin.register(PromptVersion)
class PromptVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "status", "created_by", "approved_by", "created_at", "activated_at")
    list_filter = ("name", "status")
    search_fields = ("text",)
    readonly_fields = ("created_at", "activated_at")
