"""One official holds one office once over any stretch of days: a second tenure of the same
official in the same position over days both surely cover is refused by the tenure's form,
the official's tenure rows and the import, naming the tenure on record to correct instead."""
import re

import pytest
import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from partners.models import Tenure
from partners.resources import TenureResource
from tests.pages import form_fields
from tests.partners.factories import CountryFactory, OfficialFactory, PositionFactory, TenureFactory

pytestmark = pytest.mark.django_db

CORRECT_IT = "Correct the dates of that tenure instead of adding another."
ON_RECORD = "“Kihara Minoru — Minister of Defense (13 September 2023 – 1 October 2024)”"


@pytest.fixture
def minister():
    japan = CountryFactory(code="JP")
    kihara = OfficialFactory(country=japan, slug="kihara-minoru", name_ja="木原稔", name_en="Kihara Minoru")
    office = PositionFactory(country=japan, key="jp-defmin", title_ja="防衛大臣", title_en="Minister of Defense")
    return TenureFactory(official=kihara, position=office, date="2023-09-13/2024-10-01")


def refusal(tenure, language="en"):
    with translation.override(language), pytest.raises(ValidationError) as refused:
        tenure.full_clean()
        return None
    with translation.override(language):
        return refused.value.message_dict


def test_a_second_tenure_of_the_same_official_in_the_same_office_over_the_same_days_is_refused(minister):
    again = Tenure(official=minister.official, position=minister.position, date="2023-09-14/2024-10-01")
    errors = refusal(again)
    assert list(errors) == ["date"]
    assert ON_RECORD in errors["date"][0] and CORRECT_IT in errors["date"][0]


def test_the_editor_is_told_what_to_do_in_japanese(minister):
    again = Tenure(official=minister.official, position=minister.position, date="2024-01/..")
    [message] = refusal(again, "ja")["date"]
    assert message.endswith("在任を追加せず、登録済みの在任の日付を訂正してください。")


def test_a_handover_in_the_month_a_tenure_ended_is_not_an_overlap(minister):
    Tenure(official=minister.official, position=minister.position, date="2024-10/..").full_clean()
    Tenure(official=minister.official, position=minister.position, date="2022/2023-09").full_clean()


def test_the_same_official_may_hold_another_office_on_the_same_days(minister):
    member = PositionFactory(country=minister.position.country, key="jp-diet", level="other")
    Tenure(official=minister.official, position=member, date="2021/..").full_clean()


def test_a_tenure_moved_onto_another_of_the_same_office_is_refused_and_one_saved_unchanged_is_not(minister):
    later = TenureFactory(official=minister.official, position=minister.position, date="2026-01/..")
    later.date = "2024-06/.."
    assert ON_RECORD in refusal(later)["date"][0]
    # one already overlapping (written round the forms) is listed by the quality page, and its
    # form may still be saved as it is
    TenureFactory(official=minister.official, position=minister.position, date="2024-01/2024-03")
    Tenure.objects.get(pk=minister.pk).full_clean()


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page_text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_tenure_form_refuses_it_and_says_what_to_do(editor_client, minister):
    url = reverse("admin:partners_tenure_add")
    form = form_fields(english(editor_client).get(url))
    form.update(official=[str(minister.official_id)], position=[str(minister.position_id)],
                date=["2023-10/2024-09"])

    response = editor_client.post(url, form)

    assert "This overlaps a tenure already on record" in page_text(response)
    assert CORRECT_IT in page_text(response)
    assert Tenure.objects.count() == 1


def official_rows(client, official):
    url = reverse("admin:partners_official_change", args=[official.pk])
    return url, form_fields(english(client).get(url))


def new_row(form, index, position, date):
    form[f"tenures-{index}-position"], form[f"tenures-{index}-date"] = [str(position.pk)], [date]
    form["tenures-TOTAL_FORMS"] = [str(index + 1)]


def test_the_officials_rows_refuse_a_new_row_overlapping_a_stored_one(editor_client, minister):
    url, form = official_rows(editor_client, minister.official)
    new_row(form, 1, minister.position, "2024-01/..")

    response = editor_client.post(url, form)

    assert CORRECT_IT in page_text(response)
    assert list(Tenure.objects.values_list("date", flat=True)) == ["2023-09-13/2024-10-01"]


def test_the_officials_rows_refuse_two_new_rows_overlapping_each_other(editor_client, minister):
    url, form = official_rows(editor_client, minister.official)
    new_row(form, 1, minister.position, "2026-01/2026-12")
    new_row(form, 2, minister.position, "2026-06/..")

    response = editor_client.post(url, form)

    assert CORRECT_IT in page_text(response)
    assert Tenure.objects.count() == 1

    form["tenures-2-date"] = ["2027-01/.."]  # a handover after the first ends is saved
    assert editor_client.post(url, form).status_code == 302
    assert Tenure.objects.count() == 3


HEADERS = ["official", "position", "date", "version"]


def import_rows(*rows, dry_run=False):
    with translation.override("en"):
        return TenureResource().import_data(tablib.Dataset(*rows, headers=HEADERS), dry_run=dry_run)


def errors_of(result):
    with translation.override("en"):
        return [(row.number, field, " ".join(map(str, messages)))
                for row in result.invalid_rows for field, messages in row.field_specific_errors.items()]


@pytest.mark.parametrize("dry_run", [True, False])
def test_an_import_of_a_tenure_whose_start_was_corrected_is_refused_and_writes_nothing(minister, dry_run):
    other = OfficialFactory(country=minister.official.country, slug="ishiba-shigeru")
    result = import_rows((other.slug, "jp-defmin", "2024-10-01/..", ""),
                         ("kihara-minoru", "jp-defmin", "2023-09-14/2024-10-01", ""), dry_run=dry_run)

    [(row, column, message)] = errors_of(result)
    assert (row, column) == (2, "date")
    assert ON_RECORD in message and CORRECT_IT in message
    assert list(Tenure.objects.values_list("date", flat=True)) == ["2023-09-13/2024-10-01"]


def test_an_import_refuses_two_rows_of_one_office_over_the_same_days(minister):
    result = import_rows(("kihara-minoru", "jp-defmin", "2026-01/2026-12", ""),
                         ("kihara-minoru", "jp-defmin", "2026-06/..", ""))

    assert [(row, column) for row, column, _ in errors_of(result)] == [(2, "date")]
    assert Tenure.objects.count() == 1


def test_an_import_of_the_tenures_as_exported_stands_beside_a_duplicate_already_on_record(minister):
    TenureFactory(official=minister.official, position=minister.position, date="2024-01/2024-03")
    exported = TenureResource().export()

    result = TenureResource().import_data(exported, dry_run=False)

    assert not result.has_validation_errors() and not result.has_errors()
    assert Tenure.objects.count() == 2


def test_a_new_officials_rows_refuse_two_rows_of_one_office_over_the_same_days(editor_client, minister):
    url = reverse("admin:partners_official_add")
    form = form_fields(english(editor_client).get(url))
    form.update(slug=["ishiba-shigeru"], name_ja=["石破茂"], name_en=["Ishiba Shigeru"],
                country=[str(minister.official.country_id)])
    new_row(form, 0, minister.position, "2024-10-01/..")
    new_row(form, 1, minister.position, "2025-01/2025-06")

    response = editor_client.post(url, form)

    assert CORRECT_IT in page_text(response)
    assert Tenure.objects.count() == 1


def test_an_import_compares_each_row_with_the_tenures_read_once_for_the_file(minister, monkeypatch):
    handed = []
    refuse = Tenure.refuse_overlap
    monkeypatch.setattr(Tenure, "refuse_overlap", lambda tenure, others=None: (
        handed.append(others), refuse(tenure, others))[1])
    officials = [OfficialFactory(country=minister.official.country, slug=f"official-{i}") for i in range(5)]

    result = import_rows(*[(o.slug, "jp-defmin", f"202{i}-01/202{i}-06", "") for i, o in enumerate(officials)])

    assert not result.has_validation_errors()
    assert len(handed) == 5 and None not in handed  # none read the database for itself
