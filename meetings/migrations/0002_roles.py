"""The two editorial roles: editors change everything but cannot delete countries or touch
users; viewers may only look."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORIAL = {
    "defrel": ["source"],
    "partners": ["country", "official", "position", "tenure"],
    "meetings": ["occasion", "meeting", "participation", "agreement", "agreementevent", "exercise"],
}
NO_DELETE = {"country"}


def create_roles(apps, schema_editor):
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="editor")
    viewer, _ = Group.objects.get_or_create(name="viewer")
    for app_label, models in EDITORIAL.items():
        for model in models:
            actions = ["view", "add", "change"] + ([] if model in NO_DELETE else ["delete"])
            for action in actions:
                perm = Permission.objects.get(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                )
                editor.permissions.add(perm)
                if action == "view":
                    viewer.permissions.add(perm)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["editor", "viewer"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("defrel", "0001_initial"),
        ("partners", "0001_initial"),
        ("meetings", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
