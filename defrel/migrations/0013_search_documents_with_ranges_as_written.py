"""The search documents of records dated by a range, written anew: the pages now write a range
within one year as the documents do (2025年3月3日～5日, 3–5 March 2025), and a document holds
its record's date as the pages write it (defrel.search_index.spelled). Other documents are
unchanged."""
from importlib import import_module

from django.db import migrations
from django.db.models import Q

resolves = import_module("defrel.migrations.0006_search_documents").resolves


def rebuild_ranges(apps, schema_editor):
    from defrel import search_index

    using = schema_editor.connection.alias
    for model, paths in list(search_index.PATHS.items()):
        historical = apps.get_model(model._meta.label)
        usable = [path for path in paths if resolves(historical, path)]
        dated = [path for path in usable if path.rpartition("__")[2] == search_index.DATE]
        if not dated:
            continue
        ranges = Q()
        for path in dated:  # an EDTF interval: 2025-03-03/2025-03-05
            ranges |= Q(**{f"{path}__contains": "/"})
        ids = list(historical._base_manager.using(using).filter(ranges).values_list("pk", flat=True).distinct())
        search_index.rebuild(historical, ids, using, paths=usable)
    search_index.compact(using)


class Migration(migrations.Migration):

    dependencies = [
        ('defrel', '0012_search_index_compacted'),
        ('meetings', '0022_meeting_key_upper'),
        ('partners', '0006_history_names'),
    ]

    operations = [
        migrations.RunPython(rebuild_ranges, migrations.RunPython.noop, elidable=True),
    ]
