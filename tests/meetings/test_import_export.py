import html

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from defrel.resources import SourceResource
from meetings.models import (
    Agreement, AgreementEvent, Engagement, Exercise, Meeting, Occasion, Participation,
)
from meetings.resources import (
    AgreementEventResource, AgreementResource, EngagementResource, ExerciseResource,
    MeetingResource, OccasionResource, ParticipationResource,
)
from partners.models import Country, Official, Position, Tenure
from partners.resources import CountryResource, OfficialResource, PositionResource, TenureResource
from tests.meetings.factories import (
    AgreementEventFactory, EngagementFactory, ExerciseFactory, MeetingFactory, OccasionFactory,
    ParticipationFactory,
)
from tests.partners.factories import CountryFactory, TenureFactory

pytestmark = [pytest.mark.django_db]

HEADERS = MeetingResource().get_export_headers()


def meeting_row(**values):
    row = dict.fromkeys(HEADERS, "")
    row.update({"key": "2024-05-au-defmin", "date": "2024-05", "count": "1", "title_ja": "日豪防衛相会談",
                "title_en": "Japan–Australia Defense Ministerial Meeting", "kind": "talks",
                "level": "ministerial", "format": "in_person", "countries": "AU"})
    row.update(values)
    return row


def dataset(*rows):
    data = tablib.Dataset(headers=HEADERS)
    for row in rows:
        data.append([row[h] for h in HEADERS])
    return data


def import_rows(*rows):
    return MeetingResource().import_data(dataset(*rows), dry_run=False)


def errors_of(result):
    """(row number, column, message) of every validation error, as an editor sees them."""
    return [(row.number, field, " ".join(map(str, messages)))
            for row in result.invalid_rows for field, messages in row.field_specific_errors.items()]


@pytest.fixture
def australia():
    return CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")


@pytest.mark.parametrize(
    "bad, column, reason",
    [
        ({"countries": "AU|XX"}, "countries", "XX"),
        ({"date": "2024-21"}, "date", "2024-21"),
        ({"title_ja": ""}, "title_ja", ""),
        ({"level": "galactic"}, "level", "galactic"),
        ({"host_country": "ZZ"}, "host_country", "ZZ"),
        ({"participants": "nobody-at-all"}, "participants", "nobody-at-all"),
        ({"countries": ""}, "countries", ""),
        ({"date": "2024-05-01/2024-04-01"}, "date", "2024-05-01/2024-04-01"),
        ({"count": "2.9"}, "count", "2.9"),  # not truncated to 2
        ({"count": "0"}, "count", "1"),  # at least 1, said in words, not the constraint's name
    ],
)
def test_one_bad_row_writes_nothing_and_names_row_column_and_reason(australia, bad, column, reason):
    good = meeting_row()
    wrong = meeting_row(key="2024-06-au-defmin", **bad)
    result = import_rows(good, wrong)
    assert Meeting.objects.count() == 0
    errors = errors_of(result)
    assert [(number, field) for number, field, _ in errors] == [(2, column)]
    assert reason in errors[0][2]


def test_a_spreadsheets_whole_number_written_with_a_decimal_point_is_that_number(australia):
    result = import_rows(meeting_row(count="3.0"))
    assert errors_of(result) == [] and Meeting.objects.get().count == 3


def test_a_key_repeated_inside_the_file_is_refused_whole(australia):
    result = import_rows(meeting_row(), meeting_row(title_ja="別の会談"))
    assert Meeting.objects.count() == 0
    with translation.override("ja"):
        repeated = gettext("Row %(row)s repeats the key %(key)s of row %(first)s.") % {
            "row": 2, "key": "2024-05-au-defmin", "first": 1}
    assert str(result.base_errors[0].error) == repeated


def test_missing_and_unknown_columns_are_a_file_level_error(australia):
    data = tablib.Dataset(headers=["key", "date", "surprise"])
    data.append(["k", "2024", "x"])
    result = MeetingResource().import_data(data, dry_run=False)
    message = str(result.base_errors[0].error)
    assert "title_ja" in message and "surprise" in message
    assert Meeting.objects.count() == 0


def test_a_good_file_is_written_with_its_countries_and_participants(australia):
    official = TenureFactory(official__slug="kihara-minoru").official
    result = import_rows(meeting_row(countries="AU", participants="kihara-minoru"))
    assert not result.has_errors() and not result.has_validation_errors()
    meeting = Meeting.objects.get(key="2024-05-au-defmin")
    assert meeting.date_lower.isoformat() == "2024-05-01"
    assert list(meeting.participants.all()) == [official]


def test_formula_cells_are_escaped_on_export_and_restored_on_import(australia):
    MeetingFactory(key="formula", title_en="=HYPERLINK(\"http://x\")", countries=[australia])
    exported = MeetingResource().export()
    assert exported.dict[0]["title_en"].startswith("'=")
    Meeting.objects.all().delete()
    MeetingResource().import_data(exported, dry_run=False)
    assert Meeting.objects.get(key="formula").title_en == "=HYPERLINK(\"http://x\")"


def test_admin_import_previews_before_writing_and_refuses_a_bad_file(editor_client, australia):
    url = reverse("admin:meetings_meeting_import")
    bad = dataset(meeting_row(), meeting_row(key="b", countries="XX")).export("csv")
    response = editor_client.post(url, {"format": "0", "resource": "0",
                                        "import_file": SimpleUploadedFile("m.csv", bad.encode())})
    page = response.content.decode()
    with translation.override("ja"):
        unknown = gettext("unknown %(model)s: %(values)s") % {"model": Country._meta.verbose_name, "values": "XX"}
    assert unknown in html.unescape(page)
    assert "process_import" not in page  # no confirm form for a file with a bad row
    assert Meeting.objects.count() == 0

    good = dataset(meeting_row()).export("csv")
    response = editor_client.post(url, {"format": "0", "resource": "0",
                                        "import_file": SimpleUploadedFile("m.csv", good.encode())})
    page = response.content.decode()
    assert "process_import" in page  # the preview offers to confirm
    assert Meeting.objects.count() == 0
    confirm = response.context["confirm_form"].initial
    response = editor_client.post(reverse("admin:meetings_meeting_process_import"), confirm)
    assert response.status_code == 302
    assert Meeting.objects.get().title_ja == "日豪防衛相会談"


def test_oversized_upload_is_refused_before_parsing(editor_client, settings, australia):
    settings.DEFREL_IMPORT_MAX_BYTES = 100
    response = editor_client.post(reverse("admin:meetings_meeting_import"), {
        "format": "0", "resource": "0",
        "import_file": SimpleUploadedFile("big.csv", b"x" * 200)})
    assert "インポートできるのは100\xa0バイトまでです" in response.content.decode()
    assert Meeting.objects.count() == 0


RESOURCES = [
    (SourceResource, None), (CountryResource, Country), (OccasionResource, Occasion),
    (PositionResource, Position), (OfficialResource, Official), (TenureResource, Tenure),
    (ExerciseResource, Exercise), (MeetingResource, Meeting), (ParticipationResource, Participation),
    (AgreementResource, Agreement), (AgreementEventResource, AgreementEvent),
    (EngagementResource, Engagement),
]


def snapshot():
    """Every export's rows, without the version: records an import creates start at 1."""
    return {resource.__name__: sorted(map(tuple, resource().export().dict and
                                          [[v for k, v in r.items() if k != "version"]
                                           for r in resource().export().dict]))
            for resource, _ in RESOURCES}


@pytest.mark.django_db(transaction=True)  # flush cannot run inside a test's transaction on PostgreSQL
def test_an_export_of_everything_reimports_to_the_same_data():
    au, us = CountryFactory(code="AU"), CountryFactory(code="US")
    tenure = TenureFactory(official__country=au, date="2022-05-23/..")
    meeting = MeetingFactory(countries=[au, us], occasion=OccasionFactory(), date="2024-09-01/2024-10")
    ParticipationFactory(meeting=meeting, official=tenure.official, role="accompanying")
    exercise = ExerciseFactory(countries=[us], services="msdf|asdf", date="2024-04/..")
    meeting.exercises.add(exercise)
    event = AgreementEventFactory(meeting=meeting, agreement__parties=[au])
    event.agreement.aliases = "秘密軍事情報保護協定\n情報保護協定"
    event.agreement.save()
    EngagementFactory(date="", status="planned", countries=[au, us], agreement=event.agreement,
                      meeting=meeting, exercise=exercise, host_country=au).officials.set([tenure.official])
    EngagementFactory(date="2024-09/2024-10", kind="osa", countries=[au])
    before = snapshot()
    exports = {resource: resource().export() for resource, _ in RESOURCES}
    call_command("flush", interactive=False, verbosity=0)
    for resource, _ in RESOURCES:
        result = resource().import_data(exports[resource], dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors(), resource
    assert snapshot() == before
