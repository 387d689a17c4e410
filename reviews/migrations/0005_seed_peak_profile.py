"""Seed the peak-hour profile (REVIEW_PEAK_HOURS, 19–23 JST) so that it does something by default, and give the
ml_lead group the permissions of threshold change control.

In the evening peak the reviewers get the most drafts. The normal-risk, low-priority categories (P3/P4) send a few more
of their confident drafts straight out (auto ≥ 0.80 instead of 0.85); high-risk categories are never auto-relaxed and
the personal-data ones (order_status, account) keep their values. Rows someone already changed are left alone.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen copies: a migration must not change when the code's defaults later do.
PEAK = {"auto_respond_min": 0.80, "review_min": 0.50, "handoff_below": 0.30}
CATEGORIES = ("availability", "product_info", "rare_manga", "shipping", "recommendation", "general")
ML_LEAD_PERMISSIONS = ["reviews.view_thresholdproposal", "reviews.add_thresholdproposal",
                       "reviews.change_thresholdproposal", "reviews.view_thresholdproposalevent",
                       "reviews.view_knowngoodstate"]


def seed_peak(apps, schema_editor):
    Threshold = apps.get_model("reviews", "EscalationThreshold")
    Change = apps.get_model("reviews", "ThresholdChange")
    for threshold in Threshold.objects.filter(category__in=CATEGORIES, risk_class="normal",
                                              peak_auto_respond_min__isnull=True, auto_respond_min=0.85,
                                              review_min=0.50, handoff_below=0.30):
        after = {f"peak_{name}": value for name, value in PEAK.items()}
        Threshold.objects.filter(pk=threshold.pk).update(**after)
        Change.objects.create(threshold=threshold, category=threshold.category, source="migration",
                              before={name: None for name in after}, after=after,
                              reason="peak profile 19–23 JST seeded (issue 12)")


def unseed_peak(apps, schema_editor):
    Threshold = apps.get_model("reviews", "EscalationThreshold")
    Threshold.objects.filter(category__in=CATEGORIES, peak_auto_respond_min=PEAK["auto_respond_min"],
                             peak_review_min=PEAK["review_min"], peak_handoff_below=PEAK["handoff_below"]).update(
        peak_auto_respond_min=None, peak_review_min=None, peak_handoff_below=None)


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="ml_lead")
    for perm in ML_LEAD_PERMISSIONS:
        app_label, codename = perm.split(".")
        found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if found:
            group.permissions.add(found)
    # Live rows are not edited by hand any more: proposals are.
    stale = Permission.objects.filter(content_type__app_label="reviews", codename="change_escalationthreshold").first()
    if stale:
        group.permissions.remove(stale)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0004_threshold_proposals"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(seed_peak, unseed_peak),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
