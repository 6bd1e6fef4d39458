"""/healthz, the request log and the error-reporting hook."""
import json
import logging
import os
import subprocess
import sys

import pytest
from django.urls import reverse

from defrel.cluster import free_port
from defrel.observability import JsonFormatter, logging_config

pytestmark = pytest.mark.django_db


def test_healthz_says_the_database_and_the_cache_answer_and_sets_no_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "cache": True, "replicas": {}}
    assert not response.cookies and "Cookie" not in response.get("Vary", "")
    assert "no-store" in response["Cache-Control"]  # a proxy never answers for the app server


def test_healthz_has_one_address_whatever_the_language(client):
    assert reverse("healthz") == "/healthz"
    assert client.get("/en/healthz").status_code == 404


def test_healthz_is_503_when_the_shared_cache_is_down(client, settings):
    closed_port = free_port()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{closed_port}/0"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] is False and response.json()["database"] is True


def test_each_request_is_one_json_line_with_its_database(client, caplog):
    with caplog.at_level(logging.INFO, logger="defrel.requests"):
        client.get(reverse("meetings:meeting-list"), {"year": "2024"})
    [record] = [r for r in caplog.records if r.name == "defrel.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert {k: line[k] for k in ("level", "method", "path", "status", "db")} == {
        "level": "INFO", "method": "GET", "path": "/meetings/", "status": 200, "db": "default"}
    assert line["duration_ms"] > 0
    assert 0 < line["cpu_ms"] <= line["duration_ms"]  # a page is drawn on a processor, within its time


def test_request_lines_are_logged_only_in_json_mode():
    assert logging_config("json", "WARNING")["loggers"]["defrel.requests"]["level"] == "INFO"
    assert "loggers" not in logging_config("text", "WARNING")
    assert logging_config("json", "WARNING")["handlers"]["console"]["formatter"] == "json"


def sentry_client_after_settings(**environment):
    """Whether Sentry's client is active once Django has read its settings, in a fresh process."""
    code = ("import django, sentry_sdk; django.setup(); "
            "client = sentry_sdk.get_client(); print(client.is_active(), client.dsn)")
    env = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    env.update(DJANGO_SETTINGS_MODULE="defrel.settings", **environment)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.split()


def test_sentry_starts_only_when_a_dsn_is_set():
    dsn = "https://public@127.0.0.1:9/1"  # nothing listens there: no event could leave
    assert sentry_client_after_settings(SENTRY_DSN=dsn) == ["True", dsn]
    assert sentry_client_after_settings() == ["False", "None"]
