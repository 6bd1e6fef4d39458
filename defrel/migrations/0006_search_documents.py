"""The search documents (defrel.search), their text index and the documents of the records
already there."""
from django.core.exceptions import FieldDoesNotExist
from django.db import migrations, models

from defrel.vendor_sql import by_vendor

TABLE = "defrel_searchdocument"
SQLITE = [
    # Trigram FTS5 over the documents' text, its content read from the table itself and kept
    # in step by triggers, so that every write of a document (or a restore's copy) is indexed.
    f"CREATE VIRTUAL TABLE {TABLE}_fts USING fts5(text, content='{TABLE}', content_rowid='id', "
    "tokenize='trigram')",
    f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {TABLE}_fts(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {TABLE}_fts({TABLE}_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER {TABLE}_au AFTER UPDATE ON {TABLE} BEGIN "
    f"INSERT INTO {TABLE}_fts({TABLE}_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    f"INSERT INTO {TABLE}_fts(rowid, text) VALUES (new.id, new.text); END",
]
SQLITE_REVERSE = [f"DROP TRIGGER {TABLE}_au", f"DROP TRIGGER {TABLE}_ad", f"DROP TRIGGER {TABLE}_ai",
                  f"DROP TABLE {TABLE}_fts"]
POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX {TABLE}_trgm ON {TABLE} USING gin (text gin_trgm_ops)",
]
POSTGRESQL_REVERSE = [f"DROP INDEX {TABLE}_trgm"]  # the extension may serve others


def resolves(model, path):
    for name in path.split("__")[:-1]:
        try:
            model = model._meta.get_field(name).related_model
        except FieldDoesNotExist:
            return False
    return model is not None and any(f.name == path.split("__")[-1] for f in model._meta.get_fields())


def build_documents(apps, schema_editor, chosen=None):
    """The documents of the records already in the database, read through the models as
    they are at this migration (a path they do not have yet is left out); with ``chosen``,
    those of the records ``chosen(records, paths)`` filters (a later migration's)."""
    from defrel import search_index

    using = schema_editor.connection.alias
    for model, paths in list(search_index.PATHS.items()):
        historical = apps.get_model(model._meta.label)
        usable = [path for path in paths if resolves(historical, path)]
        records = historical._base_manager.using(using)
        if chosen is not None:
            records = chosen(records, usable)
        ids = list(records.values_list("pk", flat=True).distinct())
        search_index.rebuild(historical, ids, using, paths=usable)
    search_index.compact(using)


class Migration(migrations.Migration):

    dependencies = [
        ('defrel', '0005_pending_import_state'),
        ('meetings', '0010_undated_exercises'),
        ('partners', '0003_position_seats'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=60)),
                ('record_id', models.BigIntegerField()),
                ('text', models.TextField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('kind', 'record_id'), name='searchdocument_record')],
            },
        ),
        migrations.RunPython(by_vendor({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
                             by_vendor({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE})),
        migrations.RunPython(build_documents, migrations.RunPython.noop),
    ]
