"""The users of `make loadtest` (bench/loadtest.py runs locust headless with this file against
nginx on loopback, in front of two gunicorn app servers).

Readers mix meeting lists (pages, filters, search), details (meeting, country, official,
agreement), timelines, the agreements matrix and CSV exports (small filtered ones mostly; on a
clock, one full meeting export); 15 % of their requests are on the English site. Editors log in
through the admin's login page and edit a small set of records again and again: GET the change
form, think, POST it back with its `seen_version` and a unique token appended to summary_en. A
302 is a saved edit; the form again with "Someone else saved this record" is a conflict,
refused as it must be (a success, counted apart); anything else an error, and the edit's
outcome unknown to the editor (a POST in flight when its app server died: saved or not). The
saved, refused and unknown tokens, and every request (when it started, its kind, status, time
and error), are written to $LOADTEST_RECORD when the run stops, for bench/loadtest.py to verify
against the database and to cut into the phases of the run.

Environment: LOADTEST_INFO (what bench/loadtest.py's setup found: keys, URLs, the editor's
account), LOADTEST_RECORD, LOADTEST_EDITORS (how many of the users are editors), LOADTEST_THINK
("0.5-2": seconds between a user's requests).
"""
import json
import os
import random
import re
import time
import uuid
from collections import Counter
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, HttpUser, between, events, task

import mix  # bench/mix.py: what readers ask, shared with bench/replay.py
from client import ChangeForm  # bench/client.py: the benchmark's editor posts the same form

INFO = json.loads(open(os.environ["LOADTEST_INFO"]).read()) if os.environ.get("LOADTEST_INFO") else {}
_low, _, _high = (os.environ.get("LOADTEST_THINK") or "0.5-2").partition("-")
THINK = (float(_low), float(_high or _low))
FULL_EXPORT_EVERY = float(os.environ.get("LOADTEST_FULL_EXPORT_EVERY") or 90)  # seconds
# defrel.admin_forms.VersionCheckedForm's refusal, in English and Japanese (the admin is in Japanese:
# outside the /en/ prefix LocaleMiddleware takes LANGUAGE_CODE whatever the language cookie says).
STALE = ("Someone else saved this record", "あなたが開いた後に他の利用者が保存しています")
RUN_ID = uuid.uuid4().hex[:8]
record = {"saved": [], "refused": [], "unknown": [], "requests": [], "statuses": Counter(), "tokens": 0,
          "next_full": None}


@events.test_start.add_listener
def start_the_clock(**_kwargs):
    record["next_full"] = time.monotonic() + FULL_EXPORT_EVERY / 2


@events.request.add_listener
def count_status(name, response_time, start_time=None, response=None, exception=None, **_kwargs):
    status = getattr(response, "status_code", 0) or "connection"
    record["statuses"][status] += 1
    error = str(exception)[:300] if exception else None
    record["requests"].append((start_time, name, status, round(response_time), error))


@events.quitting.add_listener
def write_record(**_kwargs):
    if os.environ.get("LOADTEST_RECORD"):
        with open(os.environ["LOADTEST_RECORD"], "w") as out:
            json.dump({k: record[k] for k in ("saved", "refused", "unknown", "statuses", "requests")}, out)


class Reader(FastHttpUser):
    """A reader of the public site. Locust's lighter client (geventhttpclient): the load
    generator shares the machine with the stack it loads, and with python-requests it took 7 %
    of the two processors (bench/LOADTEST-NOTES.md); readers keep no cookie, which is where the
    two clients differ."""

    weight = 1
    wait_time = between(*THINK)

    @task
    def read(self):
        kind, path = mix.read(random, INFO)
        if record["next_full"] and time.monotonic() >= record["next_full"]:
            record["next_full"] += FULL_EXPORT_EVERY  # whichever reader is next takes it
            kind, path = "export, full", INFO["urls"]["meeting_export"]
        # gunicorn's access log records the kind: the time each request spent in a worker
        self.client.get(path, name=kind, headers={"X-Loadtest-Kind": kind})


class Editor(HttpUser):
    """An editor in the admin, editing the few records every editor edits."""

    fixed_count = int(os.environ.get("LOADTEST_EDITORS") or 10)
    wait_time = between(*THINK)

    def on_start(self):
        gevent.sleep(random.uniform(0, 3))
        self.client.cookies.set("django_language", "en")
        url = INFO["urls"]["admin_login"]
        page = self.client.get(url, name="admin login page", headers={"X-Loadtest-Kind": "admin login page"})
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        with self.client.post(url, name="admin login", allow_redirects=False, catch_response=True, data={
            "csrfmiddlewaretoken": token.group(1) if token else "", "username": INFO["editor"],
            "password": INFO["editor_password"], "next": "/admin/",
        }, headers={"X-Loadtest-Kind": "admin login"}) as response:
            if response.status_code != 302 or "sessionid" not in self.client.cookies:
                response.failure(f"login refused ({response.status_code})")
                self.stop()

    @task
    def edit(self):
        url = random.choice(INFO["edit_targets"])
        model = "meeting" if "/meetings/meeting/" in url else "agreement"
        form = ChangeForm(f"{model}_form")
        with self.client.get(url, name="admin change form", catch_response=True,
                             headers={"X-Loadtest-Kind": "admin change form"}) as page:
            if page.status_code != 200:
                return  # counted as a failure by its status
            form.feed(page.text)
            fields = dict(form.data)
            if "seen_version" not in fields or "summary_en" not in fields:
                page.failure(f"no seen_version or summary_en in {url}")
                return
        record["tokens"] += 1
        token = f"[loadtest {RUN_ID}-{record['tokens']:05d}]"
        summary = fields["summary_en"].rstrip() + " " + token
        body = [(k, summary if k == "summary_en" else v) for k, v in form.data if k != "_save"]
        gevent.sleep(self.wait_time())  # the editor types
        with self.client.post(url, data=urlencode(body), name="admin save", allow_redirects=False,
                              catch_response=True, headers={
                                  "Content-Type": "application/x-www-form-urlencoded",
                                  "X-Loadtest-Kind": "admin save"}) as response:
            if response.status_code == 302:
                record["saved"].append((url, token))
            elif response.status_code == 200 and any(text in response.text for text in STALE):
                response.request_meta["name"] = "admin save (refused: stale)"  # a row of its own
                response.success()
                record["refused"].append((url, token))
            else:
                record["unknown"].append((url, token))
                errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text or "", re.S)[:3]
                response.failure(f"{response.status_code} {url} {' '.join(errors)[:200]}")
