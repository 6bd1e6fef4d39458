from django import forms
from django.contrib import admin, messages
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from defrel import delete_effects, save_effects
from defrel.admin import EditorialAdmin, date_column
from defrel.admin_forms import InlineRowsFormSet, VersionCheckedForm, without_saved_rows
from defrel.admin_filters import YearFilter
from defrel.admin_input import CheckedAutocompleteFields, holds
from defrel.models import Localised, listed, loaded_parents, quoted
from defrel.queries import among
from meetings.models import (
    Agreement, AgreementEvent, Engagement, Exercise, Meeting, Occasion, Participation,
)
from meetings.models.services import SERVICES, has_service
from meetings.models.titles import affected, retitled_by_deleting
from meetings.resources import (
    AgreementEventResource, AgreementResource, EngagementResource, ExerciseResource,
    MeetingResource, OccasionResource, ParticipationResource,
)
from partners.models import Position, Tenure


@admin.register(Occasion)
class OccasionAdmin(EditorialAdmin):
    resource_classes = [OccasionResource]
    list_display = ["key", "name_ja", "name_en"]
    search_fields = ["key", "name_ja", "name_en"]


class KnownFromKept:
    """A participant written without saying how the record knows of them ("": not stated, as a
    meeting import's participants column writes them) keeps that answer until an editor gives
    one. Before, the meeting's page could not be saved without choosing one for each, which
    would invent the fact; a new participant still needs it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("known_from")
        if field is not None and self.instance.pk and not self.instance.known_from:
            field.required = False  # and Django then leaves it out of the model's validation
            field.choices = [("", _("not stated")), *[c for c in field.choices if c[0]]]


class ParticipationInlineForm(KnownFromKept, forms.ModelForm):
    pass


class TitleAtTheTime:
    """A participant's stored title at the time, shown beside the fields that give it."""

    readonly_fields = ["title_at_the_time"]

    @admin.display(description=_("title at the time"))
    def title_at_the_time(self, participation):
        if not participation.pk:
            return "—"
        return participation.title or _("no tenure covers this date")


class ParticipationInline(TitleAtTheTime, CheckedAutocompleteFields, admin.TabularInline):
    model = Participation
    formset = InlineRowsFormSet
    form = ParticipationInlineForm
    extra = 2
    autocomplete_fields = ["official"]
    fields = ["official", "role", "known_from", "title_at_the_time"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("meeting", "official", "position")


class AgreementEventInline(CheckedAutocompleteFields, admin.TabularInline):
    model = AgreementEvent
    formset = InlineRowsFormSet
    extra = 1
    fields = ["kind", "date", "meeting", "note_ja", "source", "source_excerpt"]
    # As on a meeting's page; a list of every source was read again for each row.
    autocomplete_fields = ["meeting", "source"]

    def get_queryset(self, request):
        # What each row shows: its name (the agreement's), its meeting and source.
        return super().get_queryset(request).select_related("agreement", "meeting", "source")


class MeetingAgreementEventInline(CheckedAutocompleteFields, admin.TabularInline):
    model = AgreementEvent
    formset = InlineRowsFormSet
    extra = 0
    fields = ["agreement", "kind", "date"]
    autocomplete_fields = ["agreement"]
    verbose_name_plural = _("agreement milestones at this meeting")
    # Each was reached at this meeting alone: "save as new" leaves them out of the copy
    # (MeetingAdmin.get_formset_kwargs), where each would repeat a milestone on record.
    copied_by_save_as_new = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement")  # named by them


class TitleInTheEditorsLanguage:
    """A record's title in the admin's language (the other's where empty), as the public
    pages show it, sorted as shown."""

    @admin.display(description=_("title"), ordering=Localised("title"))
    def title(self, record):
        return record.title


@admin.register(Meeting)
class MeetingAdmin(TitleInTheEditorsLanguage, EditorialAdmin):
    resource_classes = [MeetingResource]
    list_display = ["date_display", "title", "level", "kind", "format", "partner_codes", "key"]
    list_display_links = ["date_display", "title"]
    date_display = date_column()
    list_filter = [YearFilter, "level", "kind", "format", "occasion", "countries__region"]
    search_fields = ["key", "title_ja", "title_en", "summary_ja", "summary_en",
                     "countries__name_ja", "countries__name_en", "countries__code",
                     "participants__name_ja", "participants__name_en"]
    search_help_text = _("Titles, summaries, partners and participants, in Japanese or English.")
    autocomplete_fields = ["countries", "host_country", "occasion", "exercises", "source"]
    readonly_fields = ["date_lower", "date_upper"]
    inlines = [ParticipationInline, MeetingAgreementEventInline]
    ordering = ["-date_lower", "key"]
    # A meeting held again (the next ministerial, the same partners and people) starts from
    # a copy; the key must change, or the form says the key is taken. Its participants are
    # copied as the page shows them (the editor keeps, changes or removes each), not the
    # milestones reached at the original.
    save_as = True
    fieldsets = [
        (None, {"fields": ["key", ("date", "date_lower", "date_upper"), "count",
                           ("title_ja", "title_en"), ("kind", "level", "format"),
                           "countries", ("location_ja", "location_en"), "host_country",
                           ("occasion", "sequence")]}),
        (_("Content"), {"fields": ["summary_ja", "summary_en", "outcomes_ja", "outcomes_en",
                                   "exercises"]}),
        (_("Provenance"), {"fields": ["source", "source_excerpt"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("countries")

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if kwargs.get("save_as_new") and not getattr(inline, "copied_by_save_as_new", True):
            kwargs["data"], left = without_saved_rows(kwargs["data"], prefix, inline.model._meta.pk.name)
            pk = inline.model._meta.pk
            left = inline.get_queryset(request).filter(pk__in=[key for key in left if holds(pk, key)])
            if left:  # said whether the copy is saved or its page is shown again
                messages.info(request, _(
                    "The new meeting does not take the original's %(rows)s, which belong to that "
                    "meeting alone: %(names)s.") % {"rows": inline.model._meta.verbose_name_plural,
                                                    "names": listed(quoted(row) for row in left)})
        return kwargs

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Saved, but worth a word: a participant no tenure covers on the meeting's date (its
        # date mistyped, or the tenure not yet entered) has no title at the time anywhere.
        untitled = form.instance.participations.filter(position=None).select_related("official")
        if untitled:
            messages.warning(request, _(
                "No tenure on record covers this meeting's date for %(names)s: no title at the "
                "time is shown for them. Check the date, or add the tenure.") % {
                "names": listed(str(p.official) for p in untitled)})

    @admin.display(description=_("partners"))
    def partner_codes(self, meeting):
        return ", ".join(c.code for c in meeting.countries.all())


def title_change(participation, was, now):
    """A participant whose title at the time changes, as the delete page and the message after a
    save name it: its meeting and official, the title it ``was`` and the one it is ``now``
    (Positions or None), and the address of its meeting's page."""
    untitled = _("no title at the time")
    return (f"{participation.meeting} — {participation.official}: {was or untitled} → {now or untitled}",
            reverse("admin:meetings_meeting_change", args=[participation.meeting_id]))


def titles_changed(tenures):
    """Told on the delete pages of tenures (partners' admin, which knows no meetings): the
    participants whose title at the time the delete would change, each linked to its
    meeting, with the title it would then have."""
    participations = (retitled_by_deleting(tenures).select_related("meeting", "official", "position")
                      .order_by("-meeting__date_lower", "meeting__key", "pk"))
    shown, count = delete_effects.first_and_count(participations)
    if not count:
        return None
    held = Position.objects.in_bulk({p.held for p in shown if p.held})
    return delete_effects.Effect(
        heading=_("Titles at the time that this delete changes"),
        lead=_("These meetings' participants take their title at the time from the tenures being "
               "deleted. After the delete it will read as follows (“no title at the time”: no other "
               "tenure of theirs covers the meeting's date)."),
        shown=[title_change(p, p.position, held.get(p.held)) for p in shown],
        count=count)


def titles_retold(records):
    """Told after meetings, tenures or positions are saved (their pages, an official's tenures, a
    revert, an import: defrel.resources): the participants whose title at the time the save changed, each linked to its
    meeting, with the title it had and the one it has now. The titles are those the save stored
    (meetings.models.titles), read before and after it."""
    for record in records:
        if isinstance(record, Tenure):
            loaded_parents(record)  # its official before the save, who may lose titles too
    participations = affected(records)
    before = dict(participations.values_list("pk", "position"))

    def after():
        changed = [pk for pk, position in participations.values_list("pk", "position")
                   if pk in before and before[pk] != position]
        if not changed:
            return None
        shown = list(Participation.objects.filter(among(changed)).select_related("meeting", "official", "position")
                     .order_by("-meeting__date_lower", "meeting__key", "pk")[:delete_effects.SHOWN])
        was = Position.objects.in_bulk({before[p.pk] for p in shown} - {None})
        return delete_effects.Effect(
            heading="", count=len(changed),
            # Told after a save on a page and after an import alike.
            lead=ngettext("This changed the title at the time of %(count)s participant:",
                          "This changed the title at the time of %(count)s participants:",
                          len(changed)) % {"count": len(changed)},
            shown=[title_change(p, was.get(before[p.pk]), p.position) for p in shown])
    return after


delete_effects.register(Tenure, titles_changed)
for model in (Meeting, Tenure, Position):  # a meeting's date; a tenure's dates and office; a level
    save_effects.register(model, titles_retold)


class ParticipationForm(KnownFromKept, VersionCheckedForm):
    # Its meeting's version, which every write of the meeting's participants changes, as on
    # the meeting's page: a participant is read with the meeting it belongs to.
    guarded_by = "meeting"


@admin.register(Participation)
class ParticipationAdmin(TitleAtTheTime, EditorialAdmin):
    form = ParticipationForm
    resource_classes = [ParticipationResource]
    list_display = ["meeting", "official", "role", "known_from"]
    list_filter = ["known_from", "role"]
    list_select_related = ["meeting", "official"]
    search_fields = ["meeting__key", "meeting__title_ja", "meeting__title_en", "official__name_ja",
                     "official__name_en"]
    autocomplete_fields = ["meeting", "official"]


@admin.register(Agreement)
class AgreementAdmin(TitleInTheEditorsLanguage, EditorialAdmin):
    resource_classes = [AgreementResource]
    list_display = ["title", "short_name", "kind", "party_codes", "status_today", "key"]
    list_filter = ["kind", "stated_status", "parties__region"]
    search_fields = ["key", "title_ja", "title_en", "short_name", "aliases",
                     "parties__name_ja", "parties__name_en", "parties__code"]
    autocomplete_fields = ["parties", "source"]
    inlines = [AgreementEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("parties", "events")

    @admin.display(description=_("parties"))
    def party_codes(self, agreement):
        return ", ".join(c.code for c in agreement.parties.all())

    @admin.display(description=_("status today"))
    def status_today(self, agreement):
        return agreement.status_on().label


@admin.register(AgreementEvent)
class AgreementEventAdmin(EditorialAdmin):
    resource_classes = [AgreementEventResource]
    list_display = ["agreement", "kind", "date_display", "meeting"]
    date_display = date_column()
    list_filter = [YearFilter, "kind"]
    list_select_related = ["agreement", "meeting"]
    search_fields = ["agreement__title_ja", "agreement__title_en", "agreement__key", "agreement__aliases"]
    autocomplete_fields = ["agreement", "meeting", "source"]
    readonly_fields = ["date_lower", "date_upper"]


@admin.register(Exercise)
class ExerciseAdmin(EditorialAdmin):
    resource_classes = [ExerciseResource]
    list_display = ["date_display", "name_ja", "name_en", "japan_role", "participant_codes", "key"]
    date_display = date_column()
    list_filter = [YearFilter, "japan_role", "series"]
    search_fields = ["key", "name_ja", "name_en", "series_ja", "series"]
    autocomplete_fields = ["countries", "host_country", "source"]
    readonly_fields = ["date_lower", "date_upper"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("countries")

    @admin.display(description=_("partners"))
    def participant_codes(self, exercise):
        return ", ".join(c.code for c in exercise.countries.all())


class ServiceFilter(admin.SimpleListFilter):
    """One service at a time, though a record's cell may join several (“gsdf|msdf”)."""

    title = _("services")
    parameter_name = "service"

    def lookups(self, request, model_admin):
        return list(SERVICES.items())

    def queryset(self, request, queryset):
        if self.value() in SERVICES:
            return queryset.filter(has_service(self.value()))
        return queryset


@admin.register(Engagement)
class EngagementAdmin(TitleInTheEditorsLanguage, EditorialAdmin):
    resource_classes = [EngagementResource]
    list_display = ["date_display", "title", "kind", "status", "partner_codes", "key"]
    list_display_links = ["date_display", "title"]
    date_display = date_column()
    list_filter = [YearFilter, "kind", "status", ServiceFilter, ("countries", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["key", "title_ja", "title_en", "japan_side_ja", "japan_side_en",
                     "summary_ja", "summary_en", "location_ja", "location_en",
                     "countries__name_ja", "countries__name_en", "countries__code",
                     "officials__name_ja", "officials__name_en"]
    search_help_text = _("Titles, Japan's side, summaries, places, partners and officials, "
                         "in Japanese or English.")
    autocomplete_fields = ["countries", "officials", "host_country", "agreement", "meeting",
                           "exercise", "source"]
    readonly_fields = ["date_lower", "date_upper"]
    # Undated last, as on the public list.
    ordering = [F("date_lower").desc(nulls_last=True), "key"]
    fieldsets = [
        (None, {"fields": ["key", ("kind", "status"), ("date", "date_lower", "date_upper"),
                           ("title_ja", "title_en"), "countries",
                           ("japan_side_ja", "japan_side_en"), "services", "officials",
                           ("location_ja", "location_en"), "host_country"]}),
        (_("Links"), {"fields": ["agreement", "meeting", "exercise"]}),
        (_("Content"), {"fields": ["summary_ja", "summary_en"]}),
        (_("Provenance"), {"fields": ["source", "source_excerpt"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("countries")

    @admin.display(description=_("partners"))
    def partner_codes(self, engagement):
        return ", ".join(c.code for c in engagement.countries.all())
