"""CSV, XLSX and JSON columns of meetings, agreements, milestones, exercises and engagements.

Foreign keys are natural keys (country codes, official slugs, record keys); many-to-many
cells join natural keys with “|”; dates are EDTF, with their derived bounds beside them
(export only)."""
from django.utils.translation import gettext, gettext_lazy as _
from import_export import fields

from defrel.imports.readahead import chunked
from defrel.models import Source
from defrel.queries import among
from defrel.resources import SEPARATOR, CuratedResource, KeysWidget, KeyWidget, LinesWidget
from meetings import fast_export
from meetings.models import (
    Agreement, AgreementEvent, Engagement, Exercise, Meeting, Occasion, Participation,
)
from partners.models import Country, Official, Position


def key_field(name, model, key):
    return fields.Field(name, name, KeyWidget(model, key))


def keys_field(name, model, key):
    return fields.Field(name, name, KeysWidget(model, key))


def bound_fields():
    return (fields.Field("date_lower", "date_lower", readonly=True),
            fields.Field("date_upper", "date_upper", readonly=True))


class OccasionResource(CuratedResource):
    class Meta(CuratedResource.Meta):
        model = Occasion
        import_id_fields = ["key"]
        fields = ["key", "name_ja", "name_en", "version"]
        export_order = fields


class MeetingResource(CuratedResource):
    date_lower, date_upper = bound_fields()
    host_country = key_field("host_country", Country, "code")
    occasion = key_field("occasion", Occasion, "key")
    countries = keys_field("countries", Country, "code")
    participants = keys_field("participants", Official, "slug")
    participant_titles_ja = fields.Field(column_name="participant_titles_ja", readonly=True)
    participant_titles_en = fields.Field(column_name="participant_titles_en", readonly=True)
    participant_known_from = fields.Field(column_name="participant_known_from", readonly=True)
    exercises = keys_field("exercises", Exercise, "key")
    source = key_field("source", Source, "key")

    required_m2m = ("countries",)
    # The running import's milestones reached at the file's meetings: meeting pk → (the
    # meeting's date as stored, [milestones]).
    milestones = {}
    # Export-only columns, named in the admin's export form (defrel.admin_forms.ColumnsExportForm)
    column_labels = {
        "participant_titles_ja": _("participants' titles at the time (Japanese)"),
        "participant_titles_en": _("participants' titles at the time (English)"),
        "participant_known_from": _("how each participant is known"),
    }

    class Meta(CuratedResource.Meta):
        model = Meeting
        import_id_fields = ["key"]
        fields = [
            "key", "date", "date_lower", "date_upper", "count", "title_ja", "title_en", "kind",
            "level", "format", "location_ja", "location_en", "host_country", "occasion",
            "sequence", "countries", "participants", "participant_titles_ja",
            "participant_titles_en", "participant_known_from", "summary_ja", "summary_en", "outcomes_ja", "outcomes_en",
            "exercises", "source", "source_excerpt", "version",
        ]
        export_order = fields
        # Rows are written together with their links and history once all are validated,
        # and not at all if one is wrong (see CuratedResource.flush): 10,000 rows in seconds.
        use_bulk = True
        batch_size = None

    def get_queryset(self):
        return Meeting.objects.with_people().prefetch_related("exercises")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)  # the file's meetings read ahead
        self.milestones = {}
        for chunk in chunked(self.read_ahead_state.existing.values()):
            for milestone in (AgreementEvent.objects.filter(among(chunk, "meeting"))
                              .select_related("agreement", "meeting")):
                stored = self.milestones.setdefault(milestone.meeting_id, (milestone.meeting.date, []))
                stored[1].append(milestone)

    def check_against_others(self, instance, errors):
        """A meeting's new date must keep the milestones reached at it on its days (the rule
        is the milestone's own, AgreementEvent.off_its_meeting). A row that keeps the date
        is not refused for a milestone already off it (the quality page lists those)."""
        stored_date, milestones = self.milestones.get(instance.pk, (None, ()))
        if "date" in errors or not milestones or stored_date == instance.date:
            return {}
        refused = []
        for milestone in milestones:
            milestone.meeting = instance  # as the row would date it
            if milestone.off_its_meeting():
                refused.append(gettext("milestone “%(milestone)s”: %(reason)s") % {
                    "milestone": milestone, "reason": milestone.off_its_meeting_message()})
        return {"date": refused} if refused else {}

    def export_rows(self, headers, queryset):
        """The rows of ``queryset`` as export_resource gives them, written by the database
        (see meetings.fast_export)."""
        return fast_export.meeting_rows(self, headers, queryset)

    def export_csv(self, headers, queryset):
        """The streamed export's CSV, in chunks, written by the database (meetings.fast_export)."""
        return fast_export.csv_chunks(self, headers, queryset)

    def export_ndjson(self, headers, queryset):
        """The streamed NDJSON, in chunks, written by the database (meetings.export_json)."""
        return fast_export.json_chunks(self, headers, queryset)

    def export_values(self, headers, queryset):
        """The plain values of NDJSON and the release, read by the database (meetings.fast_export)."""
        return fast_export.value_rows(self, headers, queryset)

    def export(self, queryset=None, **kwargs):
        """The admin's export (CSV, XLSX, JSON…) from the same rows as the streamed one."""
        dataset = fast_export.export_dataset(self, queryset, **kwargs)
        return super().export(queryset, **kwargs) if dataset is None else dataset

    def dehydrate_participants(self, meeting):
        return SEPARATOR.join(p.official.slug for p in meeting.participations.all())

    def _titles(self, meeting, lang):
        """Each participant's title at the time (stored) and name; export_sql.titled_name
        writes the same cell in SQL."""
        return SEPARATOR.join(
            f"{getattr(p.position, f'title_{lang}', '')} {getattr(p.official, f'name_{lang}')}".strip()
            for p in meeting.participations.all())

    def dehydrate_participant_titles_ja(self, meeting):
        return self._titles(meeting, "ja")

    def dehydrate_participant_titles_en(self, meeting):
        return self._titles(meeting, "en")

    def dehydrate_participant_known_from(self, meeting):
        return SEPARATOR.join(p.known_from for p in meeting.participations.all())


class ParticipationResource(CuratedResource):
    meeting = key_field("meeting", Meeting, "key")
    official = key_field("official", Official, "slug")
    # The title at the time, as stored with the participation (derived from tenures): export only.
    position = fields.Field("position", "position", KeyWidget(Position, "key"), readonly=True)
    title_ja = fields.Field("position__title_ja", "title_ja", readonly=True)
    title_en = fields.Field("position__title_en", "title_en", readonly=True)

    class Meta(CuratedResource.Meta):
        model = Participation
        import_id_fields = ["meeting", "official"]
        fields = ["meeting", "official", "role", "known_from", "position", "title_ja", "title_en", "version"]
        export_order = fields

    def get_queryset(self):
        return Participation.objects.select_related("meeting", "official", "position")


class AgreementResource(CuratedResource):
    parties = keys_field("parties", Country, "code")
    aliases = fields.Field("aliases", "aliases", LinesWidget())
    status_today = fields.Field(column_name="status_today", readonly=True)
    # The status on the day a list asks for (?as_of=, set on each record as ``as_of_day`` by
    # the list's CSV and JSON), so that they give the status the list shows and filters on.
    status_as_of = fields.Field(column_name="status_as_of", readonly=True)
    source = key_field("source", Source, "key")

    required_m2m = ("parties",)
    column_labels = {"status_today": _("status today"), "status_as_of": _("status on the list's day")}

    class Meta(CuratedResource.Meta):
        model = Agreement
        import_id_fields = ["key"]
        fields = ["key", "title_ja", "title_en", "short_name", "kind", "parties", "aliases",
                  "stated_status", "status_today", "summary_ja", "summary_en", "source",
                  # status_as_of came later: no earlier column moves, and version stays last
                  "source_excerpt", "status_as_of", "version"]
        export_order = fields

    def get_queryset(self):
        return Agreement.objects.with_lifecycle()

    def dehydrate_status_today(self, agreement):
        return agreement.status_on().value

    def dehydrate_status_as_of(self, agreement):
        return agreement.status_on(getattr(agreement, "as_of_day", None)).value


class AgreementEventResource(CuratedResource):
    agreement = key_field("agreement", Agreement, "key")
    date_lower, date_upper = bound_fields()
    meeting = key_field("meeting", Meeting, "key")
    source = key_field("source", Source, "key")

    class Meta(CuratedResource.Meta):
        model = AgreementEvent
        import_id_fields = ["agreement", "kind", "date"]
        fields = ["agreement", "kind", "date", "date_lower", "date_upper", "meeting", "note_ja",
                  "note_en", "source", "source_excerpt", "version"]
        export_order = fields

    def get_queryset(self):
        return AgreementEvent.objects.select_related("agreement", "meeting", "source")


class ExerciseResource(CuratedResource):
    date_lower, date_upper = bound_fields()
    host_country = key_field("host_country", Country, "code")
    countries = keys_field("countries", Country, "code")
    source = key_field("source", Source, "key")

    class Meta(CuratedResource.Meta):
        model = Exercise
        import_id_fields = ["key"]
        fields = ["key", "name_ja", "name_en", "series", "edition", "date", "date_lower",
                  "date_upper", "location_ja", "location_en", "host_country", "countries",
                  "japan_role", "services", "summary_ja", "summary_en", "source", "source_excerpt",
                  # series_ja came later: no earlier column moves, and version stays last
                  "series_ja", "version"]
        export_order = fields

    def get_queryset(self):
        return Exercise.objects.select_related("host_country", "source").prefetch_related("countries")


class EngagementResource(CuratedResource):
    date_lower, date_upper = bound_fields()
    countries = keys_field("countries", Country, "code")
    officials = keys_field("officials", Official, "slug")
    host_country = key_field("host_country", Country, "code")
    agreement = key_field("agreement", Agreement, "key")
    meeting = key_field("meeting", Meeting, "key")
    exercise = key_field("exercise", Exercise, "key")
    source = key_field("source", Source, "key")

    required_m2m = ("countries",)

    class Meta(CuratedResource.Meta):
        model = Engagement
        import_id_fields = ["key"]
        fields = ["key", "kind", "status", "date", "date_lower", "date_upper", "title_ja",
                  "title_en", "countries", "japan_side_ja", "japan_side_en", "services",
                  "officials", "location_ja", "location_en", "host_country", "agreement",
                  "meeting", "exercise", "summary_ja", "summary_en", "source", "source_excerpt",
                  "version"]
        export_order = fields

    def get_queryset(self):
        return Engagement.objects.with_links()
