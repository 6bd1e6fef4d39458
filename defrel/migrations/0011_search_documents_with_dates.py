"""The search documents again, now that they hold each record's date as the pages write it
(defrel.search_index.spelled): a database loaded before finds its records by 2024年5月 too."""
from importlib import import_module

from django.db import migrations

# The one way of building the documents of the records already there.
build_documents = import_module("defrel.migrations.0006_search_documents").build_documents


class Migration(migrations.Migration):

    dependencies = [
        ('defrel', '0010_history_names'),
        ('meetings', '0021_documents_signed_not_in_force'),
        ('partners', '0006_history_names'),
    ]

    operations = [
        migrations.RunPython(build_documents, migrations.RunPython.noop, elidable=True),
    ]
