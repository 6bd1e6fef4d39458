"""Reads from a real streaming replica (DATABASE_REPLICA_URLS; .ci/run and `make cluster` start
one): public pages read there, the admin and a session that has just written read the primary,
and a replica that lags or is down is skipped without an error."""
import time

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from defrel import replicas
from defrel.cluster import free_port
from meetings.models import Meeting
from tests.defrel.replay import wait_for_replay
from tests.meetings.factories import MeetingFactory
from tests.meetings.test_concurrent_edits import form_of
from tests.partners.factories import CountryFactory

REPLICAS = list(getattr(settings, "REPLICA_DATABASES", []))
pytestmark = [
    pytest.mark.skipif(not REPLICAS, reason="DATABASE_REPLICA_URLS is not set: these tests need a real "
                       "streaming replica (make cluster, or .ci/run, starts one)"),
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, *REPLICAS]),
]


def on(alias, sql):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


@pytest.fixture
def replica(settings):
    """The first replica, used alone, checked afresh; its replay resumed afterwards."""
    alias = REPLICAS[0]
    settings.REPLICA_DATABASES = [alias]
    replicas.forget()
    yield alias
    on(alias, "SELECT pg_wal_replay_resume()::text")
    replicas.forget()


@pytest.fixture
def meeting(replica):
    meeting = MeetingFactory(key="2024-05-au-defmin", title_ja="日豪防衛相会談", countries=[CountryFactory(code="AU")])
    wait_for_replay(lambda sql: on(DEFAULT_DB_ALIAS, sql), lambda sql: on(replica, sql))
    return meeting


@pytest.fixture
def paused(replica, meeting):
    """The replica stops replaying: from now on it shows the data as they were."""
    on(replica, "SELECT pg_wal_replay_pause()::text")
    return replica


def read(client, meeting):
    response = client.get(reverse("meetings:meeting-detail", args=[meeting.key]))
    assert response.status_code == 200
    return response


def test_public_pages_read_from_the_replica(replica, meeting):
    with CaptureQueriesContext(connections[replica]) as on_replica:
        response = read(Client(), meeting)
    assert "日豪防衛相会談" in response.content.decode()
    assert response.wsgi_request.databases_used == [replica]
    assert any('"meetings_meeting"' in query["sql"] for query in on_replica.captured_queries)
    assert on(replica, "SELECT pg_is_in_recovery()")  # a real standby, not the primary again


def test_a_streamed_export_reads_from_the_replica_as_it_is_sent(replica, meeting):
    response = Client().get(reverse("meetings:meeting-export"))
    with CaptureQueriesContext(connections[replica]) as on_replica:
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "2024-05-au-defmin" in body
    assert any('"meetings_meeting"' in query["sql"] for query in on_replica.captured_queries)


def test_an_editor_reads_what_they_saved_while_readers_see_the_replica(settings, paused, meeting, editor):
    settings.REPLICA_MAX_LAG = 3600  # the paused replica still counts as usable
    writer, reader = Client(), Client()
    writer.force_login(editor)
    edit = writer.post(reverse("admin:meetings_meeting_change", args=[meeting.pk]), form_of(meeting, title_ja="日豪防衛相会談(修正)"))
    assert edit.status_code == 302
    assert replicas.PIN_COOKIE in edit.cookies  # set on the response to the request that wrote

    assert "日豪防衛相会談(修正)" in read(writer, meeting).content.decode()
    stale = read(reader, meeting)
    assert "日豪防衛相会談(修正)" not in stale.content.decode()
    assert stale.wsgi_request.databases_used == [paused]
    assert replicas.PIN_COOKIE not in stale.cookies


def test_reading_sets_no_pin(replica, meeting, editor):
    writer = Client()
    writer.force_login(editor)
    response = read(writer, meeting)
    assert replicas.PIN_COOKIE not in response.cookies
    assert response.wsgi_request.databases_used == [replica]


def test_the_admin_reads_from_the_primary(replica, meeting, editor):
    client = Client()
    client.force_login(editor)
    response = client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    assert "日豪防衛相会談" in response.content.decode()
    assert replica not in response.wsgi_request.databases_used


def test_a_replica_lagging_past_the_limit_is_skipped(settings, paused, meeting):
    settings.REPLICA_MAX_LAG = 0.5
    Meeting.objects.filter(pk=meeting.pk).update(title_ja="日豪防衛相会談(新)")
    time.sleep(1)  # the replica's last replayed transaction is now over a second old
    response = read(Client(), meeting)
    assert "日豪防衛相会談(新)" in response.content.decode()
    assert response.wsgi_request.databases_used == [DEFAULT_DB_ALIAS]
    health = Client().get(reverse("healthz")).json()
    assert health["replicas"][paused]["lag_seconds"] > 0.5 and not health["replicas"][paused]["used"]


@pytest.fixture
def down(replica):
    """The replica's address now leads nowhere (a stopped server: the connection is refused)."""
    connection = connections[replica]
    connection.close()
    port, connection.settings_dict["PORT"] = connection.settings_dict["PORT"], free_port()
    yield replica
    connection.close()
    connection.settings_dict["PORT"] = port


def test_a_replica_that_is_down_is_skipped(meeting, down):
    response = read(Client(), meeting)
    assert "日豪防衛相会談" in response.content.decode()
    assert response.wsgi_request.databases_used == [DEFAULT_DB_ALIAS]
    health = Client().get(reverse("healthz"))
    assert health.status_code == 200  # pages are served, from the primary
    assert health.json()["replicas"][down] == {"reachable": False, "lag_seconds": None, "used": False}


def test_a_replica_that_fails_during_a_page_is_replaced_by_the_primary(replica, meeting):
    assert replicas.healthy_replicas() == [replica]  # checked and remembered as healthy …
    connection = connections[replica]
    connection.close()
    port, connection.settings_dict["PORT"] = connection.settings_dict["PORT"], free_port()
    try:  # … then gone before the page reads from it
        response = read(Client(), meeting)
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert "日豪防衛相会談" in response.content.decode()
    assert replicas.healthy_replicas() == []  # and remembered as down until the next check


def test_a_streamed_export_whose_replica_fails_before_it_is_sent_is_read_from_the_primary(replica, meeting):
    """Nothing has been sent yet, so the export can start again from the primary; a replica
    that fails half-way through cuts it short (what was sent cannot be taken back)."""
    response = Client().get(reverse("meetings:meeting-export"))
    connection = connections[replica]
    connection.close()
    port, connection.settings_dict["PORT"] = connection.settings_dict["PORT"], free_port()
    try:  # the replica is gone between the view's answer and the export's first rows
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert "2024-05-au-defmin" in body
    assert replicas.healthy_replicas() == []
