"""Engagements: port calls, capacity building, equipment transfers and the rest, dated as the
documents date them (a tenth undated), linked to an agreement, a meeting or an exercise of
their partners now and then."""
import bisect
import datetime

from meetings.models import Agreement

try:
    from meetings.models import Engagement
except ImportError:  # a baseline revision from before engagements
    Engagement = None

from .progress import Progress
from .tables import BATCH, PREFIX, day_text, last_day

# (kind, Japanese, English, services, weight): the shares follow the white paper's mentions.
ENGAGEMENT_KINDS = [
    ("port_call", "護衛艦の寄港", "Port call by a destroyer", "msdf", 25),
    ("capacity_building", "能力構築支援", "Capacity building", "gsdf", 30),
    ("equipment_transfer", "防衛装備品の移転", "Transfer of defence equipment", "", 10),
    ("osa", "政府安全保障能力強化支援", "Official Security Assistance", "", 8),
    ("education_exchange", "留学生の受入れ", "Students received", "joint", 8),
    ("unit_exchange", "部隊間交流", "Unit-to-unit exchange", "asdf", 12),
    ("deployment", "派遣", "Deployment", "msdf|asdf", 5),
    ("other", "その他の交流", "Other exchange", "", 2),
]


class Engagements:
    """The part of the builder that makes engagements (after meetings, agreements and
    exercises, which they may link to)."""

    def make_engagements(self, n):
        if Engagement is None or n == 0:
            return
        agreements_of = {}  # country pk → [agreement pk]
        for agreement_pk, country_pk in Agreement.parties.through.objects.filter(
                agreement__key__startswith=PREFIX).values_list("agreement_id", "country_id"):
            agreements_of.setdefault(country_pk, []).append(agreement_pk)
        progress = Progress(self.out, "engagements", n)
        countries, officials = Engagement.countries.through, Engagement.officials.through
        for start in range(0, n, BATCH):
            rows = [self.engagement(i, agreements_of) for i in range(start, min(start + BATCH, n))]
            made = self.bulk(Engagement, [row[0] for row in rows])
            self.bulk(countries, [countries(engagement_id=e.pk, country_id=c.pk)
                                  for e, (_e, partners, _o) in zip(made, rows) for c in partners])
            self.bulk(officials, [officials(engagement_id=e.pk, official_id=o.pk)
                                  for e, (_e, _p, people) in zip(made, rows) for o in people])
            progress.add(len(made))
        progress.close()

    def engagement(self, i, agreements_of):
        rng = self.rng
        kind, ja, en, services, _w = rng.choices(ENGAGEMENT_KINDS, weights=[k[4] for k in ENGAGEMENT_KINDS])[0]
        partners = self._partners(rng.choices(range(1, 5), weights=[85, 8, 4, 3])[0])
        day = self.random_day(self.year_weights)
        r = rng.random()
        if r < 0.1:  # only welcomed at a meeting: no date of its own
            text, lower, upper = "", None, None
        elif r < 0.55:
            text, lower, upper = day_text(day), day, day
        elif r < 0.9:
            text, lower, upper = f"{day:%Y-%m}", day.replace(day=1), last_day(day.year, day.month)
        elif r < 0.95:
            text, lower, upper = f"{day.year}", datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
        else:
            upper = day + datetime.timedelta(days=rng.randint(7, 120))
            text, lower = f"{day:%Y-%m}/{upper:%Y-%m}", day.replace(day=1)
            upper = last_day(upper.year, upper.month)
        host = rng.choice(partners) if kind in {"port_call", "capacity_building", "deployment"} else None
        meeting_pk = agreement_pk = exercise_pk = None
        at_meeting = self.meetings_by_country.get(partners[0].pk, [])
        if at_meeting and rng.random() < 0.2:  # announced at a meeting with its first partner
            ordinal = (lower or day).toordinal()
            k = min(bisect.bisect_left(at_meeting, (ordinal,)), len(at_meeting) - 1)
            meeting_pk = at_meeting[k][1]
        if kind in {"osa", "equipment_transfer"} and agreements_of.get(partners[0].pk) and rng.random() < 0.5:
            agreement_pk = rng.choice(agreements_of[partners[0].pk])
        if self.exercise_pks and rng.random() < 0.05:
            exercise_pk = rng.choice(self.exercise_pks)
        people = []
        if lower and rng.random() < 0.2:  # Japan's officials where the text names them
            offices = [pk for pks in self.offices[self.japan.pk].values() for pk in pks]
            people = list({self.holder(pk, lower) for pk in rng.sample(offices, rng.randint(1, 2))})
        names_ja = "".join(c.short_ja for c in partners)
        names_en = "–".join(c.name_en for c in partners)
        engagement = Engagement(
            key=f"{PREFIX}eng-{i:06d}-{kind.replace('_', '-')}", kind=kind,
            status="planned" if rng.random() < 0.1 else "carried_out",
            date=text, date_lower=lower, date_upper=upper,
            title_ja=f"{names_ja}への{ja}", title_en=f"{en} with {names_en}",
            japan_side_ja="護衛艦「むらさめ」" if kind == "port_call" else "",
            japan_side_en="JS Murasame" if kind == "port_call" else "",
            services=services,
            location_ja=host.name_ja if host else "", location_en=host.name_en if host else "",
            host_country=host, agreement_id=agreement_pk, meeting_id=meeting_pk, exercise_id=exercise_pk,
            summary_ja=f"{names_ja}と{ja}を実施した。", summary_en=f"{en} with {names_en}.",
        )
        return engagement, partners, people


def previous_engagements():
    """An earlier run's engagements and their links, to delete before anything they point to."""
    if Engagement is None:
        return []
    return [Engagement.countries.through.objects.filter(engagement__key__startswith=PREFIX),
            Engagement.officials.through.objects.filter(engagement__key__startswith=PREFIX),
            Engagement.objects.filter(key__startswith=PREFIX)]
