"""The unfiltered meeting list's facet counts and totals, summed from blocks of meetings each
cached under its own stamp (meetings.unfiltered, defrel.stamp): a write counts again only the
blocks it touched, and whatever the write, the sums are what counting from scratch gives."""
import json

import pytest
import tablib
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers import serialize
from django.db import connection
from django.db.models import Sum
from django.http import QueryDict
from django.urls import reverse

from defrel import kept, stamp
from defrel.imports.widgets import SEPARATOR
from meetings import unfiltered
from meetings.filters import MeetingFilter
from meetings.models import Meeting, Participation
from meetings.resources import MeetingResource
from tests.built import built_at_once
from tests.meetings.factories import MeetingFactory, OccasionFactory, ParticipationFactory
from tests.meetings.test_concurrent_edits import form_of
from tests.meetings.test_views_lists import facet_counts, page
from tests.pages import text
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = pytest.mark.django_db

BLOCK_ROWS = 3  # meetings 1–2 in block 0, 3–5 in block 1, 6–8 in block 2, 9 in block 3


@pytest.fixture
def world(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(stamp, "BLOCK_ROWS", BLOCK_ROWS)
    with django_capture_on_commit_callbacks(execute=True), built_at_once():
        au, pe, us = (CountryFactory(code=code, name_en=name) for code, name in
                      [("AU", "Australia"), ("PE", "Peru"), ("US", "United States")])
        shangri_la = OccasionFactory()
        levels = ["ministerial", "vice_ministerial", "senior_official"]
        meetings = {pk: MeetingFactory(pk=pk, key=f"m{pk}", countries=[[au, pe, us][pk % 3], *([us] if pk % 4 == 0 else [])],
                                       level=levels[pk % 3], date=f"{2020 + pk % 4}-05", count=1 + pk % 2,
                                       occasion=shangri_la if pk % 5 == 0 else None)
                    for pk in range(1, 10)}
        officials = [OfficialFactory(slug=f"official-{n}", name_en=f"Official {n}", country=au) for n in range(4)]
        for pk, meeting in meetings.items():
            for official in officials[:pk % 4 + 1]:
                ParticipationFactory(meeting=meeting, official=official)
    with connection.cursor() as cursor:  # later meetings take ids after these (PostgreSQL's sequence)
        for sql in connection.ops.sequence_reset_sql(no_style(), [Meeting]):
            cursor.execute(sql)
    return {"au": au, "pe": pe, "us": us, "meetings": meetings, "officials": officials, "occasion": shangri_la}


def filterset():
    return MeetingFilter(QueryDict(), queryset=Meeting.objects.all())


def from_scratch():
    """The facets and totals as counted over the whole table (meetings.facets)."""
    counting = filterset()
    return ([list(spec.counts(counting)) for spec in counting.facet_specs],
            {"rows": Meeting.objects.count(), "encounters": Meeting.objects.aggregate(n=Sum("count"))["n"] or 0})


def summed():
    counting = filterset()
    return unfiltered.facet_counts(counting), unfiltered.totals(counting)


def warm():
    """Every block counted and cached, and the sums kept."""
    assert summed() == from_scratch()


def counted_blocks(monkeypatch):
    """The block numbers counted from the database from now on."""
    counted = []
    count = unfiltered.block_counts

    def spy(filterset, blocks):
        counted.extend(blocks)
        return count(filterset, blocks)

    monkeypatch.setattr(unfiltered, "block_counts", spy)
    return counted


def write(callbacks, change, *args):
    with callbacks(execute=True):
        change(*args)


def test_the_sums_of_the_blocks_are_the_counts_from_scratch(world):
    facets, totals = summed()
    assert (facets, totals) == from_scratch()
    assert totals == {"rows": 9, "encounters": 14}
    assert len(stamp.block_tokens(Meeting, 4)) == 4


def test_an_edit_renews_the_stamp_of_its_meetings_block_only(world, django_capture_on_commit_callbacks):
    before = stamp.block_tokens(Meeting, 4)
    meeting = world["meetings"][4]
    meeting.level = "working_level"
    write(django_capture_on_commit_callbacks, meeting.save)
    after = stamp.block_tokens(Meeting, 4)
    assert [b == a for b, a in zip(before, after)] == [True, False, True, True]


def test_after_an_edit_only_its_block_is_counted_again(world, monkeypatch, django_capture_on_commit_callbacks):
    warm()
    counted = counted_blocks(monkeypatch)
    meeting = world["meetings"][7]
    meeting.level = "working_level"
    write(django_capture_on_commit_callbacks, meeting.save)
    assert summed() == from_scratch()
    assert counted == [2]


def test_the_list_page_after_an_edit_shows_the_new_counts(client, world, monkeypatch, django_capture_on_commit_callbacks):
    before = facet_counts(page(client, "meetings:meeting-list", lang="en"), "level")
    counted = counted_blocks(monkeypatch)
    meeting = world["meetings"][4]  # vice-ministerial
    meeting.level = "working_level"
    write(django_capture_on_commit_callbacks, meeting.save)
    html = page(client, "meetings:meeting-list", lang="en")
    after = facet_counts(html, "level")
    assert after["vice-ministerial"] == before["vice-ministerial"] - 1 and after["working level"] == 1
    assert counted == [1]


def edit_fields(world):
    meeting = world["meetings"][5]
    meeting.date, meeting.count, meeting.format, meeting.occasion = "2031-01/..", 6, "video", None
    meeting.save()


def add_participant(world):
    ParticipationFactory(meeting=world["meetings"][2], official=OfficialFactory(slug="newcomer"))


def move_participant(world):
    participation = Participation.objects.get(meeting=world["meetings"][2], official=world["officials"][1])
    participation.meeting = world["meetings"][8]
    participation.save()


def remove_participant(world):
    Participation.objects.filter(meeting=world["meetings"][6]).first().delete()


def change_partners(world):
    world["meetings"][3].countries.set([world["pe"], world["us"]])


def change_partners_from_the_country(world):
    world["au"].meetings.add(world["meetings"][9], world["meetings"][1])
    world["us"].meetings.remove(world["meetings"][8])


def delete_meeting(world):
    world["meetings"][6].delete()


def delete_the_last_meeting(world):
    world["meetings"][9].delete()


def add_meeting_in_a_new_block(world):
    MeetingFactory(pk=13, key="m13", countries=[world["pe"]], level="leaders")


def import_meetings(world):
    headers = MeetingResource().get_export_headers()
    data = tablib.Dataset(headers=headers)
    for key, level, countries, version in [("new-1", "leaders", ["AU"], ""),
                                           ("m2", "working_level", ["PE", "US"], Meeting.objects.get(pk=2).version)]:
        row = dict.fromkeys(headers, "")
        row.update({"key": key, "date": "2025-03", "count": "2", "title_ja": "会談", "title_en": "Talks",
                    "kind": "talks", "level": level, "format": "in_person", "countries": SEPARATOR.join(countries),
                    "version": str(version)})
        data.append([row[h] for h in headers])
    result = MeetingResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), [
        (row.number, row.field_specific_errors) for row in result.invalid_rows]


def load_fixture(world, tmp_path):
    """A fixture naming a meeting by its key, loaded over it (raw saves, its partners set)."""
    records = json.loads(serialize("json", [world["meetings"][4]], use_natural_foreign_keys=True,
                                   use_natural_primary_keys=True))
    records[0]["fields"].update(level="leaders", date="2019-02")
    records[0]["fields"]["countries"] = [["PE"]]
    fixture = tmp_path / "meetings.json"
    fixture.write_text(json.dumps(records))
    call_command("loaddata", str(fixture), verbosity=0)


@pytest.mark.parametrize("change", [
    edit_fields, add_participant, move_participant, remove_participant, change_partners,
    change_partners_from_the_country, delete_meeting, delete_the_last_meeting, add_meeting_in_a_new_block,
    import_meetings, load_fixture,
], ids=lambda change: change.__name__)
def test_after_a_write_the_sums_are_the_counts_from_scratch(world, change, tmp_path, django_capture_on_commit_callbacks):
    warm()
    with django_capture_on_commit_callbacks(execute=True):
        change(world, tmp_path) if change is load_fixture else change(world)
    assert summed() == from_scratch()


def test_a_moved_participant_renews_both_meetings_blocks(world, django_capture_on_commit_callbacks):
    before = stamp.block_tokens(Meeting, 4)
    write(django_capture_on_commit_callbacks, move_participant, world)  # from meeting 2 to meeting 8
    after = stamp.block_tokens(Meeting, 4)
    assert [b == a for b, a in zip(before, after)] == [False, True, False, True]


def test_sums_patched_many_times_stay_the_counts_from_scratch(world, django_capture_on_commit_callbacks):
    warm()
    for n, pk in enumerate([1, 4, 4, 8, 9, 2, 7]):
        meeting = Meeting.objects.get(pk=pk)
        meeting.level, meeting.count = ["leaders", "working_level", "ministerial"][n % 3], n + 1
        write(django_capture_on_commit_callbacks, meeting.save)
        assert summed() == from_scratch()


def test_counts_no_longer_cached_are_counted_again(world, django_capture_on_commit_callbacks):
    """The sums are patched only with the very counts they were made of: when an old block's
    counts have left the cache, every block is added up again."""
    from django.core.cache import cache

    warm()
    label = unfiltered.keyed(filterset())
    blocks = [(f"{label}:block:{i}", token) for i, token in enumerate(stamp.block_tokens(Meeting, 4))]
    assert all(kept.held(blocks))
    cache.delete_many([kept.entry_key(key) for key, _token in blocks])
    meeting = world["meetings"][4]
    meeting.level = "leaders"
    write(django_capture_on_commit_callbacks, meeting.save)
    assert summed() == from_scratch()


def test_an_admin_save_of_one_partners_meeting_leaves_another_partners_profile_warm(
        client, editor, world, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    peru = text(client.get(reverse("partners:country-detail", args=["PE"])))
    warm()
    meeting = world["meetings"][3]  # Australia's: Peru is not among its partners
    assert set(meeting.countries.values_list("code", flat=True)) == {"AU"}
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(reverse("admin:meetings_meeting_change", args=[meeting.pk]),
                            form_of(meeting, title_ja="日豪防衛相会談（改題）"))
    assert saved.status_code == 302
    client.logout()
    with django_assert_max_num_queries(2):  # the country and the stamps: the rest is kept
        assert text(client.get(reverse("partners:country-detail", args=["PE"]))) == peru
    assert summed() == from_scratch()
