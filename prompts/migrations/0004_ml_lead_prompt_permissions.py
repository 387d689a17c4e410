"""Give the ml_lead group (seeded by reviews' 0002, created here too if prompts migrates first) the prompt admin
permissions: add and edit drafts, read versions, history and freezes. Approval itself checks the group, not these."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ML_LEAD = "ml_lead"
PERMISSIONS = ["add_promptversion", "change_promptversion", "view_promptversion", "view_prompttransition",
               "view_promptfreeze"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("prompts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ML_LEAD)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="prompts", codename__in=PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("prompts", "0003_prompt_lifecycle"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
