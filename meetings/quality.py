"""The data checks itself: problems an editor can act on, each pointing at the record to fix.

Every check reads a bounded number of queries, whatever the size of the database."""
from dataclasses import dataclass
from itertools import groupby

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from defrel import dates
from defrel.models import Source, colon, noted
from defrel.queries import in_chunks
from meetings.models import (
    Agreement, AgreementEvent, Engagement, Exercise, Meeting, Participation, Status,
)
from meetings.models.titles import titled_otherwise
from partners.models import Country, Official, Position, Tenure, certainly_overlap
from partners.readings import Known


@dataclass(frozen=True)
class Problem:
    check: str
    record: object
    detail: str

    @property
    def admin_url(self):
        meta = self.record._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[self.record.pk])


CHECKS = {
    "outside_tenure": _("Participants whose meeting falls outside all their tenures"),
    "stale_title": _("Participants whose stored title is not the one their tenures give"),
    "in_force_before_signed": _("Agreements in force before they were signed"),
    "milestone_off_its_meeting": _("Agreement milestones reached at a meeting dated otherwise"),
    "stated_status_unused": _("Agreements stated in force, or signed, whose dated milestones give "
                              "another status today (a dated milestone is the only rule)"),
    "overlapping_tenures": _("Overlapping tenures of one office"),
    "no_excerpt": _("Records without a source excerpt"),
    "no_partner": _("Meetings without a partner country"),
    "engagement_no_partner": _("Engagements without a partner country"),
    "carried_out_after_source": _("Engagements reported as carried out but dated after their "
                                  "source was published"),
    "meeting_of_other_partners": _("Engagements announced at a meeting that shares none of "
                                   "their partners"),
    "romanised_reading": _("Readings taken from a romanised name, to confirm from public record "
                           "(long vowels not shown)"),
    "no_reading": _("Names without a reading, listed last on Japanese pages"),
}


def participants_outside_tenures():
    participations = (Participation.objects.filter(position__isnull=True)
                      .select_related("meeting", "official"))
    for p in in_chunks(participations):
        yield Problem("outside_tenure", p.meeting, f"{p.official} — {p.meeting.date_display}")


def stale_titles():
    """Participations whose stored title at the time is not the one the rule gives from the
    tenures now (partners.models.held_during): there should be none, as every write that can
    change it stores it again; a write that went round the models (SQL by hand) shows here."""
    stale = list(titled_otherwise(Participation.objects.all()).select_related("meeting", "official", "position"))
    held = Position.objects.in_bulk({p.held for p in stale if p.held})
    for p in stale:
        detail = f"{p.official} — {p.meeting.date_display}{colon()}{p.position or '—'} → {held.get(p.held, '—')}"
        yield Problem("stale_title", p.meeting, detail)


def agreements_in_force_before_signed():
    signed = {}
    for event in AgreementEvent.objects.filter(kind="signed").order_by("date_lower"):
        signed.setdefault(event.agreement_id, event)
    early = AgreementEvent.objects.filter(kind="entered_into_force", agreement_id__in=signed)
    for event in early.select_related("agreement"):
        if event.date_upper and event.date_upper < signed[event.agreement_id].date_lower:
            yield Problem("in_force_before_signed", event.agreement,
                          f"{event.date_display} < {signed[event.agreement_id].date_display}")


def milestones_off_their_meeting():
    """A milestone "at" a meeting shares a day with it: a meeting's date changed later leaves
    the milestone on the old one."""
    reached = AgreementEvent.objects.filter(meeting__isnull=False).select_related("agreement", "meeting")
    for event in reached:
        if event.off_its_meeting():
            yield Problem("milestone_off_its_meeting", event.agreement,
                          f"{event.get_kind_display()} {event.date_display} — {event.meeting}")


def stated_status_unused():
    """The status stated without a date counts only while no milestone is dated: one added
    later (a revision, provisional application) silently sets it aside."""
    in_force = {Status.IN_FORCE, Status.NOTICE_GIVEN}
    agrees = {Status.IN_FORCE: in_force,  # signed, or in force as the source says
              Status.SIGNED: {*in_force, Status.SIGNED, Status.AGREED_DOCUMENT, Status.REVISED, Status.CONCLUDED}}
    stated = Agreement.objects.filter(stated_status__in=agrees, events__isnull=False).distinct()
    for agreement in stated.prefetch_related("events"):
        status = agreement.status_on()
        if status not in agrees[agreement.stated_status]:
            yield Problem("stated_status_unused", agreement, status.label)


def overlapping_tenures():
    """More holders at once than the office has seats (a Diet seat, level "other", is not
    one office), and one official entered twice in any office for the same days."""
    tenures = Tenure.objects.select_related("official", "position").order_by("position_id", "date_lower")
    for _position, held in groupby(tenures, key=lambda t: t.position_id):
        held = list(held)
        for b in held:
            others = [a for a in held if a.official_id != b.official_id and certainly_overlap(a, b)]
            if (b.position.level != Position.Level.OTHER and len(others) >= b.position.seats
                    and others[0].pk < b.pk):
                names = " / ".join(f"{t.official}{noted(t.date_display)}" for t in [*others, b])
                yield Problem("overlapping_tenures", b.official, f"{names} — {b.position}")
            # one official entered twice in the office for the same days: a duplicate
            for a in held:
                if a.official_id == b.official_id and a.pk < b.pk and certainly_overlap(a, b):
                    yield Problem("overlapping_tenures", b.official,
                                  f"{b.official}{noted(f'{a.date_display} / {b.date_display}')} — {b.position}")


def records_without_excerpt():
    for model in (Meeting, AgreementEvent, Agreement, Exercise, Engagement):
        for record in model.objects.filter(Q(source_excerpt="") | Q(source__isnull=True)):
            yield Problem("no_excerpt", record, str(record))


def meetings_without_partner():
    for meeting in Meeting.objects.annotate(partners=Count("countries")).filter(partners=0):
        yield Problem("no_partner", meeting, str(meeting))


def engagements_without_partner():
    for engagement in Engagement.objects.annotate(partners=Count("countries")).filter(partners=0):
        yield Problem("engagement_no_partner", engagement, str(engagement))


def source_last_days():
    """{source id: the latest day its date can mean}, for the sources whose date is known."""
    last = {}
    for pk, text in Source.objects.exclude(date="").values_list("pk", "date"):
        try:
            last[pk] = dates.parse(text).upper
        except ValidationError:  # a bad date is refused by the source's own form
            continue
    return {pk: day for pk, day in last.items() if day is not None}


def carried_out_after_source():
    """An engagement the source reports as done cannot begin after the source was published:
    it is planned, or its date is wrong. One query for all sources (there are a handful)."""
    last = source_last_days()
    if not last:
        return
    later = Q()
    for pk, day in last.items():
        later |= Q(source_id=pk, date_lower__gt=day)
    for engagement in Engagement.objects.filter(later, status=Engagement.Status.CARRIED_OUT) \
            .select_related("source"):
        yield Problem("carried_out_after_source", engagement,
                      f"{engagement} > {engagement.source}{noted(engagement.source.date)}")


def announced_at_a_meeting_of_other_partners():
    """The meeting that announced an engagement has at least one of its partners."""
    shared = Meeting.countries.through.objects.filter(meeting_id=OuterRef("meeting_id"),
                                                      country__engagements=OuterRef("pk"))
    partnered = Engagement.countries.through.objects.filter(engagement_id=OuterRef("pk"))
    strays = (Engagement.objects.filter(meeting__isnull=False).filter(Exists(partnered))
              .exclude(Exists(shared)).select_related("meeting"))
    for engagement in strays:
        yield Problem("meeting_of_other_partners", engagement, f"{engagement} — {engagement.meeting}")


def readings_to_confirm():
    """Readings the romanisation gave (Kono: この, perhaps こうの), and names with none
    (a kanji name of a partner's official): each wants an editor's reading."""
    for model in (Official, Country):
        records = model.objects.filter(Q(reading_from=Known.ROMANISED) | Q(reading="")).order_by("pk")
        for record in records:
            check = "no_reading" if not record.reading else "romanised_reading"
            yield Problem(check, record, f"{record.name_ja}{noted(record.name_en)} {record.reading}".strip())


def problems():
    """{check key: [problems]}, every check listed even when it finds nothing."""
    found = {key: [] for key in CHECKS}
    for check in (participants_outside_tenures, stale_titles, agreements_in_force_before_signed,
                  milestones_off_their_meeting, stated_status_unused, overlapping_tenures,
                  records_without_excerpt, meetings_without_partner, engagements_without_partner,
                  carried_out_after_source,
                  announced_at_a_meeting_of_other_partners, readings_to_confirm):
        for problem in check():
            found[problem.check].append(problem)
    return found
