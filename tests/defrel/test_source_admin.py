"""The sources' list in the admin gives each publisher in the editor's language."""
import pytest
from django.conf import settings
from django.urls import reverse

from tests.meetings.factories import SourceFactory
from tests.pages import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return SourceFactory(publisher_ja="防衛省", publisher_en="Ministry of Defense")


def test_an_english_speaking_editor_reads_the_publisher_in_english(editor_client, source):
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    shown = text(editor_client.get(reverse("admin:defrel_source_changelist")), start="result_list")

    assert "Ministry of Defense" in shown and "防衛省" not in shown


def test_a_japanese_speaking_editor_reads_it_in_japanese(editor_client, source):
    shown = text(editor_client.get(reverse("admin:defrel_source_changelist")), start="result_list")

    assert "防衛省" in shown and "Ministry of Defense" not in shown
