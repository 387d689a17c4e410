"""Every label the admin shows for the project's models reads in Japanese when Japanese is active.

The test walks every model registered in the admin by one of the project's apps: the app's name, the model's names,
each field's name and help text, each choice's label, and the admin's own column headers, filter titles and action names. A label
counts as translated when the Japanese text differs from the English one; the few that are the same on purpose are
listed in SAME_IN_BOTH. A new field or column added without a Japanese translation fails here.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.utils import translation

PROJECT_APPS = {"catalog", "prompts", "chat", "reviews", "feedback", "axes"}  # axes: translated in locale/
# Identical in both languages by choice: identifiers, priorities, and languages named in their own language.
SAME_IN_BOTH = {"ID", "P1", "P2", "P3", "P4", "API", "English", "日本語"}


def in_both(value) -> tuple[str, str]:
    with translation.override("en"):
        english = str(value)
    with translation.override("ja"):
        japanese = str(value)
    return english, japanese


def untranslated(where: str, value) -> list[str]:
    english, japanese = in_both(value)
    if english == japanese and english not in SAME_IN_BOTH:
        return [f"{where}: {english!r}"]
    return []


def project_admins():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in PROJECT_APPS]


def test_it_covers_every_project_app():
    assert {model._meta.app_label for model, _ in project_admins()} == PROJECT_APPS


def test_it_names_every_admin_model_field_and_choice_in_japanese():
    missing = []
    for model, _ in project_admins():
        meta = model._meta
        missing += untranslated(f"app {meta.app_label}", meta.app_config.verbose_name)
        missing += untranslated(f"{meta.label} verbose_name", meta.verbose_name)
        missing += untranslated(f"{meta.label} verbose_name_plural", meta.verbose_name_plural)
        for field in meta.get_fields():
            if field.auto_created and not field.concrete:
                continue  # reverse relations carry the other model's name
            missing += untranslated(f"{meta.label}.{field.name}", field.verbose_name)
            if getattr(field, "help_text", ""):
                missing += untranslated(f"{meta.label}.{field.name} help text", field.help_text)
            for value, choice_label in field.flatchoices or ():
                missing += untranslated(f"{meta.label}.{field.name}={value}", choice_label)
    assert missing == []


@pytest.mark.django_db
def test_it_heads_every_admin_column_filter_and_action_in_japanese(rf, admin_user):
    request = rf.get("/admin/")
    request.user = admin_user
    missing = []
    for model, model_admin in project_admins():
        label = model._meta.label
        for name in model_admin.get_list_display(request):
            if name == "__str__":
                continue
            missing += untranslated(f"{label} column {name}", label_for_field(name, model, model_admin))
        for entry in model_admin.get_list_filter(request):
            if isinstance(entry, str):
                continue  # a field: its verbose_name, checked above
            field_or_filter = entry[1] if isinstance(entry, tuple) else entry
            title = getattr(field_or_filter, "title", None)
            if title is not None:
                missing += untranslated(f"{label} filter {field_or_filter.__name__}", title)
        for name, (_, _, description) in model_admin.get_actions(request).items():
            missing += untranslated(f"{label} action {name}", description)
    assert missing == []


def test_it_shows_a_translated_label_in_japanese():
    from reviews.models import ReviewTask

    with translation.override("ja"):
        assert str(ReviewTask._meta.verbose_name) == "レビュータスク"
        assert str(ReviewTask.Status.PENDING.label) == "待機中"
        assert str(ReviewTask._meta.get_field("sla_deadline").verbose_name) == "SLA期限"
