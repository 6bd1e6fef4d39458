import importlib
import os

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.test import override_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

# CI draws the same examples every run, so a landing never hangs on a new draw; a developer's
# runs keep drawing new ones (hostile input tests), and what they find becomes a fixed case.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_collection_modifyitems(items):
    """The longest modules first (browsers, then those marked slow): `make test` hands each
    worker whole modules in this order (--dist loadfile --no-loadscope-reorder), so that the
    workers finish together instead of one running a long module alone at the end."""
    def late(item):
        return (item.get_closest_marker("browser") is None, item.get_closest_marker("slow") is None)
    items.sort(key=late)  # stable: a module's tests keep their order


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Tests only: a password hashed in microseconds, not in the half second production's
    hasher is made to take (an editor, a viewer, a login in about 160 tests)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def japanese_by_default(settings):
    settings.LANGUAGE_CODE = "ja"
    yield
    # A request to /en/… leaves English active in the thread; the next test's reverse()
    # would give /en/ addresses.
    translation.activate("ja")


@pytest.fixture(autouse=True)
def reads_on_the_primary(request, settings):
    """A test's rows sit in its open transaction, which no replica sees: every read stays on the
    primary, except in the tests marked ``replica`` (transactional, against a real replica)."""
    if request.node.get_closest_marker("replica") is None:
        settings.REPLICA_DATABASES = []


@pytest.fixture(autouse=True)
def fresh_cache():
    """Counts cached under the data stamp: a rolled-back test leaves the stamp it began with,
    so the next test would find the counts of data that no longer exists."""
    cache.clear()


ROLES = importlib.import_module("meetings.migrations.0002_roles")
# Models that joined the roles in a later migration.
LATER_ROLES = importlib.import_module("meetings.migrations.0007_engagement_roles")


def role(name):
    """The group the data migration made; made again the same way after a transactional
    test has flushed it away."""
    group, created = Group.objects.get_or_create(name=name)
    if created:
        for app_label, models in [*ROLES.EDITORIAL.items(), *LATER_ROLES.EDITORIAL.items()]:
            for model in models:
                actions = ["view"] if name == "viewer" else (
                    ["view", "add", "change"] + ([] if model in ROLES.NO_DELETE else ["delete"]))
                group.permissions.add(*Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=[f"{a}_{model}" for a in actions]))
    return group


def member_of(group_name, username):
    user = User.objects.create_user(username, password="pw-for-tests-only", is_staff=True)
    user.groups.add(role(group_name))
    return user


@pytest.fixture
def editor(db):
    return member_of("editor", "editor")


@pytest.fixture
def viewer(db):
    return member_of("viewer", "viewer")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def drawn_rows(monkeypatch):
    """The partners whose matrix rows each request draws again (the others come from the cache)."""
    from meetings.views import matrix as view

    drawn, draw = [], view.drawn_cells
    monkeypatch.setattr(view, "drawn_cells", lambda day, partners, before: drawn.append(
        sorted(p.code for p in partners)) or draw(day, partners, before))
    return drawn
