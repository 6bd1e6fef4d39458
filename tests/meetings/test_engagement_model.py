"""An engagement may be undated (the text only welcomes it at a meeting): it keeps no bounds,
counts in no year, and a dated one needs a known start."""
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from meetings.models import Engagement
from tests.partners.factories import CountryFactory

pytestmark = pytest.mark.django_db


def make(key, date, **fields):
    engagement = Engagement(key=key, kind="port_call", date=date, title_ja="寄港", title_en="Port call",
                            **fields)
    engagement.full_clean()
    engagement.save()
    engagement.countries.set([CountryFactory(code="PH")])
    return engagement


def test_an_undated_engagement_has_no_bounds_and_no_year():
    undated = make("ph-undated", "")
    dated = make("ph-dated", "2024-06", status="planned")
    assert (undated.date_lower, undated.date_upper) == (None, None)
    assert list(Engagement.objects.in_period(2024)) == [dated]
    with translation.override("en"):
        assert undated.date_display == "undated"
        assert dated.date_display == "June 2024"
    # Newest first, the undated last.
    assert list(Engagement.objects.all()) == [dated, undated]


def test_a_dated_engagement_needs_a_known_start():
    with pytest.raises(ValidationError) as error:
        make("ph-bad", "/2024-06")
    assert "date" in error.value.message_dict
    engagement = make("ph-ok", "2024-06")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Engagement.objects.filter(pk=engagement.pk).update(date_lower=None)


def test_a_named_exercise_the_text_does_not_date_is_recorded_undated():
    from meetings.models import Exercise

    brunet = Exercise(key="undated-fr-brunet-takamori", name_ja="ブリュネ・タカモリ", name_en="Brunet-Takamori",
                      date="")
    brunet.full_clean(exclude=["countries"])
    brunet.save()
    dated = Exercise.objects.create(key="pitch-black-24", name_ja="ピッチ・ブラック24", name_en="Pitch Black 24",
                                    date="2024-07-12/2024-08-02")
    assert brunet.date_lower is None and list(Exercise.objects.in_period(2024)) == [dated]
    assert list(Exercise.objects.all()) == [dated, brunet]


def test_the_timeline_and_home_page_leave_undated_records_out(client):
    from meetings.models import Exercise

    undated = Exercise.objects.create(key="undated-fr-brunet-takamori", name_ja="ブリュネ・タカモリ",
                                      name_en="Brunet-Takamori", date="")
    dated = Exercise.objects.create(key="pitch-black-24", name_ja="ピッチ・ブラック24", name_en="Pitch Black 24",
                                    date="2024-07-12/2024-08-02")
    for country in (CountryFactory(code="FR"), CountryFactory(code="AU")):
        (undated if country.code == "FR" else dated).countries.set([country])
    for url in ("/", "/timeline/"):
        page = client.get(url).content.decode()
        # PostgreSQL sorts an unknown date first, newest first: the chronology never sees it.
        assert "ピッチ・ブラック24" in page and "ブリュネ・タカモリ" not in page, url
