"""The search documents of records dated by a range, written anew: the pages now write a range
within one year as the documents do (2025年3月3日～5日, 3–5 March 2025), and a document holds
its record's date as the pages write it (defrel.search_index.spelled). Other documents are
unchanged."""
from importlib import import_module

from django.db import migrations
from django.db.models import Q

# The one way of building the documents of the records already there.
build_documents = import_module("defrel.migrations.0006_search_documents").build_documents
DATE = "date"  # a record's own date, or its milestones' (events__date): defrel.search_index.DATE


def dated_by_a_range(records, paths):
    ranges = Q(pk__in=[])
    for path in paths:
        if path.rpartition("__")[2] == DATE:  # an EDTF interval: 2025-03-03/2025-03-05
            ranges |= Q(**{f"{path}__contains": "/"})
    return records.filter(ranges)


def rebuild_ranges(apps, schema_editor):
    build_documents(apps, schema_editor, chosen=dated_by_a_range)


class Migration(migrations.Migration):

    dependencies = [
        ('defrel', '0012_search_index_compacted'),
        ('meetings', '0022_meeting_key_upper'),
        ('partners', '0006_history_names'),
    ]

    operations = [
        migrations.RunPython(rebuild_ranges, migrations.RunPython.noop, elidable=True),
    ]
