"""What every column of every export means and what form its cells take.

The columns come from the resources themselves (the same ones the admin and the public
exports use), so the dictionary cannot drift from the files; only the descriptions are
written here, and a test fails when a column has none.
"""
import csv
import io
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from defrel.choices import accepted_values
from defrel.exports import BOM
from meetings.models import Status
from defrel.resources import SourceResource
from meetings.resources import (
    AgreementEventResource, AgreementResource, EngagementResource, ExerciseResource,
    MeetingResource, OccasionResource, ParticipationResource,
)
from partners.resources import CountryResource, OfficialResource, PositionResource, TenureResource
from partners.readings import japanese_page

# Forms of cells.
TEXT = _("text; may be empty")
REQUIRED_TEXT = _("text")
INTEGER = _("whole number; may be empty")
KEY = _("natural key: lower-case letters, digits and hyphens (2024-05-au-defmin); stable, "
        "used in addresses and by the other files")
EDTF = _("EDTF date, as precise as the source: a day 2024-05-17, a month 2024-05, a year 2024, "
         "an interval 2024-09/2024-10, or an open end 2024-04/.. (since April 2024)")
EDTF_TENURE = _("EDTF date as for meetings; either end may also be unknown: /2024-10-01 "
                "(start unknown), 2022-05/ (end unknown)")
LOWER = _("YYYY-MM-DD, derived from the date: the earliest day it can mean; export only, "
          "ignored on import")
UPPER = _("YYYY-MM-DD, derived from the date: the latest day it can mean, empty when the end "
          "is open or unknown; export only, ignored on import")
COUNTRY = _("country code (natural key): ISO 3166-1 alpha-2 for states (AU), an upper-case "
            "word for organisations (NATO)")
COUNTRIES = _("country codes joined by “|”, sorted: AU|US")
OFFICIALS = _("official slugs (natural keys) joined by “|”, in the order of the participant list")
EXERCISES = _("exercise keys joined by “|”, sorted")
JOINED = _("“|”-joined, one entry per participant, in the order of the participants column; "
           "export only")
SOURCE = _("source key (natural key of the document)")

COMMON = {
    "key": (_("Identifier of the record"), KEY),
    "date": (_("When it happened, as precisely as the source says"), EDTF),
    "date_lower": (_("Earliest day the date can mean, for sorting and filtering"), LOWER),
    "date_upper": (_("Latest day the date can mean, for sorting and filtering"), UPPER),
    "title_ja": (_("Title in Japanese"), REQUIRED_TEXT),
    "title_en": (_("Title in English"), REQUIRED_TEXT),
    "name_ja": (_("Name in Japanese"), REQUIRED_TEXT),
    "name_en": (_("Name in English"), REQUIRED_TEXT),
    "reading": (_("The name's reading, by which Japanese pages list names in 五十音 order; set "
                  "from the name where it is in kana or a dictionary word, from the romanised "
                  "name of a Japanese official, or by an editor"), _("hiragana; may be empty")),
    "reading_from": (_("How the reading is known"), None),
    "location_ja": (_("Place, in Japanese"), TEXT),
    "location_en": (_("Place, in English"), TEXT),
    "host_country": (_("Country or organisation that hosted it"), COUNTRY),
    "summary_ja": (_("Summary in Japanese"), TEXT),
    "summary_en": (_("Summary in English"), TEXT),
    "source": (_("The document it was derived from"), SOURCE),
    "source_excerpt": (_("The sentence of the source it was derived from, verbatim"), TEXT),
    "kind": (_("Kind of record"), None),
    "version": (_("How many times the record has been saved; an import that updates the record "
                  "must carry the version it was exported with, so it cannot undo a later edit"),
                _("whole number; export only, checked (not written) on import")),
}

SPECIFIC = {
    "meetings": {
        "count": (_("How many encounters the row stands for; more than 1 when the source "
                    "aggregates (“6回にわたる会談”)"), _("whole number, at least 1")),
        "kind": (_("Kind of encounter"), None),
        "level": (_("Level of the principals"), None),
        "format": (_("How it was held"), None),
        "occasion": (_("Multilateral venue on whose margins it happened"),
                     _("occasion key (natural key): shangri-la; may be empty")),
        "sequence": (_("Its number in a numbered series (第11回 → 11)"), INTEGER),
        "countries": (_("Partner countries and organisations; at least one"), COUNTRIES),
        "participants": (_("Officials who took part"), OFFICIALS),
        "participant_titles_ja": (_("Each participant's title on the meeting's date and name, "
                                    "in Japanese, computed from tenures"), JOINED),
        "participant_titles_en": (_("Each participant's title on the meeting's date and name, "
                                    "in English, computed from tenures"), JOINED),
        "participant_known_from": (_("How each participant is known: excerpt (named in the "
                                     "quoted sentence), source (named elsewhere in the same "
                                     "source) or public_record (identified from public record)"),
                                   JOINED),
        "outcomes_ja": (_("Outcomes in Japanese"), TEXT),
        "outcomes_en": (_("Outcomes in English"), TEXT),
        "exercises": (_("Exercises observed at the meeting"), EXERCISES),
    },
    "participations": {
        "meeting": (_("The meeting"), _("meeting key (natural key)")),
        "official": (_("The official who took part"), _("official slug (natural key)")),
        "role": (_("Principal or accompanying"), None),
        "known_from": (_("How the record knows the official took part: excerpt (named in the "
                         "quoted sentence), source (named elsewhere in the same source) or "
                         "public_record (identified from public record)"), None),
        "position": (_("The office the official held on the meeting's dates (the title at the "
                       "time), computed from tenures; export only"),
                     _("position key (natural key); empty when no tenure covers the date")),
        "title_ja": (_("The title at the time, in Japanese; export only"), TEXT),
        "title_en": (_("The title at the time, in English; export only"), TEXT),
    },
    "agreements": {
        "short_name": (_("Short name (ACSA, GSOMIA, RAA)"), TEXT),
        "kind": (_("Kind of agreement"), None),
        "parties": (_("Partner countries and organisations party to it; at least one"), COUNTRIES),
        "aliases": (_("Other names it goes by; search finds it by any of them"),
                    _("names joined by “|”")),
        "stated_status": (_("Status the source states without a date; used only when no "
                            "milestone is dated"), None),
        "status_today": (_("Status on the day of the export, computed from the milestones; "
                           "export only"),
                         format_lazy(_("one of: {}"), ", ".join(s.value or '""' for s in Status))),
        "status_as_of": (_("Status on the day the list was asked for (?as_of=), as the list "
                           "shows it; else as status_today; export only"),
                         format_lazy(_("one of: {}"), ", ".join(s.value or '""' for s in Status))),
    },
    "agreement-milestones": {
        "agreement": (_("The agreement"), _("agreement key (natural key)")),
        "kind": (_("Milestone in the agreement's life"), None),
        "meeting": (_("The meeting at which it happened"), _("meeting key; may be empty")),
        "note_ja": (_("Note in Japanese"), TEXT),
        "note_en": (_("Note in English"), TEXT),
    },
    "exercises": {
        "series": (_("Series the exercise belongs to, in English (Freedom Edge)"), TEXT),
        "series_ja": (_("Series the exercise belongs to, in Japanese (フリーダム・エッジ)"), TEXT),
        "edition": (_("Edition within the series (2nd iteration, 24)"), TEXT),
        "countries": (_("Partner countries and organisations taking part"), COUNTRIES),
        "japan_role": (_("Japan's role"), None),
        "services": (_("Services of the Self-Defense Forces taking part"),
                     _("joint, gsdf, msdf, asdf joined by “|”")),
    },
    "engagements": {
        "kind": (_("Kind of engagement: port call, capacity building, equipment transfer, "
                   "Official Security Assistance, education or unit exchange, deployment"), None),
        "status": (_("Whether the source reports it as carried out, or as planned or announced"), None),
        "date": (_("When it happened, as precisely as the source says; empty when the source "
                   "gives it no date of its own (an activity only welcomed at a meeting)"),
                 _("EDTF date as for meetings, or empty when undated")),
        "date_lower": (_("Earliest day the date can mean, for sorting and filtering; empty "
                         "when undated"), LOWER),
        "date_upper": (_("Latest day the date can mean, for sorting and filtering; empty "
                         "when undated"), UPPER),
        "countries": (_("Partner countries and organisations; at least one"), COUNTRIES),
        "japan_side_ja": (_("Japan's side as the source names it (units, ships, aircraft: "
                            "護衛艦「むらさめ」), in Japanese"), TEXT),
        "japan_side_en": (_("Japan's side as the source names it, in English"), TEXT),
        "services": (_("Services of the Self-Defense Forces taking part"),
                     _("joint, gsdf, msdf, asdf joined by “|”")),
        "officials": (_("Officials the source names"),
                      _("official slugs (natural keys) joined by “|”, sorted")),
        "agreement": (_("The agreement it rests on (an OSA exchange of notes, an equipment "
                        "transfer agreement)"), _("agreement key; may be empty")),
        "meeting": (_("The meeting that announced it"), _("meeting key; may be empty")),
        "exercise": (_("The exercise held with it"), _("exercise key; may be empty")),
    },
    "countries": {
        "code": (_("Identifier of the country or organisation"), COUNTRY),
        "kind": (_("State or international organisation"), None),
        "formal_ja": (_("The full Japanese name, where the name in use is shorter (大韓民国 for "
                        "韓国)"), TEXT),
        "short_ja": (_("One-character Japanese form used in 日豪, 日米韓"), TEXT),
        "region": (_("Region, as the white paper groups partners"), None),
        "relationship_ja": (_("The relationship as the documents name it, in Japanese"), TEXT),
        "relationship_en": (_("The relationship as the documents name it, in English"), TEXT),
        "significance_ja": (_("Why the partner matters, summarised, in Japanese"), TEXT),
        "significance_en": (_("Why the partner matters, summarised, in English"), TEXT),
    },
    "officials": {
        "slug": (_("Identifier of the person: romanised, family name first"),
                 _("natural key: kihara-minoru")),
        "country": (_("Country or organisation the person speaks for"), COUNTRY),
    },
    "positions": {
        "country": (_("Country or organisation of the office"), COUNTRY),
        "title_ja": (_("Title of the office in Japanese"), REQUIRED_TEXT),
        "title_en": (_("Title of the office in English"), REQUIRED_TEXT),
        "level": (_("Level of the office"), None),
        "seats": (_("How many people hold the office at once (usually 1)"),
                  _("whole number, at least 1")),
    },
    "occasions": {
        "key": (_("Identifier of the venue"), _("natural key: shangri-la")),
    },
    "sources": {
        "key": (_("Identifier of the document"), _("natural key: wp2025")),
        "title_ja": (_("Title of the document in Japanese"), REQUIRED_TEXT),
        "title_en": (_("Title of the document in English"), REQUIRED_TEXT),
        "publisher_ja": (_("Publisher in Japanese"), TEXT),
        "publisher_en": (_("Publisher in English"), TEXT),
        "date": (_("When the document was published"), _("EDTF date; may be empty")),
        "url": (_("Where the document is published"), _("URL; may be empty")),
        "filename": (_("The copy of the text shipped with defrel (sources/)"), TEXT),
    },
    "tenures": {
        "official": (_("The person"), _("official slug (natural key)")),
        "position": (_("The office held"), _("position key (natural key)")),
        "date": (_("When the office was held"), EDTF_TENURE),
    },
}

# (slug, title, resource, public export URL name or "" for the admin only)
EXPORTS = [
    ("meetings", _("Meetings"), MeetingResource, "meetings:meeting-export"),
    ("participations", _("Participations"), ParticipationResource, ""),
    ("agreements", _("Agreements"), AgreementResource, "meetings:agreement-export"),
    ("agreement-milestones", _("Agreement milestones"), AgreementEventResource, ""),
    ("exercises", _("Exercises"), ExerciseResource, "meetings:exercise-export"),
    ("engagements", _("Engagements"), EngagementResource, "meetings:engagement-export"),
    ("countries", _("Countries and organisations"), CountryResource, ""),
    ("officials", _("Officials"), OfficialResource, ""),
    ("positions", _("Positions"), PositionResource, ""),
    ("tenures", _("Tenures"), TenureResource, ""),
    ("occasions", _("Occasions"), OccasionResource, ""),
    ("sources", _("Sources"), SourceResource, ""),
]


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    form: str
    natural_key: bool


@dataclass(frozen=True)
class Export:
    slug: str
    title: str
    url_name: str
    columns: list


def describe(slug, name):
    """(meaning, form) of one column, or None when it has no description."""
    return SPECIFIC[slug].get(name) or COMMON.get(name)


def choices_form(resource, name):
    """“one of: a, b, c” for a column backed by a model field with choices."""
    field = resource.fields.get(name)
    try:
        model_field = resource._meta.model._meta.get_field(field.attribute)
    except (AttributeError, FieldDoesNotExist, TypeError):
        return TEXT
    if not model_field.choices:
        return TEXT
    return format_lazy(_("one of: {}"), accepted_values(model_field))


def missing():
    """[(export, column)] of the columns that have no description."""
    return [(slug, name) for slug, _title, resource_class, _url in EXPORTS
            for name in resource_class().get_export_headers() if describe(slug, name) is None]


def exports():
    built = []
    for slug, title, resource_class, url_name in EXPORTS:
        resource = resource_class()
        keys = {resource.fields[f].column_name for f in resource._meta.import_id_fields}
        columns = []
        for name in resource.get_export_headers():
            meaning, form = describe(slug, name) or ("", "")
            columns.append(Column(name, meaning, form or choices_form(resource, name), name in keys))
        built.append(Export(slug, title, url_name, columns))
    return built


def csv_name():
    """The file's name: its meanings are in the page's language, so the English one is named
    apart (-en) and a reader who takes both keeps both."""
    return "defrel-data-dictionary.csv" if japanese_page() else "defrel-data-dictionary-en.csv"


def as_csv(built):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["export", "column", "natural_key", "meaning", "form"])
    for export in built:
        for c in export.columns:
            writer.writerow([export.slug, c.name, "yes" if c.natural_key else "", c.meaning, c.form])
    return BOM + out.getvalue()
