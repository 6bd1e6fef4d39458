"""Load the curated fixtures without ever overwriting a record that already exists, nor
bringing back one that editors deleted or gave another key (defrel.held_keys)."""
import json
from collections import Counter, defaultdict
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from defrel.derived import derived_at_the_end
from defrel.held_keys import keys_let_go
from defrel.imports.history import write_history
from defrel.models import natural_keys_remembered, rows_written
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


def fixture_key(model, fields):
    """A fixture record's natural key as ``natural_key()`` gives it. A foreign key is written
    as the natural key of the record it names (``"meeting": ["2024-05-au-defmin"]``), of which
    the key reads one part (``meeting__key``)."""
    key = []
    for path in model.natural_key_fields:
        name, rest = path.partition("__")[::2]
        value = fields.get(name)
        if rest:
            names = getattr(model._meta.get_field(name).related_model, "natural_key_fields", ())
            value = value[names.index(rest)] if isinstance(value, list) and rest in names else None
        key.append(value)
    return tuple(key)


def let_go(rows):
    """label -> the natural keys that editors deleted or changed (defrel.held_keys), for the
    models the fixtures hold that have any."""
    models = set()
    for label in {obj.get("model", "").lower() for _path, _index, obj in rows}:
        try:
            models.add(apps.get_model(label))
        except (LookupError, ValueError):  # told with its file and place when it is read
            pass
    values = {}  # the keys of the records other keys name, read once for all models
    gone = {model._meta.label_lower: keys_let_go(model, using=router.db_for_write(model), values=values)
            for model in models}
    return {label: keys for label, keys in gone.items() if keys}


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
        created, kept, left, added = Counter(), Counter(), Counter(), defaultdict(list)
        # What other tables derive from the records (titles at the time, venues, search
        # documents) once at the end, not at every save; each record a fixture names by its key
        # read once.
        with transaction.atomic(), deferred(), natural_keys_remembered():
            with derived_at_the_end():
                self.add(read_fixtures(paths), created, kept, left, added)
            now = timezone.now()
            for model, records in added.items():
                rows_written.send(model, instances=records, using=router.db_for_write(model))
                write_history(model, records, "+", now, router.db_for_write(model))
        if verbosity:
            self.report(created, kept, left)

    def add(self, rows, created, kept, left, added):
        """Save each record of ``rows`` that is not there yet (counted in ``created``, and
        listed by model in ``added``), nor deleted or given another key by an editor."""
        gone = let_go(rows)
        for path, index, obj in rows:
            label = obj.get("model", "?").lower()
            try:
                # Before it is read: a deleted meeting's participations name a meeting that
                # is there no more.
                if label in gone and fixture_key(apps.get_model(label), obj["fields"]) in gone[label]:
                    left[label] += 1
                    continue
                (item,) = serializers.deserialize("json", json.dumps([obj]))
                record = item.object
                if record.pk is not None:  # its natural key is already in the database
                    kept[label] += 1
                    continue
                record._change_reason = "curated fixtures"
                record.full_clean(validate_unique=False, validate_constraints=False)
                # Its history is written once its links are set (handle()): one entry, "added",
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

    def report(self, created, kept, left):
        for label in model_order():
            counts = {"model": label, "added": created[label], "kept": kept[label], "left": left[label]}
            if left[label]:
                self.stdout.write(_("%(model)s: %(added)s added, %(kept)s already there, %(left)s "
                                    "deleted or changed by editors (not brought back)") % counts)
            elif created[label] or kept[label]:
                self.stdout.write(_("%(model)s: %(added)s added, %(kept)s already there") % counts)
