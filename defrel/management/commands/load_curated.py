"""Load the curated fixtures without ever overwriting a record that already exists."""
import json
from collections import Counter, defaultdict
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import router, transaction
from django.utils import timezone

from defrel.imports.history import write_history
from defrel.search_index import deferred
from defrel.stamp import curated_models

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def model_order():
    """Labels of the curated models, each after the models its records name (foreign keys
    and natural-key dependencies), so every natural key a record names is already there."""
    by_app = {}
    for model in curated_models():
        by_app.setdefault(apps.get_app_config(model._meta.app_label), []).append(model)
    return [model._meta.label_lower for model in serializers.sort_dependencies(by_app.items())]


def read_fixtures(paths):
    """Every object of every file, with where it came from, in dependency order."""
    rows = []
    for path in paths:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{path}: not a JSON fixture ({error})") from None
        for index, obj in enumerate(data, start=1):
            rows.append((str(path), index, obj))
    rank = {label: i for i, label in enumerate(model_order())}
    rows.sort(key=lambda row: rank.get(row[2].get("model", "").lower(), len(rank)))
    return rows


class Command(BaseCommand):
    help = "Load fixtures/*.json: adds what is missing, never changes what is there."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="fixture files (default: fixtures/*.json)")
        parser.add_argument("--if-empty", action="store_true",
                            help="load only into a database that holds no curated data yet")

    def handle(self, *args, paths=(), if_empty=False, verbosity=1, **options):
        if if_empty and any(model._default_manager.exists() for model in curated_models()):
            self.stdout.write("The database already holds data; curated fixtures not loaded.")
            return
        paths = paths or sorted(FIXTURES.glob("*.json"))
        created, kept, added = Counter(), Counter(), defaultdict(list)
        # The search documents once at the end, not at every record naming another.
        with transaction.atomic(), deferred():
            for path, index, obj in read_fixtures(paths):
                label = obj.get("model", "?").lower()
                try:
                    (item,) = serializers.deserialize("json", json.dumps([obj]))
                    record = item.object
                    if record.pk is not None:  # its natural key is already in the database
                        kept[label] += 1
                        continue
                    record._change_reason = "curated fixtures"
                    record.full_clean(validate_unique=False, validate_constraints=False)
                    # Its history is written once its links are set (below): one entry, "added",
                    # with them, as an import writes it; not an entry without its partners and
                    # another, "changed", for each set().
                    record.skip_history_when_saving = True
                    record.save()
                    for field, values in (item.m2m_data or {}).items():
                        getattr(record, field).set(values)
                    del record.skip_history_when_saving
                    added[type(record)].append(record)
                except Exception as error:
                    raise CommandError(f"{path}, object {index} ({label}): {error}") from error
                created[label] += 1
            now = timezone.now()
            for model, records in added.items():
                write_history(model, records, "+", now, router.db_for_write(model))
        if verbosity:
            for label in model_order():
                if created[label] or kept[label]:
                    self.stdout.write(f"{label}: {created[label]} added, {kept[label]} already there")
