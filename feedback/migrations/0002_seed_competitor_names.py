"""Seed the competitor blocklist with a few rival manga stores; staff edit it in the admin afterwards."""

from django.db import migrations

NAMES = ["MangaMart", "Otaku Books Direct", "KomikHaven", "Sakura Comics Online", "TokyoPanel Store", "まんがマート"]


def seed(apps, schema_editor):
    CompetitorName = apps.get_model("feedback", "CompetitorName")
    for name in NAMES:
        CompetitorName.objects.get_or_create(name=name)


def unseed(apps, schema_editor):
    apps.get_model("feedback", "CompetitorName").objects.filter(name__in=NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
