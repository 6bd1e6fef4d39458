"""The lists' counts are cached under the data stamp: any committed change shows at the next
request, a rolled-back one changes nothing, and a transaction bumps the stamp once."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.synth import synth
from defrel import stamp
from tests.meetings.factories import MeetingFactory
from tests.meetings.test_views_lists import facet_counts, page
from tests.partners.factories import CountryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def au(django_capture_on_commit_callbacks):
    # Written like every write here, in a block whose commit callbacks run: the test's own
    # transaction never commits, and a pending bump would stand for all later writes.
    with django_capture_on_commit_callbacks(execute=True):
        return CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")


def listed(client):
    html = page(client, "meetings:meeting-list", lang="en")
    return facet_counts(html, "country"), facet_counts(html, "level")


def test_a_saved_meeting_shows_in_the_counts_at_the_next_request(client, au, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = MeetingFactory(countries=[au], level="ministerial")
    assert listed(client) == ({"Australia": 1}, {"ministerial": 1})
    assert listed(client) == ({"Australia": 1}, {"ministerial": 1})  # from the cache

    with django_capture_on_commit_callbacks(execute=True):
        meeting.level = "vice_ministerial"
        meeting.save()
    assert listed(client)[1] == {"vice-ministerial": 1}


def test_a_partner_added_or_removed_changes_the_counts(client, au, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        us = CountryFactory(code="US", name_en="United States")
        meeting = MeetingFactory(countries=[au])
    assert listed(client)[0] == {"Australia": 1}
    with django_capture_on_commit_callbacks(execute=True):
        meeting.countries.add(us)
    assert listed(client)[0] == {"Australia": 1, "United States": 1}
    with django_capture_on_commit_callbacks(execute=True):
        meeting.delete()
    assert "facet-country" not in page(client, "meetings:meeting-list", lang="en")


def test_a_renamed_partner_is_shown_by_its_new_name(client, au, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        MeetingFactory(countries=[au])
    assert listed(client)[0] == {"Australia": 1}
    with django_capture_on_commit_callbacks(execute=True):
        au.name_en = "Commonwealth of Australia"
        au.save()
    assert listed(client)[0] == {"Commonwealth of Australia": 1}


def test_one_transaction_bumps_the_stamp_once_after_it_commits(au, django_capture_on_commit_callbacks):
    before = stamp.token()
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(5):
            MeetingFactory(countries=[au])
    assert stamp.token() == before  # not yet: other workers must not cache half a transaction
    assert len(callbacks) == 1
    with CaptureQueriesContext(connection) as queries:
        callbacks[0]()
    assert stamp.token() != before
    assert [q["sql"] for q in queries if "defrel_datastamp" not in q["sql"]] == []
    assert len(queries) <= 2


def test_a_rolled_back_write_leaves_the_stamp_and_the_next_write_still_bumps(au, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                MeetingFactory(countries=[au])
                raise RuntimeError("abandoned")
        except RuntimeError:
            pass
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        MeetingFactory(countries=[au])
    assert len(callbacks) == 1


def test_synth_bulk_writes_bump_the_stamp(django_capture_on_commit_callbacks):
    before = stamp.token()
    with django_capture_on_commit_callbacks(execute=True):
        synth(meetings=20, seed=1)
    assert stamp.token() != before


def test_a_search_finds_an_edit_at_the_next_request(client, au, django_capture_on_commit_callbacks):
    """A search's matching ids are remembered like the counts: an edit that makes a meeting
    match, or stop matching, shows in its rows, total and facets at the next request."""
    with django_capture_on_commit_callbacks(execute=True):
        first = MeetingFactory(key="m-first", countries=[au], title_en="Talks on radar exports")
        second = MeetingFactory(key="m-second", countries=[au], title_en="Courtesy call")

    def found():
        response = client.get("/meetings/?q=radar")
        return ([m.key for m in response.context["page_obj"].object_list],
                response.context["page_obj"].paginator.count)

    assert found() == (["m-first"], 1)
    assert found() == (["m-first"], 1)  # from the cache
    with django_capture_on_commit_callbacks(execute=True):
        second.title_en = "Courtesy call on radar cooperation"
        second.save()
    assert sorted(found()[0]) == ["m-first", "m-second"] and found()[1] == 2
    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
    assert found() == (["m-second"], 1)
    assert facet_counts(page(client, "meetings:meeting-list", "?q=radar", lang="en"), "country") == {"Australia": 1}
