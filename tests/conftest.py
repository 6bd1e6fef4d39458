import pytest
from django.contrib.auth.models import Group, User


@pytest.fixture(autouse=True)
def japanese_by_default(settings):
    settings.LANGUAGE_CODE = "ja"


def member_of(group_name, username):
    user = User.objects.create_user(username, password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
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
