"""Two app servers (two Django processes) on one database and one real Redis: what one draws
from the data, the other serves from the cache; a write through one shows at the other's next
request; an import previewed on one is confirmed on the other."""
import json
import re
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.conftest import member_of
from tests.defrel import sites
from tests.meetings.factories import AgreementEventFactory, AgreementFactory
from tests.partners.factories import CountryFactory
from tests.redis_server import redis_server, redis_url  # noqa: F401 - fixtures

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


class AppServer:
    """tests/defrel/app_server.py in a process of its own, as gunicorn would run the site."""

    def __init__(self, database_url, redis_url):
        site = sites.on_site(database_url)
        site["env"]["REDIS_URL"] = redis_url
        self.process = subprocess.Popen([sys.executable, "-m", "tests.defrel.app_server"], **site,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def __call__(self, **command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the app server stopped"
        return json.loads(line)

    def stop(self):
        self.process.stdin.close()
        self.process.wait(30)


@pytest.fixture
def two_servers(tmp_path, redis_url):
    korea = CountryFactory(code="KR", name_en="Republic of Korea", region="northeast_asia")
    agreement = AgreementFactory(parties=[korea], key="kr-gsomia", short_name="GSOMIA")
    AgreementEventFactory(agreement=agreement, kind="concluded", date="2016-11")
    member_of("editor", "ann")
    url = sites.site_url(tmp_path)
    servers = [AppServer(url, redis_url), AppServer(url, redis_url)]
    yield servers
    for server in servers:
        server.stop()


MATRIX = "/en/agreements/matrix/"


def unmasked(html):
    """The page without its CSRF token, which is masked anew on every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_what_one_server_draws_the_other_serves_from_the_shared_cache(two_servers, redis_server):
    one, other = two_servers
    drawn = one(get=MATRIX)
    assert drawn["status"] == 200 and "GSOMIA" in drawn["body"] and drawn["queries"] > 1
    assert redis_server[0].keys("*:defrel:*")  # the table is kept in Redis
    served = other(get=MATRIX)
    assert served["queries"] == 1  # the stamps: the table comes from Redis
    assert unmasked(served["body"]) == unmasked(drawn["body"]) and served["etag"] == drawn["etag"]


def test_a_write_through_one_server_shows_at_the_others_next_request(two_servers):
    one, other = two_servers
    before = one(get=MATRIX)
    assert other(get=MATRIX)["queries"] == 1
    one(rename=["kr-gsomia", "GSOMIA (renamed)"])
    after = other(get=MATRIX, headers={"if_none_match": before["etag"]})
    assert after["status"] == 200 and "GSOMIA (renamed)" in after["body"]
    assert after["etag"] != before["etag"]
    assert one(get=MATRIX, headers={"if_none_match": after["etag"]})["status"] == 304


def test_an_import_previewed_on_one_server_is_confirmed_on_the_other(two_servers):
    one, other = two_servers
    one(login="ann")
    other(login="ann")
    csv = ("key,title_ja,title_en,publisher_ja,publisher_en,date,url,filename\n"
           "across-servers,防衛白書,Defense White Paper,,,2025,,\n")
    previewed = one(post=reverse("admin:defrel_source_import"), data={"format": "0", "resource": "0"},
                    file=["sources.csv", csv])
    assert previewed["confirm"] and "across-servers" in previewed["body"]
    assert one(sources="across-servers")["titles"] == []  # a preview writes nothing
    assert "/" not in "".join(previewed["confirm"].values()).replace("sources.csv", "")  # no server path
    confirmed = other(post=reverse("admin:defrel_source_process_import"), data=previewed["confirm"])
    assert confirmed["status"] == 200
    assert one(sources="across-servers")["titles"] == ["Defense White Paper"]
    again = one(post=reverse("admin:defrel_source_process_import"), data=previewed["confirm"])
    assert "Nothing was imported" in again["body"]
    assert other(sources="across-servers")["titles"] == ["Defense White Paper"]
