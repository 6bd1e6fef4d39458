"""Curated values corrected in a database loaded before (meetings.corrections and the correction
migrations): only a value still as curated changes, an editor's is kept, the version moves, the
history says so, and what derives from the values follows."""
import datetime
import importlib

import pytest
from django.apps import apps

from defrel import search_index
from meetings.corrections import REASON
from defrel.search import matching
from meetings.models import Agreement, Engagement, Exercise, Meeting, Status
from tests import curated

pytestmark = pytest.mark.django_db


def migration(name):
    return importlib.import_module(f"meetings.migrations.{name}")


def loaded_before(*tables):
    """The records named in ``tables`` ((model, {key: {field: (as curated, corrected)}}), …) as
    the curated fixtures had them before the correction, the search documents with them."""
    for model, table in tables:
        for key, fields in table.items():
            model.objects.filter(key=key).update(**{name: was for name, (was, _now) in fields.items()})
    search_index.rebuild_all()


def found(words):
    return set(Meeting.objects.filter(matching(Meeting, words)).values_list("key", flat=True))


def test_a_database_loaded_before_names_the_march_2018_plan_as_its_source_does():
    """外務相間 (between the foreign ministers), not 外務省間: in the meeting and in the plan,
    except where an editor wrote their own; versions move, the history says why, and the search
    finds the source's words in the meeting's text and in the plan it names."""
    plan = migration("0018_ru_consultation_plan_of_the_foreign_ministers")
    curated.load_curated()
    loaded_before((Meeting, plan.MEETINGS), (Agreement, plan.AGREEMENTS))
    Meeting.objects.filter(key="2018-03-ru-fm").update(summary_en="An editor's own summary.")
    assert found("2019年の日露外務相間協議計画") == set()
    before = {m.key: m.version for m in (Meeting.objects.get(key="2018-03-ru-fm"),
                                         Agreement.objects.get(key="ru-mofa-consultation-plan-2018-2019"))}

    plan.name_the_plan_as_the_source_does(apps, None)

    meeting = Meeting.objects.get(key="2018-03-ru-fm")
    agreement = Agreement.objects.get(key="ru-mofa-consultation-plan-2018-2019")
    assert meeting.summary_ja.endswith("2018年から2019年の日露外務相間協議計画が署名された。")
    assert meeting.outcomes_ja == "2018年から2019年の日露外務相間協議計画に署名。"
    assert meeting.outcomes_en == "Signed the 2018–2019 Japan–Russia consultation plan between the foreign ministers."
    assert meeting.summary_en == "An editor's own summary."
    assert agreement.title_ja == "2018年から2019年の日露外務相間協議計画"
    assert (meeting.version - before[meeting.key], agreement.version - before[agreement.key]) == (1, 1)
    entry = meeting.history.latest()
    assert (entry.history_type, entry.history_change_reason, entry.outcomes_ja) == ("~", REASON, meeting.outcomes_ja)
    assert [link.country.code for link in entry.countries.all()] == ["RU"]
    assert agreement.history.latest().history_change_reason == REASON
    assert found("2019年の日露外務相間協議計画") == {"2018-03-ru-fm"}

    plan.name_the_plan_as_the_source_does(apps, None)  # once only
    assert Meeting.objects.get(key="2018-03-ru-fm").version == meeting.version


def test_a_database_loaded_before_gets_the_russia_records_of_2017_and_2018_as_their_source_has_them():
    """The defence ministers' meeting of July 2018 loses the day the text does not give: its
    bounds are the month's and its participants keep their titles; the meetings of 31 July lose
    Moscow; the engagement and the exercise of the same source follow; a place an editor gave
    is kept."""
    russia = migration("0019_ru_2017_2018_read_against_the_source")
    curated.load_curated()
    loaded_before((Meeting, russia.MEETINGS), (Engagement, russia.ENGAGEMENTS), (Exercise, russia.EXERCISES))
    Meeting.objects.filter(key="2018-07-31-ru-defmin").update(date_lower=datetime.date(2018, 7, 31),
                                                                date_upper=datetime.date(2018, 7, 31))
    Meeting.objects.filter(key="2018-07-31-ru-fm").update(location_ja="モスクワ市内", location_en="in Moscow")
    versions = dict(Meeting.objects.values_list("key", "version"))

    russia.read_again_against_the_source(apps, None)

    defmin = Meeting.objects.get(key="2018-07-31-ru-defmin")
    assert (defmin.date, defmin.date_lower, defmin.date_upper) == (
        "2018-07", datetime.date(2018, 7, 1), datetime.date(2018, 7, 31))
    assert defmin.title_ja == "日露防衛大臣会談" and defmin.history.latest().history_change_reason == REASON
    assert sorted(p.title for p in defmin.titled_participations()) == ["ロシア国防大臣", "防衛大臣"]
    assert Meeting.objects.filter(date_lower__year=2018, date_lower__month=7, date="2018-07-31").count() == 2
    places = dict(Meeting.objects.filter(key__startswith="2018-07-31-ru").values_list("key", "location_ja"))
    assert places == {"2018-07-31-ru-2plus2": "", "2018-07-31-ru-defmin": "", "2018-07-31-ru-fm": "モスクワ市内"}
    fm = Meeting.objects.get(key="2018-07-31-ru-fm")
    assert fm.location_en == "in Moscow" and "諸般の事情が許せば" in fm.summary_ja
    changed = {key for key, version in Meeting.objects.values_list("key", "version") if version != versions[key]}
    assert changed == set(russia.MEETINGS)
    assert "2018年7月の小野寺防衛大臣の訪露の成果" in Engagement.objects.get(
        key="2018-10-ru-pacific-fleet-hakodate-port-call").summary_ja
    assert Exercise.objects.get(key="undated-ru-sarex").summary_ja.startswith("ショイグ国防大臣は")
    assert found("小野寺防衛大臣との会談及び") == {"2018-07-31-ru-2plus2"}


def test_a_database_loaded_before_leaves_how_participants_are_known_to_their_page(client):
    """The notes that the text names no participant leave the three summaries; the meeting's
    page says it from the participants' known_from."""
    notes = migration("0020_participants_known_from_not_in_summaries")
    curated.load_curated()
    loaded_before((Meeting, notes.MEETINGS))
    assert "当時の4か国の国防担当大臣として記録" in Meeting.objects.get(key="2024-05-us-au-ph-defmin").summary_ja

    notes.leave_the_participants_to_known_from(apps, None)

    meeting = Meeting.objects.get(key="2024-05-us-au-ph-defmin")
    assert meeting.summary_ja.endswith("重要な連携について強調した。")
    assert meeting.summary_en.endswith("a free, open, secure and prosperous Indo-Pacific.")
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "4名の参加者は、出典にこの会談での名前がなく、公開情報（当日の在任者）により特定しました。" in page
    assert "として記録" not in page
    assert Meeting.objects.get(key="2024-08-in-defmin").summary_ja == (
        "2024年8月に日印防衛相会談が行われた(本文は陸幕長の会談の記述の中で言及するのみ)。")


def test_a_database_loaded_before_states_the_two_undated_signatures_as_signed():
    """The Indian joint declaration and the Italian memorandum, 署名 without a date: signed by
    the source's date, no longer in force; an editor's status is kept."""
    signed = migration("0021_documents_signed_not_in_force")
    curated.load_curated()
    loaded_before((Agreement, signed.AGREEMENTS))
    Agreement.objects.filter(key="it-defense-mou").update(stated_status="")  # an editor's

    signed.signed_as_the_source_says(apps, None)

    declaration = Agreement.objects.get(key="in-joint-declaration-security-cooperation")
    assert (declaration.stated_status, declaration.status_on()) == ("signed", Status.SIGNED_BY)
    assert Agreement.objects.get(key="it-defense-mou").stated_status == ""
