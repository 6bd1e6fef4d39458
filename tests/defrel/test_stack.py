"""The app half of `make cluster` (defrel.stack): nginx in front of two gunicorn app servers,
with Redis, serving the test database; one app server killed and the readers do not notice."""
import http.client
import os
import time

import pytest
from django.db import connection

from defrel import stack
from tests.meetings.factories import MeetingFactory
from tests.partners.factories import CountryFactory

pytestmark = [
    pytest.mark.skipif(bool(stack.missing()), reason=f"needs {', '.join(stack.missing())}"),
    # The app servers are other processes: they see only committed rows, of a database they can
    # reach (SQLite's test database is in the test's memory).
    pytest.mark.django_db(transaction=True),
]


def serving(directory, **environment):
    """The stack serving the test database, with ``environment`` added to the app servers',
    stopped after the test."""
    if connection.vendor != "postgresql":
        pytest.skip("the app servers need the test database on a server: run with DATABASE_URL=postgres://…")
    db = connection.settings_dict
    databases = {"DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
                 "DATABASE_POOLER": os.environ.get("DATABASE_POOLER", ""), "DATABASE_REPLICA_URLS": ""}
    running = stack.Stack(directory, {**databases, **environment}, workers=1).start(prepare=False)
    yield running
    running.stop()


@pytest.fixture
def running(transactional_db, tmp_path):
    yield from serving(tmp_path)


@pytest.fixture
def briefly_kept(transactional_db, tmp_path):
    """The stack with public pages kept for a second (their max-age), so that a test sees one
    expire."""
    yield from serving(tmp_path, DEFREL_PUBLIC_MAX_AGE="1")


@pytest.fixture
def kept_a_second_only(transactional_db, tmp_path):
    """The stack with public pages kept for a second and never shown past it."""
    yield from serving(tmp_path, DEFREL_PUBLIC_MAX_AGE="1", DEFREL_PUBLIC_STALE_WHILE_REVALIDATE="0")


def get(started, path, headers=None):
    client = http.client.HTTPConnection("127.0.0.1", int(started.ports["nginx"]), timeout=30)
    client.request("GET", path, headers=headers or {})
    response = client.getresponse()
    return response.status, response.read().decode()


def access_log(started, until):
    """nginx's access log once ``until(lines)`` holds (or after 10 s): nginx writes a request's
    line when it has finished with it, which may be just after the client has read the answer."""
    deadline = time.monotonic() + 10
    while True:
        lines = (started.dir / "nginx-access.log").read_text().splitlines()
        if until(lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_readers_are_answered_by_the_other_app_server_when_one_is_killed(running):
    meeting = MeetingFactory(key="2024-05-au-defmin", countries=[CountryFactory(code="AU")])
    path = f"/en/meetings/{meeting.key}/"
    assert get(running, path)[0] == 200
    killed = running.kill_app_server("app1")
    assert len(killed) == 2  # its master and its worker
    # Each a page nginx has not kept (it keeps public pages for their max-age).
    answers = [get(running, f"{path}?attempt={i}") for i in range(4)]
    assert [status for status, _ in answers] == [200] * 4
    assert all("Japan–Australia Defense Ministerial Meeting" in body for _, body in answers)
    # nginx tried the dead server first (round robin), then carried the request to the other.
    dead, alive = (f"127.0.0.1:{running.ports[name]}" for name in stack.APP_SERVERS)
    carried = f'"{dead}, {alive}" "502, 200"'
    assert carried in "\n".join(access_log(running, lambda lines: any(carried in line for line in lines)))


def test_nginx_answers_readers_from_its_cache_and_sends_sessions_to_the_app(running):
    """A public page says it may be kept for its max-age: nginx answers the second reader
    itself; a request with a session (an editor reading their own writes) goes to the app."""
    meeting = MeetingFactory(key="2024-06-au-defmin", countries=[CountryFactory(code="AU")])
    path = f"/en/meetings/{meeting.key}/"
    for headers in ({}, {}, {"Cookie": "sessionid=an-editors-session"}):
        status, body = get(running, path, headers)
        assert status == 200 and "Japan–Australia Defense Ministerial Meeting" in body
    served = [line for line in access_log(running, lambda lines: sum(f'"{path}"' in line for line in lines) >= 3)
              if f'"{path}"' in line]
    assert len(served) == 3
    upstreams = [line.rsplit('" "', 1)[0].rsplit('"', 1)[1] for line in served]
    assert upstreams[0] != "-" and upstreams[1] == "-" and upstreams[2] != "-", served


def test_the_readme_shows_the_nginx_configuration_the_stack_runs():
    """One place for the configuration: the README's copy is what ``nginx_conf()`` makes."""
    example = stack.nginx_conf("127.0.0.1:8080", ["app1:8000", "app2:8000"])
    readme = (stack.ROOT / "README.md").read_text()
    assert "".join(f"      {line}\n" if line else "\n" for line in example.splitlines()) in readme
    assert "proxy_next_upstream error timeout;" in example


def cache_statuses(running, path, count):
    """What nginx's cache did for the first ``count`` requests of ``path`` (its access log's
    last field: MISS, HIT, STALE, UPDATING…)."""
    lines = access_log(running, lambda lines: sum(f'"{path}"' in line for line in lines) >= count)
    return [line.rsplit(" ", 1)[1] for line in lines if f'"{path}"' in line][:count]


def past_max_age():
    time.sleep(2.1)  # nginx counts a max-age of 1 s in whole seconds


def test_a_page_past_its_max_age_is_answered_at_once_while_nginx_asks_for_it_again(briefly_kept):
    """stale-while-revalidate: the reader after the max-age is not kept waiting for the page
    to be drawn; the next ones get the corrected page nginx fetched in the background."""
    meeting = MeetingFactory(key="2024-07-au-defmin", countries=[CountryFactory(code="AU")])
    path = f"/en/meetings/{meeting.key}/"
    assert "Japan–Australia Defense Ministerial Meeting" in get(briefly_kept, path)[1]
    meeting.title_en = "Japan–Australia Defense Ministerial Meeting (corrected)"
    meeting.save()
    past_max_age()
    status, body = get(briefly_kept, path)
    assert status == 200 and "Japan–Australia Defense Ministerial Meeting" in body and "(corrected)" not in body
    assert cache_statuses(briefly_kept, path, 2) == ["MISS", "STALE"]
    deadline = time.monotonic() + 10
    while "(corrected)" not in body and time.monotonic() < deadline:
        time.sleep(0.1)
        status, body = get(briefly_kept, path)
    assert status == 200 and "(corrected)" in body


def test_readers_get_the_page_kept_while_no_app_server_answers(briefly_kept):
    """stale-if-error: with both app servers gone, a page nginx keeps is answered as it was;
    one it never kept cannot be."""
    meeting = MeetingFactory(key="2024-08-au-defmin", countries=[CountryFactory(code="AU")])
    path = f"/en/meetings/{meeting.key}/"
    assert get(briefly_kept, path)[0] == 200
    for name in stack.APP_SERVERS:
        briefly_kept.kill_app_server(name)
    past_max_age()
    status, body = get(briefly_kept, path)
    assert status == 200 and "Japan–Australia Defense Ministerial Meeting" in body
    assert cache_statuses(briefly_kept, path, 2) == ["MISS", "STALE"]
    assert get(briefly_kept, f"{path}?never-kept=1")[0] == 502


def test_nginx_asks_for_an_expired_page_with_its_etag_and_keeps_it_when_unchanged(kept_a_second_only):
    """proxy_cache_revalidate: past its max-age a page is asked for again with the copy's
    ETag, and an app server answers 304 without drawing it when no data has changed."""
    meeting = MeetingFactory(key="2024-09-au-defmin", countries=[CountryFactory(code="AU")])
    path = f"/en/meetings/{meeting.key}/"
    assert get(kept_a_second_only, path)[0] == 200
    past_max_age()
    status, body = get(kept_a_second_only, path)
    assert status == 200 and "Japan–Australia Defense Ministerial Meeting" in body
    assert cache_statuses(kept_a_second_only, path, 2) == ["MISS", "REVALIDATED"]
