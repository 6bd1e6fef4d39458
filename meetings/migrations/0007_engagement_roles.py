"""Engagements join the editorial roles (meetings.0002_roles): editors add, change and delete
them, viewers look."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORIAL = {"meetings": ["engagement"]}


def grant(apps, schema_editor):
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
            for action in ["view", "add", "change", "delete"]:
                perm = Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
                editor.permissions.add(perm)
                if action == "view":
                    viewer.permissions.add(perm)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["editor", "viewer"]):
        group.permissions.remove(*Permission.objects.filter(
            content_type__app_label="meetings", codename__endswith="_engagement"))


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_engagement"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
