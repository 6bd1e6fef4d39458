import html
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from defrel.security import client_ip

pytestmark = [pytest.mark.django_db]


def test_login_is_locked_after_repeated_failures(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    User.objects.create_user("editor", password="the-right-password-1")
    url = reverse("admin:login")
    for _ in range(3):
        client.post(url, {"username": "editor", "password": "wrong"})
    response = client.post(url, {"username": "editor", "password": "the-right-password-1"})
    assert response.status_code == 429
    with translation.override("ja"):
        locked = gettext("Too many failed logins: this account is locked from this address for a "
                         "while. Try again later, or ask an administrator to unlock it.")
    assert locked in html.unescape(response.content.decode())


def test_a_password_spray_from_one_address_locks_that_address(client, settings):
    settings.DEFREL_ADDRESS_FAILURE_LIMIT = 8
    User.objects.create_user("editor", password="the-right-password-1")
    url = reverse("admin:login")
    for n in range(8):  # one try per name: the per-name limit (5) is never reached
        client.post(url, {"username": f"guess-{n}", "password": "Spring2026!"})
    response = client.post(url, {"username": "editor", "password": "the-right-password-1"})
    assert response.status_code == 429


def test_failures_from_elsewhere_never_lock_an_editor_out_behind_the_proxy(client, settings):
    settings.DEFREL_PROXY_COUNT = 1
    User.objects.create_user("editor", password="the-right-password-1", is_staff=True)
    url = reverse("admin:login")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}  # nginx on the same machine, appending the client
    for _ in range(10):
        client.post(url, {"username": "editor", "password": "wrong"},
                    HTTP_X_FORWARDED_FOR="198.51.100.66", **proxy)
    response = client.post(url, {"username": "editor", "password": "the-right-password-1"},
                           HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert response.status_code == 302, response.content.decode()[:300]
    locked = client.post(url, {"username": "editor", "password": "the-right-password-1"},
                         HTTP_X_FORWARDED_FOR="198.51.100.66", **proxy)
    assert locked.status_code == 429


def test_the_language_cookie_is_same_site_and_unreadable_by_scripts(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    cookie = response.cookies["django_language"]
    assert cookie.value == "en"
    assert cookie["samesite"] == "Lax" and cookie["httponly"]


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


def production(tmp_path, **more):
    import os
    return {**os.environ, "DEFREL_ENV": "production", "ALLOWED_HOSTS": "defrel.example",
            "SECRET_KEY": "k" * 20 + "-production-secret-with-enough-entropy-0123456789",
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", "DATABASE_REPLICA_URLS": "", "DATABASE_POOLER": "",
            "DEFREL_PROXY_COUNT": "1", **more}


def test_production_settings_pass_the_deployment_check(tmp_path):
    result = run_check(production(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_check_asks_how_many_proxies_stand_in_front(tmp_path):
    env = production(tmp_path)
    del env["DEFREL_PROXY_COUNT"]
    result = run_check(env)
    assert result.returncode != 0
    assert "defrel.W001" in result.stderr and "DEFREL_PROXY_COUNT" in result.stderr


def test_production_cookies_are_secure(tmp_path):
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.LANGUAGE_COOKIE_SECURE, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)")
    env = production(tmp_path)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["DJANGO_SETTINGS_MODULE"] = "defrel.settings"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.split() == ["True", "True", "True"], result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    import os
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DEFREL_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")
    result = run_check(env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
