"""A partner's stamp became two, its agreements' and its other records' (defrel.stamp.partner:
``partner:<pk>:agreements``, ``partner:<pk>:records``). The stamps of the old form,
``partner:<pk>`` and ``partner:*``, are read by nothing now, but every public request reads
every stamp row: they go. A page cached under them was keyed by their tokens and is not read
again either."""
import re

from django.db import migrations

OLD_FORM = re.compile(r"partner:[^:]+")


def remove_old_partner_stamps(apps, schema_editor):
    stamps = apps.get_model("defrel", "DataStamp").objects.using(schema_editor.connection.alias)
    old = [scope for scope in stamps.filter(scope__startswith="partner:").values_list("scope", flat=True)
           if OLD_FORM.fullmatch(scope)]
    stamps.filter(scope__in=old).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("defrel", "0008_planner_settings"),
    ]

    operations = [
        migrations.RunPython(remove_old_partner_stamps, migrations.RunPython.noop, elidable=True),
    ]
