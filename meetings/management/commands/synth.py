"""Build a large synthetic database for benchmarks: partners, officials with tenures, meetings
with partners and participants, agreements with lifecycles and exercises.

Rows are written with bulk_create in batches (so save() and history are skipped and the date
bounds are filled here), inside one transaction. Every synthetic key starts with ``syn-`` and
every synthetic country says so in its significance, so that a second run replaces the first
and a database holding curated data is recognised and left alone unless --force is given.
"""
import bisect
import calendar
import datetime
import heapq
import json
import random
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from defrel import stamp
from defrel.models import Source
from meetings.models import Agreement, AgreementEvent, Exercise, Meeting, Occasion, Participation
from meetings.models.titles import store_titles
from partners.models import Country, Official, Position, Region, Tenure

PREFIX = "syn-"
SYNTH_NOTE = "Synthetic record made by manage.py synth for benchmarks."
FIRST_YEAR, LAST_YEAR = 1990, 2025
BATCH = 2000
# Officials who move on to another office of their country: the extra terms, as a share of
# the officials asked for, and the chance that a term goes to one of them when one is free.
CAREER_MOVES = 0.5
CAREER_SHARE = 0.6

SYLLABLES = [
    ("ka", "カ"), ("ri", "リ"), ("to", "ト"), ("na", "ナ"), ("mo", "モ"), ("sa", "サ"),
    ("ru", "ル"), ("ve", "ヴェ"), ("la", "ラ"), ("do", "ド"), ("ni", "ニ"), ("a", "ア"),
    ("be", "ベ"), ("shi", "シ"), ("ta", "タ"), ("ko", "コ"), ("mi", "ミ"), ("re", "レ"),
    ("po", "ポ"), ("gu", "グ"), ("no", "ノ"), ("e", "エ"), ("ha", "ハ"), ("zu", "ズ"),
]
ENDINGS = [("ria", "リア"), ("land", "ランド"), ("stan", "スタン"), ("nia", "ニア"), ("mar", "マール")]

# (key suffix, title ja, title en, level): Japan's offices, then every partner state's.
JAPAN_OFFICES = [
    ("pm", "内閣総理大臣", "Prime Minister", "leader"),
    ("mod", "防衛大臣", "Minister of Defense", "minister"),
    ("mofa", "外務大臣", "Minister for Foreign Affairs", "minister"),
    ("svm", "防衛副大臣", "State Minister of Defense", "vice_minister"),
    ("pvm", "防衛大臣政務官", "Parliamentary Vice-Minister of Defense", "vice_minister"),
    ("chod", "統合幕僚長", "Chief of Staff, Joint Staff", "chief_of_defence"),
    ("gsdf", "陸上幕僚長", "Chief of Staff, GSDF", "service_chief"),
    ("msdf", "海上幕僚長", "Chief of Staff, MSDF", "service_chief"),
    ("asdf", "航空幕僚長", "Chief of Staff, ASDF", "service_chief"),
    ("vmia", "防衛審議官", "Vice-Minister of Defense for International Affairs", "senior_official"),
    ("dgpol", "防衛政策局長", "Director General, Defense Policy Bureau", "senior_official"),
    ("atla", "防衛装備庁長官", "Commissioner, ATLA", "senior_official"),
]
PARTNER_OFFICES = [
    ("head", "首脳", "Head of Government", "leader"),
    ("mod", "国防大臣", "Minister of Defence", "minister"),
    ("mofa", "外務大臣", "Foreign Minister", "minister"),
    ("vm", "国防次官", "Vice-Minister of Defence", "vice_minister"),
    ("chod", "国防軍司令官", "Chief of Defence Force", "chief_of_defence"),
    ("army", "陸軍司令官", "Chief of Army", "service_chief"),
    ("navy", "海軍司令官", "Chief of Navy", "service_chief"),
    ("air", "空軍司令官", "Chief of Air Force", "service_chief"),
    ("pol", "国防省政策局長", "Director of Defence Policy", "senior_official"),
]
ORGANISATION_OFFICES = [
    ("sg", "事務総長", "Secretary General", "leader"),
    ("dsg", "事務次長", "Deputy Secretary General", "vice_minister"),
    ("mc", "軍事委員長", "Chair of the Military Committee", "chief_of_defence"),
    ("pol", "防衛政策部長", "Director of Defence Policy", "senior_official"),
]
# Meeting level → the office level of its principals; the shares follow the curated data.
LEVELS = {
    "leaders": ("leader", 0.07), "two_plus_two": ("minister", 0.03),
    "ministerial": ("minister", 0.22), "vice_ministerial": ("vice_minister", 0.10),
    "chiefs_of_defence": ("chief_of_defence", 0.12), "service_chiefs": ("service_chief", 0.20),
    "senior_official": ("senior_official", 0.14), "working_level": ("senior_official", 0.12),
}
TITLES = {
    "leaders": ("首脳会談", "Summit Meeting"), "two_plus_two": ("外務・防衛閣僚会合(「2+2」)", "“2+2”"),
    "ministerial": ("防衛相会談", "Defense Ministerial Meeting"),
    "vice_ministerial": ("防衛次官級協議", "Vice-Ministerial Defense Dialogue"),
    "chiefs_of_defence": ("参謀総長等会談", "Chiefs of Defense Meeting"),
    "service_chiefs": ("軍種トップ会談", "Service Chiefs' Meeting"),
    "senior_official": ("防衛当局間協議", "Defense Officials' Dialogue"),
    "working_level": ("防衛実務者協議", "Working-Level Defense Talks"),
}
KINDS = [("talks", 50), ("courtesy_call", 15), ("informal", 12), ("consultation", 10),
         ("conference", 5), ("visit", 5), ("panel", 3)]
AGREEMENT_KINDS = [
    ("acsa", "物品役務相互提供協定", "Acquisition and Cross-Servicing Agreement", "ACSA", 5),
    ("information_security", "情報保護協定", "Information Security Agreement", "GSOMIA", 6),
    ("equipment_transfer", "防衛装備品・技術移転協定", "Defense Equipment and Technology Transfer Agreement", "", 6),
    ("raa", "円滑化協定", "Reciprocal Access Agreement", "RAA", 2),
    ("cooperation_memorandum", "防衛協力・交流に関する覚書", "Memorandum on Defense Cooperation and Exchanges", "MOC", 25),
    ("statement_of_intent", "防衛協力に関する意図表明文書", "Statement of Intent on Defense Cooperation", "", 12),
    ("arrangement", "取決め", "Arrangement", "", 12),
    ("joint_declaration", "共同声明", "Joint Statement", "", 15),
    ("partnership_programme", "パートナーシップ協力計画", "Partnership Cooperation Programme", "ITPP", 3),
    ("exchange_of_notes", "交換公文", "Exchange of Notes", "", 6),
    ("treaty", "条約", "Treaty", "", 1),
    ("other", "その他の文書", "Other Document", "", 7),
]
TREATY_KINDS = {"acsa", "information_security", "equipment_transfer", "raa", "treaty"}
SUMMARY_JA = [
    "{jp}は、{partner}と{place}にて会談を行い、地域情勢について意見交換を行った。",
    "両者は、自由で開かれたインド太平洋の実現に向け、防衛協力・交流を一層推進することで一致した。",
    "共同訓練や防衛装備・技術協力の具体化について議論し、次回会合での進展を確認した。",
    "海洋安全保障、サイバー、宇宙といった新たな領域における協力の強化についても確認した。",
]
SUMMARY_EN = [
    "{jp} held talks with {partner} in {place} and exchanged views on the regional situation.",
    "Both sides agreed to further promote defense cooperation and exchanges towards a free and open Indo-Pacific.",
    "They discussed joint exercises and defense equipment and technology cooperation and confirmed progress.",
    "They also confirmed closer cooperation in new domains such as maritime security, cyber and space.",
]


def day_text(day):
    return day.isoformat()


def last_day(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


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


class Progress:
    """A plain-text progress bar on stderr: redrawn in place on a terminal, a line per tenth
    otherwise (logs, CI)."""

    def __init__(self, stream, label, total):
        self.stream, self.label, self.total = stream, label, max(total, 1)
        self.done, self.started, self.tty = 0, time.monotonic(), stream.isatty()
        self.last_tenth = -1

    def add(self, n):
        self.done += n
        tenth = self.done * 10 // self.total
        if self.tty or tenth != self.last_tenth:
            self.last_tenth = tenth
            bar = "#" * (self.done * 30 // self.total)
            line = (f"{self.label:<12} [{bar:<30}] {self.done:>9,}/{self.total:,} "
                    f"{time.monotonic() - self.started:6.1f}s")
            self.stream.write(("\r" + line) if self.tty else line + "\n", ending="")
            self.stream.flush()

    def close(self):
        if self.tty:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Fill the database with synthetic partners, officials, meetings, agreements and exercises."

    def add_arguments(self, parser):
        parser.add_argument("--meetings", type=int, default=100_000)
        parser.add_argument("--countries", type=int, help="partners (default: meetings/500, 10..200)")
        parser.add_argument("--officials", type=int, help="default: meetings/10, at least 2 per office")
        parser.add_argument("--agreements", type=int, help="default: meetings/20")
        parser.add_argument("--exercises", type=int, help="default: meetings/10")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--force", action="store_true",
                            help="also run on a database that holds curated data (adds beside it)")

    def handle(self, *args, **opts):
        if holds_curated_data() and not opts["force"]:
            raise CommandError("This database holds curated data (sources or the fixtures' countries); "
                               "synth leaves it alone. Use an empty database, or --force to add beside it.")
        meetings = opts["meetings"]
        sizes = {
            "meetings": meetings,
            "countries": opts["countries"] or min(200, max(10, meetings // 500)),
            "agreements": opts["agreements"] if opts["agreements"] is not None else meetings // 20,
            "exercises": opts["exercises"] if opts["exercises"] is not None else meetings // 10,
        }
        if sizes["countries"] < 6:
            raise CommandError("--countries must be at least 6 (meetings have up to 6 partners).")
        self.rng = random.Random(opts["seed"])
        self.out = self.stderr
        self.years = list(range(FIRST_YEAR, LAST_YEAR + 1))
        # Defence diplomacy grew: about five times as many records a year now as in 1990.
        self.year_weights = list(_cumulative(1 + 4 * i / len(self.years) for i in range(len(self.years))))
        started = time.monotonic()
        with transaction.atomic():
            self.remove_previous()
            self.make_countries(sizes["countries"])
            self.make_offices(opts["officials"] or max(meetings // 10, 0))
            self.make_exercises(sizes["exercises"])
            self.make_meetings(sizes["meetings"])
            # bulk_create skips Participation.save(): the titles at the time, all at once
            store_titles(Participation.objects.filter(meeting__key__startswith=PREFIX))
            self.make_agreements(sizes["agreements"])
            stamp.bump_on_commit()  # bulk_create sends no signals: cached counts must go
            self.analyze()
        if not connection.in_atomic_block:  # VACUUM cannot run inside a transaction (tests)
            self.analyze("VACUUM (ANALYZE)")
        self.stdout.write(
            f"synth: {len(self.partners)} partners, {self.n_officials:,} officials, "
            f"{sizes['meetings']:,} meetings, {sizes['agreements']:,} agreements, "
            f"{sizes['exercises']:,} exercises in {time.monotonic() - started:.0f}s"
        )

    # --- helpers ----------------------------------------------------------------------------

    def analyze(self, command="ANALYZE"):
        """PostgreSQL plans by its statistics; until autovacuum next runs they describe the
        tables before the bulk load (or, seen from outside this transaction, empty tables),
        and a facet query planned for empty tables can take minutes on a few thousand rows.
        VACUUM also marks the new rows visible to every transaction, which lets a deep page
        find its ids in an index alone."""
        if connection.vendor != "postgresql":
            return
        tables = [m._meta.db_table for m in (Country, Official, Position, Tenure, Exercise, Meeting,
                                              Participation, Agreement, AgreementEvent)]
        tables += [Meeting.countries.through._meta.db_table, Meeting.exercises.through._meta.db_table,
                   Agreement.parties.through._meta.db_table, Exercise.countries.through._meta.db_table]
        with connection.cursor() as cursor:
            cursor.execute(f"{command} " + ", ".join(connection.ops.quote_name(t) for t in tables))

    def bulk(self, model, objects, progress=None):
        """bulk_create in batches; returns the objects with their primary keys."""
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

    def random_name(self, used):
        while True:
            parts = self.rng.sample(SYLLABLES, self.rng.randint(1, 2)) + [self.rng.choice(ENDINGS)]
            en = "".join(p[0] for p in parts).capitalize()
            if en not in used:
                used.add(en)
                return en, "".join(p[1] for p in parts)

    def random_day(self, weights_by_year):
        year = self.rng.choices(self.years, cum_weights=weights_by_year)[0]
        return datetime.date(year, 1, 1) + datetime.timedelta(days=self.rng.randrange(365))

    # --- partners, offices, officials and tenures -------------------------------------------

    def make_countries(self, n):
        used = set()
        japan, _created = Country.objects.get_or_create(code="JP", defaults={
            "name_ja": "日本", "name_en": "Japan", "short_ja": "日", "region": Region.NORTHEAST_ASIA,
            "significance_en": SYNTH_NOTE,
        })
        regions = [r for r in Region.values if r not in {Region.ORGANISATION}]
        countries = []
        for i in range(n):
            organisation = i % 10 == 9
            en, ja = self.random_name(used)
            countries.append(Country(
                code=f"SO{i:03d}" if organisation else f"S{i:03d}",
                kind=Country.Kind.ORGANISATION if organisation else Country.Kind.STATE,
                name_ja=ja + ("機構" if organisation else ""),
                name_en=en + (" Organisation" if organisation else ""),
                short_ja=ja[0], region=Region.ORGANISATION if organisation else self.rng.choice(regions),
                relationship_ja=self.rng.choice(["", "", "戦略的パートナー", "特別な戦略的パートナー"]),
                significance_en=SYNTH_NOTE,
            ))
        self.japan = japan
        self.partners = self.bulk(Country, countries)
        # A few partners meet Japan far more often than the rest (as the curated data does).
        self.partner_weights = list(_cumulative(1 / (rank + 1) ** 0.8 for rank in range(n)))
        self.stdout.write(f"synth: {n} partners and Japan")

    def make_offices(self, n_officials):
        positions = []
        for suffix, ja, en, level in JAPAN_OFFICES:
            positions.append(Position(key=f"{PREFIX}jp-{suffix}", country=self.japan,
                                      title_ja=ja, title_en=en, level=level))
        for country in self.partners:
            offices = ORGANISATION_OFFICES if country.kind == Country.Kind.ORGANISATION else PARTNER_OFFICES
            for suffix, ja, en, level in offices:
                positions.append(Position(
                    key=f"{PREFIX}{country.code.lower()}-{suffix}", country=country,
                    title_ja=f"{country.short_ja}{ja}", title_en=f"{en} of {country.name_en}", level=level,
                ))
        positions = self.bulk(Position, positions)
        n_officials = max(n_officials, 2 * len(positions))
        # A share of the terms go to officials of the same country whose last office ended
        # not long before (a vice-minister becomes minister, a chief of army chief of
        # defence): as many more terms as there are such moves, so that about n_officials
        # people hold them, a third of them two offices or more.
        moves = int(n_officials * CAREER_MOVES)
        n_terms = n_officials + moves
        # Terms follow each other without a gap, from before the first year to an open end,
        # their mean length chosen so that the offices need about n_terms terms.
        first = datetime.date(FIRST_YEAR - 2, 1, 1).toordinal()
        last = datetime.date(LAST_YEAR, 12, 31).toordinal()
        # (the first term starts up to one mean length early: half a term more per office)
        mean = (last - first) * len(positions) / max(n_terms - len(positions) / 2, len(positions))
        terms = []  # (position, start ordinal or None, end ordinal or None)
        for position in positions:
            start = first - self.rng.randrange(int(mean))
            while True:
                end = start + int(mean * self.rng.uniform(0.3, 1.7))
                if end >= last:
                    terms.append((position, start, None))
                    break
                terms.append((position, start, end))
                start = end + 1
        terms.sort(key=lambda term: (term[1], term[0].pk))
        holder_of = self.assign_careers(terms, moves, mean)
        n_people = max(holder_of) + 1
        self.stdout.write(f"synth: {len(positions):,} offices, {n_people:,} officials, {len(terms):,} tenures")
        progress = Progress(self.out, "officials", n_people + len(terms))
        officials = []
        country_of = {}
        for term, person in zip(terms, holder_of):
            country_of.setdefault(person, term[0].country)
        for i in range(n_people):
            family, family_ja = self.random_name(set())
            given = "".join(p[0] for p in self.rng.sample(SYLLABLES, 2)).capitalize()
            officials.append(Official(slug=f"{PREFIX}{family.lower()}-{given.lower()}-{i}", name_ja=family_ja,
                                      name_en=f"{given} {family}", country=country_of[i]))
        officials = self.bulk(Official, officials, progress)
        tenures, self.holders, self.careers = [], {}, {}
        for (position, start, end), person in zip(terms, holder_of):
            official = officials[person]
            unknown_start = start < first and end is not None and self.rng.random() < 0.2
            lower = None if unknown_start else datetime.date.fromordinal(start)
            upper = None if end is None else datetime.date.fromordinal(end)
            text = f"{day_text(lower) if lower else ''}/{day_text(upper) if upper else '..'}"
            tenures.append(Tenure(official=official, position=position, date=text,
                                  date_lower=lower, date_upper=upper))
            self.careers.setdefault(official.pk, []).append((start, position))
            starts, holders = self.holders.setdefault(position.pk, ([], []))
            starts.append(start)
            holders.append(official)
        self.bulk(Tenure, tenures, progress)
        progress.close()
        self.n_officials = len(officials)
        # Offices by country and level, for picking who takes part in a meeting.
        self.offices = {}
        for position in positions:
            self.offices.setdefault(position.country_id, {}).setdefault(position.level, []).append(position.pk)

    def assign_careers(self, terms, moves, mean):
        """For each term (sorted by start), the number of the person holding it: up to
        ``moves`` times, someone of the same country whose last term ended within two mean
        terms before it starts and who holds nothing then; otherwise someone new."""
        holder_of, free, people = [], {}, 0  # free: country pk → [(end, person)]
        ending = []  # heap of (end, person, country pk) of the terms being held
        for position, start, end in terms:
            while ending and ending[0][0] < start:
                ended, person, country = heapq.heappop(ending)
                free.setdefault(country, []).append((ended, person))
            pool = [(ended, person) for ended, person in free.get(position.country_id, [])
                    if start - ended <= 2 * mean]
            free[position.country_id] = pool
            if moves and pool and self.rng.random() < CAREER_SHARE:
                ended, person = pool.pop(self.rng.randrange(len(pool)))
                moves -= 1
            else:
                person, people = people, people + 1
            holder_of.append(person)
            if end is not None:
                heapq.heappush(ending, (end, person, position.country_id))
        return holder_of

    def holder(self, position_pk, day):
        starts, holders = self.holders[position_pk]
        return holders[max(bisect.bisect_right(starts, day.toordinal()) - 1, 0)]

    # --- exercises --------------------------------------------------------------------------

    def make_exercises(self, n):
        used = set()
        suffixes = [("エッジ", "Edge"), ("シールド", "Shield"), ("ストーム", "Storm"), ("パシフィック", "Pacific")]
        series = [self.random_name(used) + self.rng.choice(suffixes) for _ in range(max(n // 30, 1))]
        exercises, countries = [], []
        for i in range(n):
            en, ja, sja, sen = self.rng.choice(series)
            day = self.random_day(self.year_weights)
            end = day + datetime.timedelta(days=self.rng.randint(3, 20))
            text, lower, upper = f"{day_text(day)}/{day_text(end)}", day, end
            if self.rng.random() < 0.2:
                text, lower, upper = f"{day:%Y-%m}", day.replace(day=1), last_day(day.year, day.month)
            partners = self._partners(self.rng.choices(range(1, 11), weights=[40, 20, 10, 8, 6, 5, 4, 3, 2, 2])[0])
            host = self.rng.choice(partners + [self.japan])
            exercises.append(Exercise(
                key=f"{PREFIX}ex-{i:06d}", name_ja=f"{ja}・{sja}{day:%y}", name_en=f"{en} {sen} {day:%y}",
                series=f"{en} {sen}", edition=f"{day:%y}", date=text, date_lower=lower, date_upper=upper,
                location_ja=host.name_ja, location_en=host.name_en, host_country=host,
                japan_role=self.rng.choices(["participant", "observer", "host"], weights=[80, 10, 10])[0],
                services="|".join(sorted(self.rng.sample(["joint", "gsdf", "msdf", "asdf"], self.rng.randint(1, 2)))),
                summary_ja=f"{ja}・{sja}演習に参加した。", summary_en=f"Took part in exercise {en} {sen}.",
            ))
            countries.append(partners)
        progress = Progress(self.out, "exercises", n)
        through = Exercise.countries.through
        for start in range(0, n, BATCH):
            chunk = self.bulk(Exercise, exercises[start:start + BATCH])
            self.bulk(through, [through(exercise_id=e.pk, country_id=c.pk)
                                for e, cs in zip(chunk, countries[start:start + BATCH]) for c in cs])
            progress.add(len(chunk))
        progress.close()
        self.exercise_pks = [e.pk for e in Exercise.objects.filter(key__startswith=PREFIX).only("pk")]

    def _partners(self, n):
        chosen = {}
        while len(chosen) < min(n, len(self.partners)):
            country = self.rng.choices(self.partners, cum_weights=self.partner_weights)[0]
            chosen[country.pk] = country
        return list(chosen.values())

    # --- meetings ---------------------------------------------------------------------------

    def make_meetings(self, n):
        occasions = []
        used = set()
        for i in range(max(min(n // 4000, 40), 3)):
            en, ja = self.random_name(used)
            occasions.append(Occasion(key=f"{PREFIX}occ-{i:02d}", name_ja=f"{ja}安全保障対話",
                                      name_en=f"{en} Security Dialogue"))
        self.occasions = self.bulk(Occasion, occasions)
        levels = list(LEVELS)
        level_weights = [LEVELS[level][1] for level in levels]
        self.meetings_by_country = {}  # country pk → [(ordinal, meeting pk, date text)]
        progress = Progress(self.out, "meetings", n)
        for start in range(0, n, BATCH):
            rows = [self.meeting(i, self.rng.choices(levels, weights=level_weights)[0])
                    for i in range(start, min(start + BATCH, n))]
            meetings = self.bulk(Meeting, [row[0] for row in rows])
            countries, people, exercises = [], [], []
            for meeting, (_m, partners, participants, exercise_pk) in zip(meetings, rows):
                for country in partners:
                    countries.append(Meeting.countries.through(meeting_id=meeting.pk, country_id=country.pk))
                    self.meetings_by_country.setdefault(country.pk, []).append(
                        (meeting.date_lower.toordinal(), meeting.pk, meeting.date))
                people += [Participation(meeting_id=meeting.pk, official_id=official.pk, role=role)
                           for official, role in participants]
                if exercise_pk:
                    exercises.append(Meeting.exercises.through(meeting_id=meeting.pk, exercise_id=exercise_pk))
            self.bulk(Meeting.countries.through, countries)
            self.bulk(Participation, people)
            self.bulk(Meeting.exercises.through, exercises)
            progress.add(len(meetings))
        progress.close()
        for rows in self.meetings_by_country.values():
            rows.sort()

    def meeting(self, i, level):
        rng = self.rng
        day = self.random_day(self.year_weights)
        kind = {"leaders": "summit", "two_plus_two": "two_plus_two"}.get(level) or rng.choices(
            [k for k, _w in KINDS], weights=[w for _k, w in KINDS])[0]
        many = kind in {"conference", "panel"}
        n_partners = rng.randint(3, 6) if many else rng.choices(range(1, 7), weights=[80, 10, 5, 2, 2, 1])[0]
        partners = self._partners(n_partners)
        # The date as precise as sources give it: mostly a day, often a month, rarely a year or a span.
        r = rng.random()
        if r < 0.72:
            text, lower, upper = day_text(day), day, day
        elif r < 0.95:
            text, lower, upper = f"{day:%Y-%m}", day.replace(day=1), last_day(day.year, day.month)
        elif r < 0.98:
            text, lower, upper = f"{day.year}", datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
        else:
            upper = day + datetime.timedelta(days=rng.randint(1, 4))
            text, lower = f"{day_text(day)}/{day_text(upper)}", day
        fmt = rng.choices(["in_person", "video", "phone"], weights=[80, 12, 8])[0]
        occasion = rng.choice(self.occasions) if (many or rng.random() < 0.1) else None
        host = None
        if fmt == "in_person":
            host = rng.choice([self.japan, self.japan] + partners + ([rng.choice(self.partners)] if occasion else []))
        participants = self.participants(level, partners, lower, rng.choices(range(2, 9), weights=[30, 25, 15, 12, 8, 6, 4])[0])
        jp_name = participants[0][0]
        ja_partners = "".join(c.short_ja for c in partners[:3]) + ("等" if len(partners) > 3 else "")
        en_partners = "–".join(c.name_en for c in partners[:3]) + (" and others" if len(partners) > 3 else "")
        title_ja, title_en = TITLES[level]
        place_ja, place_en = (host.name_ja, host.name_en) if host else ("オンライン", "a video call")
        other = participants[1][0] if len(participants) > 1 else jp_name
        summary_ja = "".join(rng.sample(SUMMARY_JA[1:], rng.randint(0, 3)))
        summary_en = " ".join(rng.sample(SUMMARY_EN[1:], rng.randint(0, 3)))
        meeting = Meeting(
            key=f"{PREFIX}{text.replace('/', '-')}-{i:06d}", date=text, date_lower=lower, date_upper=upper,
            count=rng.randint(2, 6) if rng.random() < 0.02 else 1,
            title_ja=f"日{ja_partners}{title_ja}", title_en=f"Japan–{en_partners} {title_en}",
            kind=kind, level=level, format=fmt,
            location_ja="" if host is None else place_ja, location_en="" if host is None else place_en,
            host_country=host, occasion=occasion,
            sequence=rng.randint(1, 30) if rng.random() < 0.1 else None,
            summary_ja=SUMMARY_JA[0].format(jp=self.titled(jp_name, lower, "ja"), partner=self.titled(other, lower, "ja"),
                                            place=place_ja) + summary_ja,
            summary_en=SUMMARY_EN[0].format(jp=self.titled(jp_name, lower, "en"), partner=self.titled(other, lower, "en"),
                                            place=place_en)
            + (" " + summary_en if summary_en else ""),
            outcomes_ja="防衛協力・交流の覚書に署名した。" if rng.random() < 0.05 else "",
            outcomes_en="A memorandum on defense cooperation and exchanges was signed." if rng.random() < 0.05 else "",
        )
        exercise = rng.choice(self.exercise_pks) if self.exercise_pks and rng.random() < 0.01 else None
        return meeting, partners, participants, exercise

    def titled(self, official, day, lang):
        """The official's name after the office held on ``day``."""
        career = self.careers[official.pk]
        office = career[max(bisect.bisect_right([start for start, _p in career], day.toordinal()) - 1, 0)][1]
        if lang == "ja":
            return f"{office.title_ja}{official.name_ja}"
        return f"{office.title_en} {official.name_en}"

    def participants(self, level, partners, day, n):
        """The principals (Japan's and each partner's office of the meeting's level), then
        others from the same countries, all holding their office on the meeting's date."""
        office_level = LEVELS[level][0]
        principals, others = [], []
        for country in [self.japan] + partners:
            offices = self.offices[country.pk]
            matching = offices.get(office_level) or offices.get("senior_official") or next(iter(offices.values()))
            # A "2+2" has both ministers on each side (defence, then foreign affairs).
            for pk in matching[:2] if level == "two_plus_two" else matching[:1]:
                principals.append(self.holder(pk, day))
            rest = [pk for lvl, pks in offices.items() if lvl != office_level for pk in pks]
            others += [self.holder(pk, day) for pk in self.rng.sample(rest, min(3, len(rest)))]
        chosen = list(dict.fromkeys(principals))[:n]
        for official in others:
            if len(chosen) >= n:
                break
            if official not in chosen:
                chosen.append(official)
        return [(o, "principal" if o in principals else "accompanying") for o in chosen]

    # --- agreements -------------------------------------------------------------------------

    def make_agreements(self, n):
        rng = self.rng
        kinds = AGREEMENT_KINDS
        progress = Progress(self.out, "agreements", n)
        through = Agreement.parties.through
        for start in range(0, n, BATCH):
            rows = []
            for i in range(start, min(start + BATCH, n)):
                kind, ja, en, short, _w = rng.choices(kinds, weights=[k[4] for k in kinds])[0]
                parties = self._partners(rng.choices([1, 2, 3, 4], weights=[85, 10, 3, 2])[0])
                year = rng.randint(FIRST_YEAR, LAST_YEAR - 1)
                agreement = Agreement(
                    key=f"{PREFIX}agr-{i:05d}-{kind.replace('_', '-')}", kind=kind, short_name=short,
                    title_ja=f"日{''.join(c.short_ja for c in parties)}{ja}({year}年)",
                    title_en=f"Japan–{'–'.join(c.name_en for c in parties)} {en} ({year})",
                    aliases=f"{''.join(c.short_ja for c in parties)}{short}" if short else "",
                    summary_ja=f"{ja}。", summary_en=f"{en}.",
                )
                rows.append((agreement, parties, year))
            agreements = self.bulk(Agreement, [row[0] for row in rows])
            self.bulk(through, [through(agreement_id=a.pk, country_id=c.pk)
                                for a, (_a, parties, _y) in zip(agreements, rows) for c in parties])
            self.bulk(AgreementEvent, [event for a, (_a, parties, year) in zip(agreements, rows)
                                       for event in self.lifecycle(a, parties[0], year)])
            progress.add(len(agreements))
        progress.close()

    def lifecycle(self, agreement, party, year):
        """Milestones in order: negotiation, signature (often at a meeting with the party),
        entry into force for treaty-level kinds, sometimes a revision or a termination notice."""
        rng = self.rng
        day = datetime.date(year, rng.randint(1, 12), 1)
        steps = []
        if agreement.kind in TREATY_KINDS or rng.random() < 0.3:
            steps.append("negotiation_started")
        if rng.random() < 0.9:
            steps.append("signed")
            if agreement.kind in TREATY_KINDS:
                steps.append("entered_into_force")
            r = rng.random()
            if r < 0.15:
                steps.append("revised")
            elif r < 0.20:
                steps += ["termination_notified", rng.choice(["notice_withdrawn", "terminated"])]
        events = []
        for kind in steps:
            if day > datetime.date(LAST_YEAR, 12, 1):
                break
            text, lower, upper = f"{day:%Y-%m}", day, last_day(day.year, day.month)
            meeting_pk = None
            at_meeting = self.meetings_by_country.get(party.pk, [])
            if kind == "signed" and at_meeting and rng.random() < 0.3:
                # Signed at the party's meeting nearest the date; the milestone takes its date.
                k = min(bisect.bisect_left(at_meeting, (day.toordinal(),)), len(at_meeting) - 1)
                _o, meeting_pk, text = at_meeting[k]
                parsed = Meeting(date=text).dates
                lower, upper = parsed.lower, parsed.upper
            events.append(AgreementEvent(agreement=agreement, kind=kind, date=text, date_lower=lower,
                                         date_upper=upper, meeting_id=meeting_pk))
            day = last_day(upper.year, upper.month) + datetime.timedelta(days=rng.randint(30, 900))
            day = day.replace(day=1)
        return events


def _cumulative(weights):
    total = 0
    for w in weights:
        total += w
        yield total
