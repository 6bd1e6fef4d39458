"""Build a large synthetic database for benchmarks: partners, officials with tenures, meetings
with partners and participants, agreements with lifecycles, exercises and engagements.

Rows are written with bulk_create in batches (so save() and history are skipped and the date
bounds are filled here), inside one transaction. Every synthetic key starts with ``syn-`` and
every synthetic country says so in its significance, so that a second run replaces the first
and a database holding curated data is recognised and left alone unless ``force`` is given.
Needs Django set up (bench/child.py: ``child.py synth <database url> --meetings N``).
"""
import io
import json
import random
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from defrel import stamp
from defrel.models import Source
from meetings.models import Agreement, AgreementEvent, Exercise, Meeting, Occasion, Participation
from partners.models import Country, Official, Position, Tenure

try:
    from meetings.models.titles import store_titles
except ImportError:  # a baseline revision from before participations stored their titles
    store_titles = None
try:
    from meetings.models.venues import store_venues
except ImportError:  # a baseline revision from before meetings stored their venue
    store_venues = None
try:
    from defrel.search_index import rebuild_all as build_search_documents
except ImportError:  # a baseline revision from before the search documents
    build_search_documents = None
try:
    from partners.readings import Read, settle
except ImportError:  # a baseline revision from before names had readings
    Read = settle = None

from .engagements import Engagements, previous_engagements
from .people import People
from .records import Records
from .tables import BATCH, FIRST_YEAR, LAST_YEAR, PREFIX, SYNTH_NOTE, cumulative


class CuratedDataError(Exception):
    """The database holds curated data, which synth leaves alone."""


def fixture_country_codes():
    codes = set()
    for path in sorted((Path(settings.BASE_DIR) / "fixtures").glob("*.json")):
        for obj in json.loads(path.read_text(encoding="utf-8")):
            if obj.get("model", "").lower() == "partners.country":
                codes.add(obj["fields"]["code"])
    return codes


def holds_curated_data():
    """Any source, or any country of the curated fixtures that synth did not make itself."""
    return Source.objects.exists() or (
        Country.objects.filter(code__in=fixture_country_codes()).exclude(significance_en=SYNTH_NOTE).exists()
    )


def synth(meetings=100_000, *, countries=None, officials=None, agreements=None, exercises=None,
          engagements=None, seed=1, force=False, stdout=None, stderr=None):
    """Fill the database with synthetic partners, officials, meetings, agreements, exercises
    and engagements (sizes default from ``meetings``); progress goes to ``stderr``, a summary
    to ``stdout`` (both discarded unless given)."""
    if holds_curated_data() and not force:
        raise CuratedDataError("This database holds curated data (sources or the fixtures' countries); "
                               "synth leaves it alone. Use an empty database, or force to add beside it.")
    sizes = {
        "meetings": meetings,
        "countries": countries or min(200, max(10, meetings // 500)),
        "agreements": agreements if agreements is not None else meetings // 20,
        "exercises": exercises if exercises is not None else meetings // 10,
        "engagements": engagements if engagements is not None else meetings // 10,
    }
    if sizes["countries"] < 6:
        raise ValueError("countries must be at least 6 (meetings have up to 6 partners).")
    Builder(seed, stdout or io.StringIO(), stderr or io.StringIO()).run(
        sizes, officials or max(meetings // 10, 0))


class Builder(People, Records, Engagements):
    """One run of the generator: its random numbers and what it has made so far."""

    def __init__(self, seed, stdout, stderr):
        self.rng = random.Random(seed)
        self.stdout, self.out = stdout, stderr
        self.years = list(range(FIRST_YEAR, LAST_YEAR + 1))
        # Defence diplomacy grew: about five times as many records a year now as in 1990.
        self.year_weights = list(cumulative(1 + 4 * i / len(self.years) for i in range(len(self.years))))

    def say(self, text):
        self.stdout.write(text + "\n")

    def run(self, sizes, officials):
        started = time.monotonic()
        with transaction.atomic():
            self.remove_previous()
            self.make_countries(sizes["countries"])
            self.make_offices(officials)
            self.make_exercises(sizes["exercises"])
            self.make_meetings(sizes["meetings"])
            if store_titles:  # bulk_create skips Participation.save(): the titles at the time, at once
                store_titles(Participation.objects.filter(meeting__key__startswith=PREFIX))
            if store_venues:  # and Meeting.save(): where each took place, by the app's own rule
                store_venues(Meeting.objects.filter(key__startswith=PREFIX))
            self.make_agreements(sizes["agreements"])
            self.make_engagements(sizes["engagements"])
            if build_search_documents:  # nor the search documents' signals
                seconds = time.monotonic()
                build_search_documents()
                self.say(f"synth: search documents in {time.monotonic() - seconds:.0f}s")
            stamp.bump_on_commit()  # bulk_create sends no signals: cached counts must go
            self.analyze()
        if not connection.in_atomic_block:  # VACUUM cannot run inside a transaction (tests)
            self.analyze("VACUUM (ANALYZE)")
        self.say(
            f"synth: {len(self.partners)} partners, {self.n_officials:,} officials, "
            f"{sizes['meetings']:,} meetings, {sizes['agreements']:,} agreements, "
            f"{sizes['exercises']:,} exercises, {sizes['engagements']:,} engagements "
            f"in {time.monotonic() - started:.0f}s"
        )

    # --- helpers ----------------------------------------------------------------------------

    def analyze(self, command="ANALYZE"):
        """PostgreSQL plans by its statistics; until autovacuum next runs they describe the
        tables before the bulk load (or, seen from outside this transaction, empty tables),
        and a facet query planned for empty tables can take minutes on a few thousand rows.
        Every table, the search documents included: with none of theirs, a search was planned
        to read the index of every meeting's document as well as the text index (bench/NOTES.md,
        "The search documents analysed with the rest"). VACUUM also marks the new rows visible
        to every transaction, which lets a deep page find its ids in an index alone."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(command)

    def bulk(self, model, objects, progress=None):
        """bulk_create in batches; returns the objects with their primary keys. Readings are
        set as save() would set them (names in katakana: the name's kana)."""
        if Read is not None and issubclass(model, Read):
            for record in objects:
                settle(record)
        created = []
        for start in range(0, len(objects), BATCH):
            chunk = model.objects.bulk_create(objects[start:start + BATCH], batch_size=BATCH)
            created.extend(chunk)
            if progress:
                progress.add(len(chunk))
        return created

    def remove_previous(self):
        """Delete an earlier run's rows with plain DELETEs (no signals, no history rows)."""
        syn = {"key__startswith": PREFIX}
        synthetic_countries = Country.objects.filter(significance_en=SYNTH_NOTE)
        for queryset in [
            *previous_engagements(),  # first: they point to meetings, agreements and exercises
            AgreementEvent.objects.filter(agreement__key__startswith=PREFIX),
            Agreement.parties.through.objects.filter(agreement__key__startswith=PREFIX),
            Agreement.objects.filter(**syn),
            Meeting.exercises.through.objects.filter(meeting__key__startswith=PREFIX),
            Meeting.countries.through.objects.filter(meeting__key__startswith=PREFIX),
            Participation.objects.filter(meeting__key__startswith=PREFIX),
            Meeting.objects.filter(**syn),
            Exercise.countries.through.objects.filter(exercise__key__startswith=PREFIX),
            Exercise.objects.filter(**syn),
            Tenure.objects.filter(position__key__startswith=PREFIX),
            Official.objects.filter(slug__startswith=PREFIX),
            Position.objects.filter(**syn),
            Occasion.objects.filter(**syn),
            synthetic_countries,
        ]:
            queryset._raw_delete(queryset.db)
