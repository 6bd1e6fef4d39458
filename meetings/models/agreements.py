"""Agreements with partners and the milestones of their lives."""
import datetime

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from defrel import dates
from defrel.links import address
from defrel.models import (
    Dated, DatedQuerySet, History, InlineRow, NaturalKeyed, NaturalKeyManager, Source, Sourced,
    Versioned, dated_constraints, noted,
)
from defrel.queries import SearchableQuerySet
from partners.models import Country, localised


class Status(models.TextChoices):
    """Where an agreement stands on a given day."""

    UNKNOWN = "", _("no record")
    NEGOTIATING = "negotiating", _("negotiating")
    AGREED = "agreed", _("agreed in substance")
    SIGNED = "signed", _("signed")
    # The source says it was signed and gives no date (「…共同宣言」が署名され): signed by the
    # source's date, never "signed on" a day (Agreement.status_on).
    SIGNED_BY = "signed_by", _("signed by the source’s date")
    # A document that is not a treaty (Agreement.holds_without_force), as its latest milestone
    # leaves it: the sources say such documents were signed (署名), agreed (合意), revised (改定),
    # issued or announced (発出, 発表), never that they entered into force (発効).
    AGREED_DOCUMENT = "agreed_document", _("agreed")
    REVISED = "revised", _("revised")
    CONCLUDED = "concluded", _("concluded")
    # Japan's initiative announced or presented to partners (the Vientiane Vision), not a
    # text the partners signed.
    ANNOUNCED = "announced", _("announced")
    # Applied before its entry into force (the Japan–EU SPA from 2019): not yet in force.
    PROVISIONAL = "provisional", _("applied provisionally")
    IN_FORCE = "in_force", _("in force")
    # The source says it is in force and gives no date: true on any day as "in force by the
    # source's date", never "in force since" (Agreement.status_on).
    IN_FORCE_BY = "in_force_by", _("in force by the source’s date")
    NOTICE_GIVEN = "notice_given", _("in force, termination notified")
    TERMINATED = "terminated", _("terminated")


IN_FORCE_STATUSES = {Status.IN_FORCE, Status.NOTICE_GIVEN}
# What the sources state of an agreement without a date: that it is in force, or signed.
STATED = [(Status.UNKNOWN.value, Status.UNKNOWN.label), (Status.IN_FORCE.value, Status.IN_FORCE.label),
          (Status.SIGNED.value, Status.SIGNED.label)]
# What a status stated without a date reads as on every day (Agreement.status_on).
STATED_BY = {Status.IN_FORCE: Status.IN_FORCE_BY, Status.SIGNED: Status.SIGNED_BY}


class AgreementQuerySet(SearchableQuerySet):
    search_fields = ("title_ja", "title_en", "short_name", "aliases", "key",
                     "summary_ja", "summary_en", "parties__name_ja", "parties__name_en",
                     "parties__short_ja", "events__date")  # its dates are its milestones'

    def with_lifecycle(self):
        return self.select_related("source").prefetch_related(
            "parties", models.Prefetch(
                "events", queryset=AgreementEvent.objects.select_related("meeting", "source")
            ),
        )


class Agreement(NaturalKeyed, Sourced, Versioned, models.Model):
    """A treaty, arrangement, memorandum or joint document between Japan and partners."""

    class Kind(models.TextChoices):
        ACSA = "acsa", _("Acquisition and Cross-Servicing Agreement")
        INFORMATION_SECURITY = "information_security", _("information security agreement")
        EQUIPMENT_TRANSFER = "equipment_transfer", _("defense equipment and technology transfer agreement")
        RAA = "raa", _("Reciprocal Access Agreement")
        COOPERATION_MEMORANDUM = "cooperation_memorandum", _("memorandum on defense cooperation and exchanges")
        STATEMENT_OF_INTENT = "statement_of_intent", _("statement of intent")
        ARRANGEMENT = "arrangement", _("arrangement")
        JOINT_DECLARATION = "joint_declaration", _("joint declaration or statement")
        PARTNERSHIP_PROGRAMME = "partnership_programme", _("partnership programme")
        EXCHANGE_OF_NOTES = "exchange_of_notes", _("exchange of notes")
        TREATY = "treaty", _("treaty")
        OTHER = "other", _("other")

    key = models.SlugField(_("key"), max_length=120, unique=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind, db_index=True)
    parties = models.ManyToManyField(Country, related_name="agreements", verbose_name=_("parties"))
    aliases = models.TextField(_("aliases"), blank=True, help_text=_("Other names, one per line."))
    stated_status = models.CharField(
        _("status stated without a date"), max_length=20, choices=STATED, blank=True,
        help_text=_("When the source says the agreement is in force, or that it was signed, but gives "
                    "no date."),
    )
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)

    objects = NaturalKeyManager.from_queryset(AgreementQuerySet)()
    history = History(m2m_fields=[parties])

    class Meta:
        ordering = ["title_en"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return address("meetings:agreement-detail", self.key)

    stamp_group = "agreements"  # the partners' stamps it renews (defrel.stamp.partner)

    def stamp_partners(self):
        """The partners whose pages show this agreement (defrel.stamp)."""
        return list(self.parties.values_list("pk", flat=True))

    @property
    def title(self):
        return localised(self, "title")

    @property
    def summary(self):
        return localised(self, "summary")

    @property
    def alias_list(self):
        return [a.strip() for a in self.aliases.splitlines() if a.strip()]

    def status_on(self, day=None, events=None):
        """The status on ``day`` (today by default), from the milestones that had begun by
        then; a month-precision milestone counts from the first day of its month. ``events``:
        its milestones when they were read already (the agreements matrix reads those of
        every agreement in one query).

        An agreement the source states to be in force without dating any milestone (the
        2025 White Paper lists the ACSAs with Australia, the UK, France …) is IN_FORCE_BY on
        every day: known in force by the source's date, since a date no source gives. Its
        start stays unknown rather than becoming the source's date (partial dates stay
        partial), and it is told apart from "in force since X" and from "no record". One it
        states to have been signed, without a date, is SIGNED_BY alike. A dated milestone,
        once recorded, is the only rule again."""
        day = day or datetime.date.today()
        events = sorted(self.events.all() if events is None else events, key=lambda e: (e.date_lower, e.pk or 0))
        if not events and self.stated_status in STATED_BY:
            return STATED_BY[self.stated_status]
        # A document of a kind that holds once signed is only signed, all the same, when its
        # life records an entry into force: until that day.
        needs_entry_into_force = self.needs_entry_into_force or any(
            event.kind == AgreementEvent.Kind.ENTERED_INTO_FORCE for event in events)
        status = Status.UNKNOWN
        for event in events:
            if event.date_lower and event.date_lower <= day:
                status = event.status_after(status, needs_entry_into_force, self.holds_without_force)
        return Status(status)

    @property
    def stated_by(self):
        """The date of the source that states the undated status (a partial date), or None.
        It is the date by which it was signed, or in force: "since an unknown date"."""
        if self.source is None or not self.source.date:
            return None
        return dates.parse(self.source.date)

    @property
    def needs_entry_into_force(self):
        """Treaty-level agreements are only signed until they enter into force."""
        return self.kind in {self.Kind.ACSA, self.Kind.INFORMATION_SECURITY,
                             self.Kind.EQUIPMENT_TRANSFER, self.Kind.RAA, self.Kind.TREATY}

    @property
    def holds_without_force(self):
        """A document that is not a treaty — a joint statement or declaration, a memorandum, a
        statement of intent, an arrangement, a partnership programme, an action plan … — is
        what its latest milestone records (signed, agreed, revised), never "in force" unless a
        milestone records its entry into force. An exchange of notes, a treaty in form, is in
        force once signed or concluded."""
        return self.kind in {self.Kind.JOINT_DECLARATION, self.Kind.STATEMENT_OF_INTENT,
                             self.Kind.COOPERATION_MEMORANDUM, self.Kind.ARRANGEMENT,
                             self.Kind.PARTNERSHIP_PROGRAMME, self.Kind.OTHER}


class AgreementEvent(NaturalKeyed, Dated, Sourced, Versioned, InlineRow, models.Model):
    """One milestone in an agreement's life: negotiation started, signed, in force …"""

    class Kind(models.TextChoices):
        ANNOUNCED = "announced", _("announced")
        NEGOTIATION_STARTED = "negotiation_started", _("negotiation started")
        SUBSTANTIALLY_AGREED = "substantially_agreed", _("substantially agreed")
        AGREED = "agreed", _("agreed")
        SIGNED = "signed", _("signed")
        CONCLUDED = "concluded", _("concluded")
        PROVISIONALLY_APPLIED = "provisionally_applied", _("provisionally applied")
        ENTERED_INTO_FORCE = "entered_into_force", _("entered into force")
        REVISED = "revised", _("revised")
        TERMINATION_NOTIFIED = "termination_notified", _("termination notified")
        NOTICE_SUSPENDED = "notice_suspended", _("notice suspended")
        NOTICE_WITHDRAWN = "notice_withdrawn", _("notice withdrawn")
        TERMINATED = "terminated", _("terminated")

    agreement = models.ForeignKey(
        Agreement, models.CASCADE, related_name="events", verbose_name=_("agreement")
    )
    kind = models.CharField(_("milestone"), max_length=30, choices=Kind)
    meeting = models.ForeignKey(
        "meetings.Meeting", models.SET_NULL, null=True, blank=True,
        related_name="agreement_events", verbose_name=_("at meeting"),
    )
    note_ja = models.TextField(_("note (Japanese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)

    # An inline on its agreement and, as a milestone reached there, on its meeting.
    natural_key_fields = ("agreement__key", "kind", "date")
    objects = NaturalKeyManager.from_queryset(DatedQuerySet)()
    version_parents = ("agreement", "meeting")
    history = History()

    class Meta:
        ordering = ["date_lower", "pk"]
        verbose_name = _("agreement milestone")
        verbose_name_plural = _("agreement milestones")
        constraints = [
            *dated_constraints("agreementevent"),
            models.CheckConstraint(condition=Q(date_lower__isnull=False), name="agreementevent_has_start"),
            models.UniqueConstraint(fields=["agreement", "kind", "date"], name="agreementevent_unique"),
        ]
        indexes = [
            # Timelines merge milestones by date.
            models.Index(fields=["date_lower"], name="agreementevent_date"),
        ]

    def __str__(self):
        return f"{self.agreement} — {self.get_kind_display()}{noted(self.date_display)}"

    def off_its_meeting(self):
        """Whether it is dated on none of the days of the meeting it was reached at (its date
        bounds filled): a meeting's date changed later, or a date mistyped."""
        meeting = self.meeting
        return meeting is not None and bool(
            (self.date_upper and meeting.date_lower and self.date_upper < meeting.date_lower)
            or (self.date_lower and meeting.date_upper and self.date_lower > meeting.date_upper))

    def clean(self):
        super().clean()  # the date read, its bounds filled
        if self.meeting_id is not None and self.off_its_meeting():
            raise ValidationError({"date": self.off_its_meeting_message()})

    def off_its_meeting_message(self):
        return _("“%(meeting)s” (the meeting this milestone was reached at) is dated %(dates)s: a "
                 "milestone reached at a meeting falls on one of its days. Correct the date, or the "
                 "meeting.") % {"meeting": self.meeting, "dates": self.meeting.date_display}

    stamp_group = "agreements"

    def stamp_partners(self):
        """Those of its agreement and of the meeting it happened at (defrel.stamp). A milestone
        restored from its history may name an agreement or a meeting deleted since: it has
        none of their partners, and the database refuses it (IntegrityError), which the admin
        reports, instead of the page failing here."""
        partners = []
        for relation in ("agreement", "meeting"):
            try:
                record = getattr(self, relation)
            except ObjectDoesNotExist:
                continue
            if record is not None:
                partners += record.stamp_partners()
        return partners

    @property
    def note(self):
        return localised(self, "note")

    def status_after(self, status, needs_entry_into_force, holds_without_force=False):
        kind = self.Kind
        if holds_without_force and self.kind in DOCUMENT_STATUSES and status not in IN_FORCE_STATUSES:
            return DOCUMENT_STATUSES[self.kind]
        if self.kind == kind.ANNOUNCED:
            return Status.ANNOUNCED if status == Status.UNKNOWN else status
        if self.kind == kind.PROVISIONALLY_APPLIED:
            return status if status in IN_FORCE_STATUSES else Status.PROVISIONAL
        if self.kind == kind.NEGOTIATION_STARTED:
            return Status.NEGOTIATING if status == Status.UNKNOWN else status
        if self.kind == kind.SUBSTANTIALLY_AGREED:
            return Status.AGREED if status in {Status.UNKNOWN, Status.NEGOTIATING} else status
        if self.kind == kind.SIGNED:
            if status in IN_FORCE_STATUSES:
                return status
            return Status.SIGNED if needs_entry_into_force else Status.IN_FORCE
        if self.kind == kind.TERMINATION_NOTIFIED:
            return Status.NOTICE_GIVEN
        if self.kind == kind.TERMINATED:
            return Status.TERMINATED
        # agreed, concluded, entered into force, revised, notice suspended or withdrawn
        return Status.IN_FORCE


# What a document that is not a treaty is after each milestone that would put a treaty in
# force, or leave it signed (AgreementEvent.status_after).
DOCUMENT_STATUSES = {
    AgreementEvent.Kind.SIGNED: Status.SIGNED, AgreementEvent.Kind.AGREED: Status.AGREED_DOCUMENT,
    AgreementEvent.Kind.REVISED: Status.REVISED, AgreementEvent.Kind.CONCLUDED: Status.CONCLUDED,
}

# What an agreement's status reads (defrel.stamp.token): the agreement, its milestones and the
# source that dates an undated status. The agreements matrix's rows are kept under it.
STATUS_READS = (Agreement, AgreementEvent, Source)
# What a table of agreements reads: their status and their parties' names (the whole
# agreements matrix, a partner's table of agreements on its profile).
AGREEMENT_TABLE_READS = (*STATUS_READS, Country)
