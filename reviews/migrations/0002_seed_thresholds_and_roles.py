"""Seed DESIGN.md's default thresholds (recorded as ThresholdChange) and the reviewer/senior/ml_lead/ops groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen copies: a migration must not change when the code's defaults later do.
HIGH, NORMAL = "high", "normal"
DEFAULTS = {
    "refund": (HIGH, 1), "payment": (HIGH, 1), "complaint": (HIGH, 2), "legal": (HIGH, 2),
    "order_status": (NORMAL, 2), "account": (NORMAL, 2), "availability": (NORMAL, 3), "product_info": (NORMAL, 3),
    "rare_manga": (NORMAL, 3), "shipping": (NORMAL, 3), "recommendation": (NORMAL, 4), "general": (NORMAL, 4),
}
GROUP_PERMISSIONS = {
    "reviewer": ["reviews.view_reviewtask", "reviews.change_reviewtask", "reviews.view_escalationthreshold",
                 "reviews.view_revieweravailability", "chat.view_message", "chat.view_chatsession"],
    "senior": ["reviews.view_reviewtask", "reviews.change_reviewtask", "reviews.bulk_approve_reviewtask",
               "reviews.view_bulkapproval", "reviews.view_escalationthreshold", "reviews.view_thresholdchange",
               "reviews.view_thresholdoverride", "reviews.view_revieweravailability", "reviews.view_alert",
               "chat.view_message", "chat.view_chatsession"],
    "ml_lead": ["reviews.view_escalationthreshold", "reviews.change_escalationthreshold",
                "reviews.view_thresholdchange", "reviews.view_thresholdoverride", "reviews.change_thresholdoverride",
                "reviews.view_reviewtask", "reviews.view_bulkapproval", "reviews.view_alert"],
    "ops": ["reviews.view_reviewtask", "reviews.view_alert", "reviews.change_alert",
            "reviews.view_revieweravailability", "reviews.view_thresholdoverride", "reviews.view_thresholdchange",
            "reviews.view_escalationthreshold"],
}


def seed_thresholds(apps, schema_editor):
    Threshold = apps.get_model("reviews", "EscalationThreshold")
    Change = apps.get_model("reviews", "ThresholdChange")
    for category, (risk, priority) in DEFAULTS.items():
        values = {"risk_class": risk, "priority": priority, "auto_respond_min": 0.95 if risk == HIGH else 0.85,
                  "review_min": 0.50, "handoff_below": 0.30}
        threshold, created = Threshold.objects.get_or_create(category=category, defaults=values)
        if created:
            Change.objects.create(threshold=threshold, category=category, source="migration", before={},
                                  after=values, reason="DESIGN.md defaults")


def seed_groups(apps, schema_editor):
    # Permissions are normally created after migrate; create them now so the groups can be given theirs.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found:
                group.permissions.add(found)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("chat", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_thresholds, migrations.RunPython.noop),
        migrations.RunPython(seed_groups, migrations.RunPython.noop),
    ]
