"""A write renews the stamps of what it touches only: an edit to one Australian meeting leaves
the Peruvian profile and the agreements matrix warm (drawn from the cache), while every page
that shows the meeting shows the edit at the next request."""
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from defrel import stamp, stamp_writes
from defrel.models import DataStamp
from meetings.models import Agreement, Exercise, Meeting
from meetings.views import profiles
from tests.meetings.factories import AgreementEventFactory, AgreementFactory, MeetingFactory, ParticipationFactory
from tests.meetings.test_views_lists import facet_counts, page
from tests.pages import table_row, text
from tests.partners.factories import CountryFactory, OfficialFactory, TenureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    # Every write here runs its commit callbacks: the test's own transaction never commits.
    with django_capture_on_commit_callbacks(execute=True):
        au = CountryFactory(code="AU", name_en="Australia", region="oceania")
        pe = CountryFactory(code="PE", name_en="Peru", region="latin_america")
        australian = MeetingFactory(key="au-talks", countries=[au], level="ministerial",
                                    title_ja="日豪防衛相会談", title_en="Japan–Australia talks")
        MeetingFactory(key="pe-talks", countries=[pe], level="vice_ministerial", title_ja="日ペルー防衛相会談", title_en="Japan–Peru talks")
        agreement = AgreementFactory(parties=[pe], key="pe-mou", short_name="PE-MOU")
        AgreementEventFactory(agreement=agreement, kind="concluded", date="2016-11")
    return {"au": au, "pe": pe, "australian": australian}


def profile(client, code):
    return client.get(reverse("partners:country-detail", args=[code]))


def matrix(client):
    return client.get(reverse("meetings:agreement-matrix"))


def warm(client):
    return text(profile(client, "PE")), text(matrix(client)), text(profile(client, "AU"))


def edit(record, callbacks, **fields):
    with callbacks(execute=True):
        for name, value in fields.items():
            setattr(record, name, value)
        record.save()


def test_an_australian_edit_leaves_the_peruvian_profile_and_the_matrix_warm(
        client, world, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    peru, table, australia = warm(client)
    edit(world["australian"], django_capture_on_commit_callbacks, title_ja="日豪防衛相会談（改題）")
    with django_assert_max_num_queries(2):  # the country and the stamps: the rest is kept
        assert text(profile(client, "PE")) == peru
    with django_assert_max_num_queries(1):  # the stamps: the table is kept
        assert text(matrix(client)) == table
    assert "日豪防衛相会談（改題）" in text(profile(client, "AU"))
    assert "日豪防衛相会談（改題）" not in australia


def test_an_australian_edit_shows_in_the_meeting_counts(client, world, django_capture_on_commit_callbacks):
    before = facet_counts(page(client, "meetings:meeting-list", lang="en"), "level")
    edit(world["australian"], django_capture_on_commit_callbacks, level="senior_official")
    after = facet_counts(page(client, "meetings:meeting-list", lang="en"), "level")
    assert before.get("ministerial") == 1 and "ministerial" not in after
    assert sum(after.values()) == sum(before.values()) == 2


def test_a_meeting_moved_from_australia_to_peru_leaves_one_profile_and_joins_the_other(
        client, world, django_capture_on_commit_callbacks):
    peru, _table, australia = warm(client)
    assert "日豪防衛相会談" in australia and "日豪防衛相会談" not in peru
    with django_capture_on_commit_callbacks(execute=True):
        world["australian"].countries.set([world["pe"]])
    assert "日豪防衛相会談" in text(profile(client, "PE"))
    assert "日豪防衛相会談" not in text(profile(client, "AU"))


def test_a_deleted_meeting_leaves_its_partners_profile(client, world, django_capture_on_commit_callbacks):
    assert "日豪防衛相会談" in warm(client)[2]
    with django_capture_on_commit_callbacks(execute=True):
        world["australian"].delete()
    assert "日豪防衛相会談" not in text(profile(client, "AU"))


def test_an_agreement_edit_renews_the_matrix_and_its_partners_profile(client, world, django_capture_on_commit_callbacks):
    warm(client)
    agreement = world["pe"].agreements.get()
    with django_capture_on_commit_callbacks(execute=True):
        agreement.short_name = "PE-MOU (renamed)"
        agreement.save()
    assert "PE-MOU (renamed)" in text(matrix(client))
    assert "PE-MOU (renamed)" in text(profile(client, "PE"))


def test_an_agreement_edit_draws_again_the_rows_of_its_partners_alone(
        client, world, drawn_rows, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        australian = AgreementFactory(parties=[world["au"]], key="au-acsa", short_name="AU-ACSA", kind="acsa")
        AgreementEventFactory(agreement=australian, kind="entered_into_force", date="2017-09")
    assert "AU-ACSA" in table_row(matrix(client), "AU")
    assert drawn_rows == [["AU", "PE"]]
    peruvian = world["pe"].agreements.get()
    with django_capture_on_commit_callbacks(execute=True):
        AgreementEventFactory(agreement=peruvian, kind="terminated", date="2020-03")
    table = matrix(client)
    assert 'status-terminated' in table_row(table, "PE") and "AU-ACSA" in table_row(table, "AU")
    assert drawn_rows == [["AU", "PE"], ["PE"]]
    with django_capture_on_commit_callbacks(execute=True):
        peruvian.parties.set([world["au"]])  # moved to Australia: Peru has no agreement left
    table = matrix(client)
    assert "PE-MOU" in table_row(table, "AU") and 'id="PE"' not in table.content.decode()
    assert drawn_rows[-1] == ["AU"]


def test_a_renamed_country_renews_every_profile(client, world, django_capture_on_commit_callbacks):
    warm(client)
    with django_capture_on_commit_callbacks(execute=True):
        world["au"].name_en = "Commonwealth of Australia"
        world["au"].save()
    english = client.get("/en" + reverse("partners:country-detail", args=["AU"]))
    assert "Commonwealth of Australia" in text(english)


def test_a_write_that_cannot_say_what_it_touched_renews_everything(world):
    peru = stamp.token(*stamp.curated_models(), partner_pk=world["pe"].pk)
    table = stamp.token(*stamp.reads(world["australian"].__class__))
    stamp.bump()  # as synth, restore and bulk imports do
    assert stamp.token(*stamp.curated_models(), partner_pk=world["pe"].pk) != peru
    assert stamp.token(*stamp.reads(world["australian"].__class__)) != table


def test_many_records_in_one_transaction_count_for_every_partner(world, django_capture_on_commit_callbacks):
    """An import through the admin saves row by row: past a few dozen records their partners
    are not looked up one by one (a query each), the write counts for every partner."""
    peru = stamp.token(*stamp.curated_models(), partner_pk=world["pe"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(stamp_writes.PARTNERS_LOOKED_UP + 1):
            MeetingFactory(key=f"au-{i}", countries=[world["au"]])
    assert stamp.token(*stamp.curated_models(), partner_pk=world["pe"].pk) != peru


def test_an_australian_edit_leaves_the_exercise_counts_warm(world, django_capture_on_commit_callbacks):
    exercises, meetings = stamp.token(*stamp.reads(Exercise)), stamp.token(*stamp.reads(Meeting))
    edit(world["australian"], django_capture_on_commit_callbacks, title_en="Japan–Australia talks (renamed)")
    assert stamp.token(*stamp.reads(Exercise)) == exercises
    assert stamp.token(*stamp.reads(Meeting)) != meetings


def test_a_milestone_restored_from_its_history_after_its_meeting_was_deleted_keeps_its_agreements_partners(world):
    # The admin's revert saves a milestone as it was, naming a meeting deleted since: the
    # database refuses it at commit, and until then the stamp must not fail on the meeting.
    meeting = MeetingFactory(key="pe-signing", countries=[world["au"]])
    milestone = AgreementEventFactory(agreement=Agreement.objects.get(key="pe-mou"), meeting=meeting,
                                      kind="signed", date="2016-10")
    restored = milestone.history.earliest().instance
    meeting_pk = meeting.pk
    meeting.delete()
    assert restored.meeting_id == meeting_pk and not Meeting.objects.filter(pk=meeting_pk).exists()
    assert restored.stamp_partners() == [world["pe"].pk]


def test_a_meeting_edit_leaves_its_partners_agreements_kept(client, world, drawn_rows, django_capture_on_commit_callbacks):
    # Peru's stamps are kept by table: an edit to a Peruvian meeting renews its meetings, not
    # its agreements, so neither Peru's row of the matrix nor its profile's table of
    # agreements is drawn again, and the profile still shows the edit.
    matrix(client), profile(client, "PE")
    drawn_rows.clear()
    edit(Meeting.objects.get(key="pe-talks"), django_capture_on_commit_callbacks, title_ja="日ペルー防衛相会談（改）")
    with django_capture_on_commit_callbacks(execute=True):
        australian = AgreementFactory(parties=[world["au"]], key="au-acsa", short_name="AU-ACSA", kind="acsa")
        AgreementEventFactory(agreement=australian, kind="entered_into_force", date="2017-09")
    table = matrix(client)
    assert "AU-ACSA" in table_row(table, "AU") and "PE-MOU" in table_row(table, "PE")
    assert drawn_rows == [["AU"]]
    with CaptureQueriesContext(connection) as queries:
        page = text(profile(client, "PE"))
    assert "日ペルー防衛相会談（改）" in page and "PE-MOU" in page
    assert not [q for q in queries if 'FROM "meetings_agreement" ' in q["sql"]]


def test_the_partner_stamps_of_the_old_form_are_removed_by_their_migration():
    # Every public request reads every stamp row: the migration removes those nothing reads now.
    migration = importlib.import_module("defrel.migrations.0009_partner_stamp_groups")
    kept = {"partner:5:records", "partner:*:agreements", "meetings.meeting", "*", "block:meetings.meeting:3"}
    for scope in kept | {"partner:5", "partner:*"}:
        DataStamp.objects.create(scope=scope, token="t")
    migration.remove_old_partner_stamps(django_apps, SimpleNamespace(connection=connection))
    assert set(DataStamp.objects.values_list("scope", flat=True)) == kept


def ministerial():
    return reverse("meetings:meeting-list") + "?level=ministerial"


def queries_of(client, url):
    with CaptureQueriesContext(connection) as run:
        response = client.get(url)
    return len(run), text(response)


def ministerial_list_warm(client):
    """(the queries of the ministerial meetings' list drawn from the cache, its text)."""
    client.get(ministerial())
    return queries_of(client, ministerial())


def test_a_corrected_summary_leaves_the_lists_counts_warm_and_shows_at_once(
        client, world, django_capture_on_commit_callbacks):
    """Editors correct texts far more often than they move a meeting: the lists' facets and
    totals read no summary or title, so they stay cached, while the row shows the correction
    and a search finds it at the next request."""
    warm_queries, before = ministerial_list_warm(client)
    edit(world["australian"], django_capture_on_commit_callbacks, title_ja="日豪防衛相会談（訂正）",
         summary_ja="両大臣は共同訓練の拡充で一致した。")
    after_queries, after = queries_of(client, ministerial())
    assert after_queries == warm_queries
    assert "日豪防衛相会談（訂正）" in after and "日豪防衛相会談（訂正）" not in before
    found = text(client.get(reverse("meetings:meeting-list") + "?q=共同訓練の拡充"))
    assert "日豪防衛相会談（訂正）" in found and "日ペルー防衛相会談" not in found


def test_a_changed_level_or_partner_counts_again(client, world, django_capture_on_commit_callbacks):
    warm_queries, _ = ministerial_list_warm(client)
    edit(world["australian"], django_capture_on_commit_callbacks, level="senior_official",
         summary_ja="格を改めた。")
    cold_queries, after = queries_of(client, ministerial())
    assert cold_queries > warm_queries and "日豪防衛相会談" not in after
    senior = "?level=senior_official"
    assert "Peru" not in facet_counts(page(client, "meetings:meeting-list", senior, lang="en"), "country")
    with django_capture_on_commit_callbacks(execute=True):
        world["australian"].countries.add(world["pe"])
    counts = facet_counts(page(client, "meetings:meeting-list", senior, lang="en"), "country")
    assert counts == {"Australia": 1, "Peru": 1}


def test_the_timelines_years_are_counted_again_after_a_new_date_not_a_new_summary(
        world, django_capture_on_commit_callbacks):
    def years_stamp():
        return stamp.token(*stamp.curated_models(), summaries=True)

    before = years_stamp()
    edit(world["australian"], django_capture_on_commit_callbacks, summary_en="Corrected.", title_en="Talks")
    assert years_stamp() == before
    edit(world["australian"], django_capture_on_commit_callbacks, date="1999-05")
    assert years_stamp() != before


def test_a_meeting_deleted_after_a_failed_save_counts_again(world, django_capture_on_commit_callbacks):
    """A save that failed after the stamps had looked at it leaves no mark that would make the
    next write, a delete, look like a corrected text."""
    counts = stamp.token(*stamp.reads(Meeting), summaries=True)
    australian = world["australian"]
    australian.summary_en = "Corrected."
    with django_capture_on_commit_callbacks(execute=True):
        stamp_writes.before_save(Meeting, australian)  # as a save that then failed would have
        australian.delete()
    assert stamp.token(*stamp.reads(Meeting), summaries=True) != counts


@pytest.fixture
def drawn_charts(monkeypatch):
    """The partners whose profile charts were counted afresh, in order."""
    drawn = []
    counted = profiles.encounters_by_level

    def counting(meetings):
        drawn.append(meetings.values_list("countries__code", flat=True).distinct().get())
        return counted(meetings)

    monkeypatch.setattr(profiles, "encounters_by_level", counting)
    return drawn


def test_a_corrected_summary_leaves_its_partners_charts_kept_and_shows_in_its_timeline(
        client, world, drawn_charts, django_capture_on_commit_callbacks):
    """A profile's charts and who met whom count levels, dates and people, not texts: an
    editor's correction draws the partner's timeline again, not its charts."""
    before = text(profile(client, "AU"))
    assert drawn_charts == ["AU"]
    edit(world["australian"], django_capture_on_commit_callbacks, title_ja="日豪防衛相会談（訂正）",
         summary_en="Corrected.")
    after = text(profile(client, "AU"))
    assert drawn_charts == ["AU"]
    assert "日豪防衛相会談（訂正）" in after and "日豪防衛相会談（訂正）" not in before
    edit(world["australian"], django_capture_on_commit_callbacks, level="senior_official")
    profile(client, "AU")
    assert drawn_charts == ["AU", "AU"]
    with django_capture_on_commit_callbacks(execute=True):
        ParticipationFactory(meeting=world["australian"], role="principal")
    profile(client, "AU")
    assert drawn_charts == ["AU", "AU", "AU"]


def test_an_officials_page_keeps_who_met_whom_while_texts_are_corrected_and_shows_every_write(
        client, world, monkeypatch, django_capture_on_commit_callbacks):
    """An official's meetings span partners, so the page is kept under the whole data's stamps:
    who met whom until a count changes, the timeline until any record does."""
    with django_capture_on_commit_callbacks(execute=True):
        ours = OfficialFactory(country=CountryFactory(code="JP", name_en="Japan"), name_en="Kihara Minoru")
        TenureFactory(official=ours)  # 2023-09-13/2024-10-01: the meetings of 2024-05
        theirs = OfficialFactory(country=world["au"], name_en="Richard Marles")
        for official in (ours, theirs):
            ParticipationFactory(meeting=world["australian"], official=official, role="principal")
    counted, real = [], profiles.who_met_whom
    monkeypatch.setattr(profiles, "who_met_whom", lambda **kw: counted.append(kw) or real(**kw))
    with translation.override("en"):
        url = reverse("partners:official-detail", args=[ours.slug])
    before = text(client.get(url))
    assert "Richard Marles" in before and len(counted) == 1
    assert "1 meeting in this office" in before
    office = ours.tenures.get().position.title_en  # the timeline's entry names the office held that day
    assert office in before[before.rindex("Timeline"):]
    edit(world["australian"], django_capture_on_commit_callbacks, title_en="Talks, corrected")
    after = text(client.get(url))
    assert "Talks, corrected" in after and "Talks, corrected" not in before
    assert len(counted) == 1
    with django_capture_on_commit_callbacks(execute=True):
        ParticipationFactory(meeting=world["australian"], official=OfficialFactory(
            country=world["au"], name_en="Angus Campbell"), role="principal")
        ParticipationFactory(meeting=MeetingFactory(key="au-talks-2", countries=[world["au"]]), official=ours)
    again = text(client.get(url))
    assert "Angus Campbell" in again and "2 meetings in this office" in again and len(counted) == 2
