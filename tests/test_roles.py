"""Who may do what, for every editorial model: viewers look, editors change (but delete no
country and touch no user), the public never reaches the admin and cannot write to the site."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from defrel.models import Source
from meetings.models import (
    Agreement, AgreementEvent, Engagement, Exercise, Meeting, Occasion, Participation,
)
from partners.models import Country, Official, Position, Tenure
from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory,
    OccasionFactory, ParticipationFactory, SourceFactory,
)
from tests.partners.factories import CountryFactory, OfficialFactory, PositionFactory, TenureFactory

pytestmark = [pytest.mark.django_db]

MODELS = [
    (Source, SourceFactory), (Country, CountryFactory), (Position, PositionFactory),
    (Official, OfficialFactory), (Tenure, TenureFactory), (Occasion, OccasionFactory),
    (Meeting, MeetingFactory), (Participation, ParticipationFactory), (Agreement, AgreementFactory),
    (AgreementEvent, AgreementEventFactory), (Exercise, ExerciseFactory),
    (Engagement, EngagementFactory),
]


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model, factory", MODELS, ids=lambda m: getattr(m, "__name__", ""))
def test_viewer_sees_but_cannot_add_change_delete_or_import(viewer_client, model, factory):
    record = factory()
    assert viewer_client.get(admin_url(model, "changelist")).status_code == 200
    change = viewer_client.get(admin_url(model, "change", record.pk))
    assert change.status_code == 200 and 'type="submit" value="保存"' not in change.content.decode()
    assert viewer_client.get(admin_url(model, "add")).status_code == 403
    assert viewer_client.post(admin_url(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    assert viewer_client.get(admin_url(model, "import")).status_code == 403
    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("model, factory", MODELS, ids=lambda m: getattr(m, "__name__", ""))
def test_viewer_is_refused_both_import_steps_whatever_the_method(viewer_client, model, factory):
    upload = SimpleUploadedFile("x.csv", b"key\nx\n")
    refused = [
        viewer_client.get(admin_url(model, "import")),
        viewer_client.post(admin_url(model, "import"), {"format": "0", "resource": "0", "import_file": upload}),
        viewer_client.get(admin_url(model, "process_import")),
        viewer_client.post(admin_url(model, "process_import"), {"import_file_name": "x"}),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert all("Forbidden" in r.content.decode() for r in refused)
    from defrel.models import PendingImport  # the uploads kept for a confirmation

    assert not PendingImport.objects.exists() and not model.objects.exists()


@pytest.mark.parametrize("model, factory", MODELS, ids=lambda m: getattr(m, "__name__", ""))
def test_editor_adds_and_changes_and_deletes_all_but_countries(editor_client, model, factory):
    record = factory()
    assert editor_client.get(admin_url(model, "add")).status_code == 200
    assert editor_client.get(admin_url(model, "import")).status_code == 200
    delete = editor_client.get(admin_url(model, "delete", record.pk)).status_code
    assert delete == (403 if model is Country else 200)


@pytest.mark.parametrize("name", ["auth_user_changelist", "auth_user_add", "auth_group_changelist"])
def test_editor_cannot_touch_users_or_groups(editor_client, name):
    assert editor_client.get(reverse(f"admin:{name}")).status_code == 403


@pytest.mark.parametrize("model, factory", MODELS, ids=lambda m: getattr(m, "__name__", ""))
def test_the_public_is_sent_to_the_login(client, model, factory):
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_the_roles_come_from_the_migrations():
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from tests.conftest import LATER_ROLES, ROLES

    if not Group.objects.filter(name__in=["editor", "viewer"]).exists():
        # Flushed away by a transactional test that ran before in this process: made again by
        # the migrations' own functions, on the models as they were then.
        state = MigrationLoader(connection).project_state(("meetings", "0007_engagement_roles"))
        ROLES.create_roles(state.apps, None)
        LATER_ROLES.grant(state.apps, None)
    editor = set(Group.objects.get(name="editor").permissions.values_list("codename", flat=True))
    viewer = set(Group.objects.get(name="viewer").permissions.values_list("codename", flat=True))
    assert {"change_meeting", "delete_meeting", "add_country", "change_engagement",
            "delete_engagement"} <= editor
    assert "delete_country" not in editor and not any("user" in p for p in editor)
    assert viewer == {p for p in editor if p.startswith("view_")}
