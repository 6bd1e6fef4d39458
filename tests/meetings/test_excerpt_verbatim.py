"""An excerpt is the sentence a record came from, copied verbatim: where the source's text ships
with defrel, a form or an import whose excerpt is not in it is refused, the excerpt named, as
check_provenance refuses a curated one (white space aside)."""
import html

import pytest
import tablib
from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags

from meetings.models import Meeting
from meetings.resources import AgreementEventResource
from tests.meetings.factories import AgreementFactory, MeetingFactory, SourceFactory
from tests.pages import form_fields

pytestmark = [pytest.mark.django_db]

QUOTED = "2024年5月、木原防衛大臣(当時)は、ハワイにおいて日米豪防衛相会談を行った。"
REFUSED = "「令和7年版防衛白書」の本文に見当たりません"


@pytest.fixture
def white_paper():
    return SourceFactory(filename="004_3f20f60fb676c9fe.txt")


def page(response):
    return html.unescape(response.content.decode())


def save_excerpt(client, meeting, excerpt):
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    form = form_fields(client.get(url))
    form["source_excerpt"] = [excerpt]
    return client.post(url, form)


def test_an_excerpt_not_in_its_sources_text_is_refused_and_named(editor_client, white_paper):
    meeting = MeetingFactory(source=white_paper, source_excerpt=QUOTED)
    response = save_excerpt(editor_client, meeting, QUOTED.replace("木原", "木村"))

    assert response.status_code == 200 and REFUSED in page(response)
    assert Meeting.objects.get().source_excerpt == QUOTED


def test_the_excerpt_copied_with_other_line_breaks_is_saved(editor_client, white_paper):
    meeting = MeetingFactory(source=white_paper, source_excerpt="")
    response = save_excerpt(editor_client, meeting, QUOTED.replace("、", "、\n"))
    assert response.status_code == 302
    assert Meeting.objects.get().source_excerpt == QUOTED.replace("、", "、\n")


def test_a_source_without_its_text_checks_nothing(editor_client):
    meeting = MeetingFactory(source=SourceFactory(key="press-2024"), source_excerpt="")
    assert save_excerpt(editor_client, meeting, "会談を行った。").status_code == 302


def test_an_import_names_the_row_and_column(white_paper):
    AgreementFactory(key="au-raa")
    dataset = tablib.Dataset(headers=["agreement", "kind", "date", "meeting", "note_ja", "note_en", "source",
                                      "source_excerpt"])
    dataset.append(["au-raa", "signed", "2024-05", "", "", "", "wp2025", QUOTED])
    dataset.append(["au-raa", "entered_into_force", "2024-08", "", "", "", "wp2025", QUOTED.replace("木原", "木村")])

    result = AgreementEventResource().import_data(dataset, dry_run=True)

    assert [(row.number, list(row.field_specific_errors)) for row in result.invalid_rows] == [(2, ["source_excerpt"])]
    assert REFUSED in str(result.invalid_rows[0].field_specific_errors["source_excerpt"])


def test_a_row_wrong_in_its_date_and_its_excerpt_names_both(white_paper):
    AgreementFactory(key="au-raa")
    dataset = tablib.Dataset(headers=["agreement", "kind", "date", "meeting", "note_ja", "note_en", "source",
                                      "source_excerpt"])
    dataset.append(["au-raa", "signed", "2024-08/2024-05", "", "", "", "wp2025", QUOTED.replace("木原", "木村")])

    result = AgreementEventResource().import_data(dataset, dry_run=True)

    assert [sorted(row.field_specific_errors) for row in result.invalid_rows] == [["date", "source_excerpt"]]


@pytest.fixture
def english(editor_client):
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return editor_client


def test_in_english_the_refusal_names_the_source_by_its_english_title(english, white_paper):
    meeting = MeetingFactory(source=white_paper, source_excerpt=QUOTED)
    response = save_excerpt(english, meeting, QUOTED.replace("木原", "木村"))

    assert "Not found in the text of “Defense of Japan 2025”" in page(response)
    assert "令和7年版防衛白書" not in page(response)


def test_in_english_the_message_after_saving_a_source_names_its_english_title(english, white_paper):
    url = reverse("admin:defrel_source_change", args=[white_paper.pk])
    response = english.post(url, form_fields(english.get(url)), follow=True)

    [message] = [html.unescape(strip_tags(str(m))) for m in response.context["messages"]]
    assert message == "The source “Defense of Japan 2025” was changed successfully."
