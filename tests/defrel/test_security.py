import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse

from defrel.security import client_ip

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.admin_urls")]


def test_login_is_locked_after_repeated_failures(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    User.objects.create_user("editor", password="the-right-password-1")
    url = reverse("admin:login")
    for _ in range(3):
        client.post(url, {"username": "editor", "password": "wrong"})
    response = client.post(url, {"username": "editor", "password": "the-right-password-1"})
    assert response.status_code == 429
    assert "locked" in response.content.decode() or "ロック" in response.content.decode()


def test_behind_one_proxy_the_client_is_the_last_forwarded_address(settings):
    settings.DEFREL_PROXY_COUNT = 1
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "203.0.113.9"
    settings.DEFREL_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"


def test_responses_carry_a_content_security_policy_without_inline_script(client):
    response = client.get(reverse("admin:login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def run_check(env):
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests, never in deployment
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          capture_output=True, text=True, env=env)


def test_production_settings_pass_the_deployment_check(tmp_path):
    import os
    env = {**os.environ, "DEFREL_ENV": "production", "ALLOWED_HOSTS": "defrel.example",
           "SECRET_KEY": "k" * 20 + "-production-secret-with-enough-entropy-0123456789",
           "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    result = run_check(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    import os
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DEFREL_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")
    result = run_check(env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
