"""The import's confirm step accepts only the upload this editor previewed, within the hour;
it never reads another file, never shows a server path, and leaves nothing behind."""
import datetime
import re
import tempfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from defrel.models import Source
from partners.resources import CountryResource
from tests.conftest import member_of
from tests.partners.factories import CountryFactory

pytestmark = [pytest.mark.django_db]

IMPORT = "admin:defrel_source_import"
CONFIRM = "admin:defrel_source_process_import"
HEADER = "key,title_ja,title_en,publisher_ja,publisher_en,date,url,filename\n"


def sources_csv(key):
    return (HEADER + f"{key},防衛白書,Defense White Paper,,,2025,,\n").encode()


def logged_in(user):
    client = Client()
    client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def ann(db):
    return logged_in(member_of("editor", "ann"))


@pytest.fixture
def ben(db):
    return logged_in(member_of("editor", "ben"))


def preview(client, data, name="sources.csv", url=IMPORT):
    response = client.post(reverse(url), {"format": "0", "resource": "0",
                                          "import_file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    return response


def confirm(client, posted, url=CONFIRM):
    return client.post(reverse(url), posted, follow=True)


def said(response):
    return "\n".join(str(m) for m in response.context["messages"])


def pending_imports():
    from defrel.models import PendingImport  # the model this behaviour brought

    return PendingImport.objects


def test_an_editor_cannot_confirm_another_editors_preview(ann, ben):
    anns = preview(ann, sources_csv("anns-source")).context["confirm_form"].initial
    refused = confirm(ben, anns)
    assert "not issued to you" in said(refused) and "Nothing was imported." in said(refused)
    assert not Source.objects.exists()
    confirm(ann, anns)  # Ann's upload is untouched by Ben's attempt
    assert Source.objects.get().key == "anns-source"


def test_a_tampered_seal_is_refused(ann):
    posted = dict(preview(ann, sources_csv("tampered")).context["confirm_form"].initial)
    value, _sep, signature = posted["import_file_name"].rpartition(":")
    posted["import_file_name"] = f"{value}:{signature[::-1]}"
    response = confirm(ann, posted)
    assert "not issued to you" in said(response) and "Nothing was imported." in said(response)
    assert not Source.objects.exists()


@pytest.mark.parametrize("as_posted", [lambda path: path.name, str], ids=["name", "full-path"])
def test_a_file_planted_in_the_temp_folder_is_neither_imported_nor_read(ann, as_posted):
    secret = "DATABASE_URL=postgres://defrel:hunter2-secret@db.internal/defrel"
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as planted:
        planted.write(secret + "\nDEBUG=0\n")  # an environment file, as deployments keep
    planted = Path(planted.name)
    try:
        response = confirm(ann, {"import_file_name": as_posted(planted),
                                 "original_file_name": "x.csv", "format": "0", "resource": "0"})
        page = response.content.decode() + said(response)
        assert "hunter2-secret" not in page and "DATABASE_URL" not in page
        assert "not issued to you" in said(response) and "Nothing was imported." in said(response)
        assert planted.exists() and not Source.objects.exists()
    finally:
        planted.unlink(missing_ok=True)


def test_a_seal_older_than_an_hour_is_refused(ann, monkeypatch):
    # The seal is issued by the preview itself, with the signer's clock set back 61 minutes.
    issued = int((timezone.now() - datetime.timedelta(minutes=61)).timestamp())
    monkeypatch.setattr(signing.TimestampSigner, "timestamp",
                        lambda self: signing.b62_encode(issued))
    posted = preview(ann, sources_csv("too-late")).context["confirm_form"].initial
    monkeypatch.undo()
    response = confirm(ann, posted)
    assert "more than an hour old" in said(response) and "Nothing was imported." in said(response)
    assert not Source.objects.exists()


def test_a_seal_from_another_models_preview_is_refused(ann):
    countries = CountryResource().export(queryset=[CountryFactory(code="XK")]).export("csv")
    posted = preview(ann, countries.encode(), name="countries.csv",
                     url="admin:partners_country_import").context["confirm_form"].initial
    response = confirm(ann, posted)  # at the sources' confirm step
    assert "it is gone" in said(response) and "Nothing was imported." in said(response)
    assert not Source.objects.exists()


def test_the_confirm_form_carries_the_seal_and_no_server_path(ann):
    page = preview(ann, sources_csv("no-path")).content.decode()
    form = re.search(r'<form action="[^"]*process_import[^"]*".*?</form>', page, re.S).group(0)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert set(hidden) == {"csrfmiddlewaretoken", "import_file_name"}
    assert tempfile.gettempdir() not in page and "/" not in hidden["import_file_name"]


def test_the_stored_upload_is_gone_after_the_confirmation(ann):
    posted = preview(ann, sources_csv("confirmed")).context["confirm_form"].initial
    assert pending_imports().count() == 1
    confirm(ann, posted)
    assert Source.objects.get().key == "confirmed"
    assert pending_imports().count() == 0
    again = confirm(ann, posted)  # the same seal twice: the upload was used up
    assert "it is gone" in said(again) and Source.objects.count() == 1


def test_the_stored_upload_is_gone_after_a_failed_confirmation(ann, settings):
    posted = preview(ann, sources_csv("failed")).context["confirm_form"].initial
    settings.DEFREL_IMPORT_MAX_BYTES = 10  # the cap lowered between the preview and the confirm
    response = confirm(ann, posted)
    assert "imports are limited to 10" in said(response) and "Nothing was imported." in said(response)
    assert not Source.objects.exists() and pending_imports().count() == 0


@pytest.mark.parametrize("data", [sources_csv("bad key!"), b"key;title_ja\n"],
                         ids=["bad-row", "unreadable"])
def test_a_refused_preview_leaves_nothing_stored(ann, data):
    response = preview(ann, data)
    assert "confirm_form" not in response.context and "process_import" not in response.content.decode()
    assert pending_imports().count() == 0


def test_an_upload_older_than_an_hour_is_swept_by_the_next_upload(ann, ben):
    posted = preview(ann, sources_csv("forgotten")).context["confirm_form"].initial
    pending_imports().update(created=timezone.now() - datetime.timedelta(minutes=61))
    preview(ben, sources_csv("bens"))
    assert list(pending_imports().values_list("original_name", flat=True)) == ["sources.csv"]
    assert pending_imports().get().user.username == "ben"
    response = confirm(ann, posted)
    assert "it is gone" in said(response) and not Source.objects.exists()


def test_the_sweep_command_removes_uploads_older_than_an_hour_only():
    from django.core.management import call_command

    now = timezone.now()
    for minutes, name in ((61, "old.csv"), (59, "recent.csv"), (600, "older.csv")):
        pending_imports().create(data=b"x", original_name=name,
                                 created=now - datetime.timedelta(minutes=minutes))
    call_command("sweep_imports", verbosity=0)
    assert list(pending_imports().values_list("original_name", flat=True)) == ["recent.csv"]


def test_a_second_confirmation_while_the_first_imports_imports_nothing(ann, monkeypatch):
    from defrel.imports.sealed import PendingImportStorage

    posted = preview(ann, sources_csv("once")).context["confirm_form"].initial
    second = []
    read = PendingImportStorage.read

    def read_then_confirm_again(storage):
        data = read(storage)
        if not second:  # the first confirmation has read the file and is about to import it
            second.append(None)
            second[0] = confirm(ann, posted)
        return data

    monkeypatch.setattr(PendingImportStorage, "read", read_then_confirm_again)
    confirm(ann, posted)
    assert "it is gone" in said(second[0]) and "Nothing was imported." in said(second[0])
    assert [h.history_type for h in Source.objects.get(key="once").history.all()] == ["+"]
