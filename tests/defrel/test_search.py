"""One search rule across everything: text normalised one way when indexed and when searched,
and the search documents following every write path (edit, then the new text is found and
the old one is not)."""
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from defrel import search_index
from defrel.search import SearchDocument, matching, normalise, terms
from meetings.models import Agreement, Engagement, Exercise, Meeting
from partners.models import Country
from tests.defrel.sites import drop_database, empty_database_url, manage, run, site_url
from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory,
    ParticipationFactory,
)
from tests.meetings.test_admin import meeting_form
from tests.meetings.test_import_export import import_rows, meeting_row
from tests.partners.factories import CountryFactory, OfficialFactory, TenureFactory


def found(model, query):
    return set(model.objects.filter(matching(model, query)).values_list("pk", flat=True))


# --- the rule --------------------------------------------------------------------------------

@pytest.mark.parametrize("written, typed", [
    ("ＡＣＳＡ", "ACSA"),                        # full width
    ("ｶｼｭｳﾅｽ", "カシュウナス"),                  # half-width katakana, voiced marks kept
    ("Laurynas Kasčiūnas", "laurynaskasciunas"),  # accents, case, spaces
    ("カマラ・ハリス", "カマラ･ハリス"),            # middle dots, full and half width
    ("カマラ・ハリス", "カマラ ハリス"),
    ("Japan–ROK", "Japan-ROK"),                  # en dash and hyphen
    ("日韓\u3000GSOMIA", "日韓GSOMIA"),            # ideographic space
])
def test_the_one_rule_makes_what_is_written_and_what_is_typed_alike(written, typed):
    assert normalise(written) == normalise(typed)


def test_the_rule_keeps_what_tells_words_apart():
    assert normalise("ガ") != normalise("カ")  # a voiced mark is a letter, not an accent
    assert normalise("ー") == "ー"  # the long vowel mark is no dash


def test_a_query_is_cut_into_terms_where_latin_letters_meet_kana_or_kanji():
    assert terms("日韓GSOMIA") == ["日韓", "gsomia"]
    assert terms("GSOMIA  Korea") == ["gsomia", "korea"]
    assert terms("第11回 F-35") == ["第11回", "f-35"]
    # a number ending the word is a term of its own; one followed by kanji stays with it
    assert terms("日豪2+2") == ["日豪", "2+2"]
    assert terms("日豪２＋２") == ["日豪", "2+2"]
    assert terms("2024年5月") == ["2024年5月"]
    # brackets and quotation marks part words, as a reader copies them from a title
    assert terms("日豪「2+2」") == terms("日豪（「２＋２」）") == ["日豪", "2+2"]
    assert terms('"Japan-ROK" GSOMIA') == ["japan-rok", "gsomia"]
    assert terms("  ") == []


# --- the index follows every write path ------------------------------------------------------

@pytest.mark.django_db
def test_a_saved_record_is_found_by_its_new_text_and_not_its_old():
    meeting = MeetingFactory(title_en="Old Harbour Talks")
    assert found(Meeting, "harbour") == {meeting.pk}
    meeting.title_en = "New Summit"
    meeting.save()
    assert found(Meeting, "harbour") == set()
    assert found(Meeting, "new summit") == {meeting.pk}


@pytest.mark.django_db
def test_partners_participants_and_agreements_are_found_through_the_records_naming_them():
    kr = CountryFactory(code="KR", name_ja="大韓民国", name_en="Republic of Korea", short_ja="韓")
    agreement = AgreementFactory(parties=[kr], title_ja="日韓秘密軍事情報保護協定")
    meeting = MeetingFactory(countries=[kr])
    official = OfficialFactory(name_en="Laurynas Kasčiūnas")
    participation = ParticipationFactory(meeting=meeting, official=official)
    event = AgreementEventFactory(agreement=agreement, meeting=meeting)
    assert found(Meeting, "Kasciunas") == {meeting.pk}
    assert found(Meeting, "日韓 GSOMIA") == {meeting.pk}  # the agreement signed there
    assert found(Agreement, "日韓GSOMIA") == found(Agreement, "GSOMIA Korea") == {agreement.pk}

    kr.name_en = "Korea, Republic of"  # a partner renamed: every document naming it
    kr.short_ja = "南"
    kr.save()
    assert found(Agreement, "Korea, Republic") == {agreement.pk}
    assert found(Meeting, "Korea, Republic") == {meeting.pk}
    assert found(Agreement, "日南") == {agreement.pk} and found(Country, "日韓") == set()

    official.name_en = "Someone Else"
    official.save()
    assert not found(Meeting, "Kasciunas") and found(Meeting, "someone else") == {meeting.pk}

    participation.delete()
    event.delete()
    assert not found(Meeting, "someone else") and not found(Meeting, "GSOMIA")


@pytest.mark.django_db
def test_many_to_many_links_set_added_removed_and_cleared_from_either_side():
    fd = CountryFactory(code="FD", name_en="Freedonia", short_ja="自")
    sy = CountryFactory(code="SY", name_en="Sylvania", short_ja="森")
    meeting = MeetingFactory(countries=[fd])
    ExerciseFactory(countries=[fd])
    assert found(Meeting, "日自") == {meeting.pk} and found(Meeting, "森") == set()
    meeting.countries.add(sy)
    meeting.countries.remove(fd)
    assert found(Meeting, "sylvania") == {meeting.pk} and found(Meeting, "freedonia") == set()
    fd.exercises.clear()  # the reverse side
    assert found(Exercise, "freedonia") == set()
    sy.meetings.remove(meeting)
    assert found(Meeting, "sylvania") == set()
    meeting.countries.set([fd, sy])
    assert found(Meeting, "sylvania freedonia") == {meeting.pk}
    meeting.countries.clear()
    assert found(Meeting, "sylvania") == set()


@pytest.mark.django_db
def test_a_deleted_record_leaves_no_document():
    engagement = EngagementFactory(title_en="Port call at Darwin")
    assert found(Engagement, "darwin") == {engagement.pk}
    engagement.delete()
    assert not SearchDocument.objects.filter(kind="meetings.engagement").exists()
    meeting = MeetingFactory(title_en="Brisbane talks")
    meeting.delete()
    assert not SearchDocument.objects.filter(kind="meetings.meeting").exists()


@pytest.mark.django_db
def test_the_admin_form_and_its_participants_inline(editor_client):
    au = CountryFactory(code="AU")
    official = TenureFactory(date="2020/..", official__country=au, official__name_en="Richard Marles").official
    add = editor_client.post(reverse("admin:meetings_meeting_add"),
                             meeting_form(countries=[au.pk], title_en="Old Harbour Talks"))
    assert add.status_code == 302
    meeting = Meeting.objects.get()
    assert found(Meeting, "harbour") == {meeting.pk}
    change = editor_client.post(reverse("admin:meetings_meeting_change", args=[meeting.pk]), meeting_form(
        countries=[au.pk], title_en="New Summit", seen_version=str(meeting.version), **{
            "participations-TOTAL_FORMS": "1", "participations-0-official": official.pk,
            "participations-0-role": "principal", "participations-0-known_from": "excerpt"}))
    assert change.status_code == 302, change.content.decode()[:2000]
    assert found(Meeting, "harbour") == set()
    assert found(Meeting, "new summit marles") == {meeting.pk}


@pytest.mark.django_db
def test_an_admin_save_writes_each_document_once_with_every_participant(editor_client, monkeypatch):
    """The meeting saved, its partners set and each participant added: one document written,
    at the end of the save's transaction, naming them all. Counted at the writer of the
    documents, as PostgreSQL's COPY is not among the queries Django records."""
    writes = []
    insert_rows = search_index.insert_rows

    def counted(model, fields, rows, using, **kwargs):
        rows = list(rows)  # the writer hands them over as a generator
        writes.append(len(rows))
        return insert_rows(model, fields, rows, using, **kwargs)

    monkeypatch.setattr(search_index, "insert_rows", counted)
    au = CountryFactory(code="AU", name_en="Australia")
    officials = [TenureFactory(date="2020/..", official__country=au, official__name_en=name).official
                 for name in ("Richard Marles", "Pat Conroy", "Angus Campbell")]
    form = meeting_form(countries=[au.pk], title_en="Harbour Talks", **{
        "participations-TOTAL_FORMS": "3",
        **{f"participations-{i}-official": o.pk for i, o in enumerate(officials)},
        **{f"participations-{i}-role": "principal" for i in range(3)},
        **{f"participations-{i}-known_from": "excerpt" for i in range(3)}})
    writes.clear()  # the partner's and the officials' own
    response = editor_client.post(reverse("admin:meetings_meeting_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert writes == [1]
    meeting = Meeting.objects.get()
    for query in ("harbour australia", "marles", "conroy", "campbell"):
        assert found(Meeting, query) == {meeting.pk}, query


@pytest.mark.django_db
def test_records_deleted_by_the_lists_action_leave_no_document(admin_client):
    kept, *gone = [MeetingFactory(title_en=f"Harbour Talks {n}") for n in range(3)]
    response = admin_client.post(reverse("admin:meetings_meeting_changelist"), {
        "action": "delete_selected", "post": "yes", "_selected_action": [m.pk for m in gone],
        **{f"seen_version-{m.pk}": m.version for m in gone}})
    assert response.status_code == 302
    assert found(Meeting, "harbour talks") == {kept.pk}
    assert set(SearchDocument.objects.filter(kind="meetings.meeting").values_list("record_id", flat=True)) == {kept.pk}


@pytest.mark.django_db
def test_the_import_written_in_bulk():
    CountryFactory(code="AU", name_en="Australia")
    CountryFactory(code="NZ", name_en="New Zealand", name_ja="ニュージーランド")
    result = import_rows(meeting_row(title_en="Old Harbour Talks"))
    assert not result.has_errors() and not result.has_validation_errors()
    meeting = Meeting.objects.get()
    assert found(Meeting, "harbour") == {meeting.pk}
    result = import_rows(meeting_row(title_en="New Summit", countries="NZ", version=str(meeting.version)))
    assert [r.field_specific_errors for r in result.invalid_rows] == [] and not result.has_errors() and not result.has_validation_errors()
    assert found(Meeting, "harbour") == found(Meeting, "australia") == set()
    assert found(Meeting, "new summit ニュージーランド") == {meeting.pk}


@pytest.mark.django_db
def test_an_import_places_its_trigram_entries_before_it_ends_and_gives_back_the_settings():
    """On PostgreSQL an import's index entries wait in the trigram index's pending list and are
    placed before its transaction ends (written_in_bulk): merged again afterwards, the list
    gives up no page. The settings it changed for that are the session's own again."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's trigram index alone keeps a pending list")
    CountryFactory(code="AU", name_en="Australia")

    def settings():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('work_mem'), current_setting('gin_pending_list_limit')")
            return cursor.fetchone()

    before = settings()
    result = import_rows(meeting_row(title_en="Harbour Talks"))
    assert not result.has_errors() and not result.has_validation_errors()
    assert settings() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [search_index.TRIGRAM_INDEX])
        assert cursor.fetchone()[0] == 0
    assert found(Meeting, "harbour talks") == {Meeting.objects.get().pk}


@pytest.mark.django_db
def test_fixtures_loaded_with_load_curated_and_loaddata(tmp_path):
    reference = tmp_path / "reference.json"
    reference.write_text('[{"model": "partners.country", "fields": {"code": "AU", "name_ja": "オーストラリア", '
                         '"name_en": "Australia", "short_ja": "豪", "region": "oceania"}}]', encoding="utf-8")
    call_command("load_curated", str(reference), verbosity=0)
    assert found(Country, "豪") == set(Country.objects.values_list("pk", flat=True))
    renamed = tmp_path / "renamed.json"
    renamed.write_text(reference.read_text(encoding="utf-8").replace("Australia", "Commonwealth of Oz"),
                       encoding="utf-8")
    call_command("loaddata", str(renamed), verbosity=0)  # loaddata overwrites (by natural key)
    assert not found(Country, "australia")
    assert found(Country, "commonwealth oz") == set(Country.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_rebuilding_everything_gives_the_documents_the_writes_gave():
    au = CountryFactory(code="AU", short_ja="豪")
    ParticipationFactory(meeting=MeetingFactory(countries=[au]), official=OfficialFactory(name_en="Kasčiūnas"))
    written = dict(SearchDocument.objects.values_list("kind", "text").order_by("kind", "record_id"))
    SearchDocument.objects.all().delete()
    search_index.rebuild_all()
    assert dict(SearchDocument.objects.values_list("kind", "text").order_by("kind", "record_id")) == written


@pytest.mark.django_db
def test_compacting_merges_the_full_text_index_and_every_document_is_still_found():
    """After every document was written anew (a migration, bench/synth's rebuild_all), the
    SQLite index is merged by FTS5's own command: left in pieces, it made searches half as
    slow again (bench/NOTES.md). How many pieces FTS5 keeps before is its own affair."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's FTS5 index alone is kept in pieces")
    meetings = [MeetingFactory(title_en=f"Harbour talks {n}") for n in range(30)]
    for _ in range(5):  # each rewrite marks the old entries deleted
        search_index.rebuild(Meeting, [m.pk for m in meetings])
    table = SearchDocument._meta.db_table
    optimize = f"INSERT INTO {table}_fts({table}_fts) VALUES ('optimize')"

    def pieces():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}_fts_data")
            return cursor.fetchone()[0]

    before = pieces()
    with CaptureQueriesContext(connection) as compacting:
        search_index.compact()
    assert [q["sql"] for q in compacting.captured_queries] == [optimize]
    assert pieces() <= before
    assert found(Meeting, "harbour talks") == {m.pk for m in meetings}
    with CaptureQueriesContext(connection) as rebuilding:
        search_index.rebuild_all()
    assert rebuilding.captured_queries[-1]["sql"] == optimize
    assert found(Meeting, "harbour talks") == {m.pk for m in meetings}


@pytest.fixture
def new_database(tmp_path):
    url = empty_database_url(tmp_path, "restored")
    yield url
    drop_database(url)


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_is_searched_as_it_was_backed_up(tmp_path, new_database):
    meeting = MeetingFactory(title_en="Old Harbour Talks")
    path = tmp_path / "defrel.backup"
    backup = manage(site_url(tmp_path), "backup", "--output", str(path))
    assert backup.returncode == 0, backup.stderr
    meeting.title_en = "New Summit"
    meeting.save()
    restore = manage(new_database, "restore", str(path))
    assert restore.returncode == 0, restore.stderr
    searched = run(new_database, "-c", "import django; django.setup(); from meetings.models import Meeting; "
                   "print([Meeting.objects.search(q).count() for q in ('harbour', 'new summit')])", text=True)
    assert searched.returncode == 0, searched.stderr
    assert searched.stdout.strip() == "[1, 0]"
    assert found(Meeting, "new summit") == {meeting.pk} and not found(Meeting, "harbour")
