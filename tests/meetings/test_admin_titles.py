"""The meeting, agreement and engagement lists of the admin title each record in the editor's
language (the other language's where that is empty), as the public pages do, and sort by it."""
import html
import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.meetings.factories import AgreementFactory, EngagementFactory, MeetingFactory

pytestmark = pytest.mark.django_db

FACTORIES = {"meeting": MeetingFactory, "agreement": AgreementFactory, "engagement": EngagementFactory}
TITLES = [("あ会談", "Zulu talks"), ("い会談", "Alpha talks"), ("う会談", "")]


def shown_titles(page):
    cells = re.findall(r'class="field-title"[^>]*>(?:<a [^>]*>)?([^<]*)<', page)
    return [html.unescape(cell) for cell in cells]


def title_sort_link(page):
    header = re.search(r'<th scope="col" class="[^"]*column-title[^"]*">.*?<a href="([^"]+)"', page, re.S)
    return html.unescape(header.group(1))


@pytest.fixture(params=FACTORIES)
def model(request):
    for japanese, english in TITLES:
        FACTORIES[request.param](title_ja=japanese, title_en=english)
    return request.param


def test_an_english_editor_sees_the_english_titles_and_the_japanese_where_none(editor_client, model):
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse(f"admin:meetings_{model}_changelist")
    page = editor_client.get(url).content.decode()
    assert sorted(shown_titles(page)) == ["Alpha talks", "Zulu talks", "う会談"]

    page = editor_client.get(url + title_sort_link(page)).content.decode()
    assert shown_titles(page) == ["Alpha talks", "Zulu talks", "う会談"]


def test_a_japanese_editor_sees_the_japanese_titles_sorted(editor_client, model):
    url = reverse(f"admin:meetings_{model}_changelist")
    page = editor_client.get(url).content.decode()
    page = editor_client.get(url + title_sort_link(page)).content.decode()
    assert shown_titles(page) == ["あ会談", "い会談", "う会談"]


def test_an_english_editor_finds_a_record_by_its_title_in_either_language(editor_client, model):
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse(f"admin:meetings_{model}_changelist")
    assert shown_titles(editor_client.get(url, {"q": "Alpha"}).content.decode()) == ["Alpha talks"]
    assert shown_titles(editor_client.get(url, {"q": "あ会談"}).content.decode()) == ["Zulu talks"]
