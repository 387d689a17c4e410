"""Give the ops, senior and ML-lead groups what their work needs (feedback, audit reports, quarantine events,
canned responses, prompt versions, customers and orders): before this only a superuser could see those pages.

Frozen copy of reviews.roles.GROUP_PERMISSIONS at the time of writing (a migration must not change when the code
does). Additive: permissions granted by hand are kept."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

_STORE = ["catalog.view_manga", "catalog.view_product", "catalog.view_faqentry"]
_CUSTOMERS = ["catalog.view_customer", "catalog.view_order"]
_CHAT = ["chat.view_message", "chat.view_chatsession"]
_REVIEW = ["reviews.view_reviewtask", "reviews.change_reviewtask", "reviews.view_escalationthreshold",
           "reviews.view_revieweravailability", "reviews.view_cannedresponse"]
_FEEDBACK_READ = ["feedback.view_feedback", "feedback.view_auditreport", "feedback.view_quarantineevent"]
GRANTS = {
    "reviewer": [*_REVIEW, *_CHAT, *_STORE, *_CUSTOMERS],
    "senior": [*_REVIEW, *_CHAT, *_STORE, *_CUSTOMERS, "reviews.bulk_approve_reviewtask", "reviews.view_bulkapproval",
               "reviews.view_thresholdchange", "reviews.view_thresholdoverride", "reviews.view_alert",
               "reviews.add_cannedresponse", "reviews.change_cannedresponse", *_FEEDBACK_READ],
    "ml_lead": ["reviews.view_escalationthreshold", "reviews.view_thresholdproposal", "reviews.add_thresholdproposal",
                "reviews.change_thresholdproposal", "reviews.view_thresholdproposalevent", "reviews.view_knowngoodstate",
                "reviews.view_thresholdchange", "reviews.view_thresholdoverride", "reviews.change_thresholdoverride",
                "reviews.view_reviewtask", "reviews.view_bulkapproval", "reviews.view_alert",
                "reviews.view_cannedresponse", *_CHAT, *_STORE,
                *_FEEDBACK_READ, "feedback.change_feedback", "feedback.view_competitorname",
                "feedback.add_competitorname", "feedback.change_competitorname",
                "prompts.view_promptversion", "prompts.add_promptversion", "prompts.change_promptversion",
                "prompts.view_prompttransition", "prompts.view_promptfreeze"],
    "ops": ["reviews.view_reviewtask", "reviews.view_alert", "reviews.change_alert", "reviews.view_revieweravailability",
            "reviews.view_thresholdoverride", "reviews.view_thresholdchange", "reviews.view_escalationthreshold",
            "reviews.view_bulkapproval", "reviews.view_cannedresponse", "reviews.add_cannedresponse",
            "reviews.change_cannedresponse", "reviews.delete_cannedresponse", *_CHAT, "chat.change_chatsession",
            *_STORE, *_CUSTOMERS, *_FEEDBACK_READ, "feedback.view_competitorname", "prompts.view_promptversion",
            "reviews.view_thresholdproposal", "reviews.view_thresholdproposalevent", "reviews.view_knowngoodstate",
            "prompts.view_prompttransition", "prompts.view_promptfreeze"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found:
                group.permissions.add(found)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0005_seed_peak_profile"),
        ("feedback", "0001_initial"),
        ("prompts", "0004_ml_lead_prompt_permissions"),
        ("catalog", "0001_initial"),
        ("chat", "0004_session_contact_email"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
