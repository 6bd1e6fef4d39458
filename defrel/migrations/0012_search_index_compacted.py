"""The SQLite full-text index merged into one piece: a database that ran 0011 (every document
written anew) kept it in pieces, and its searches took half as long again until merged
(defrel.search_index.compact). Nothing to do on PostgreSQL."""
from django.db import migrations


def compact(apps, schema_editor):
    from defrel import search_index

    search_index.compact(schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('defrel', '0011_search_documents_with_dates'),
    ]

    operations = [
        migrations.RunPython(compact, migrations.RunPython.noop, elidable=True),
    ]
