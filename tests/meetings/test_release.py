"""``manage.py release``: a zip of every table that validates as a Frictionless Data Package,
a changelog from the history, and the newest release served from the data page."""
import csv
import datetime
import io
import json
import zipfile

import frictionless
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from meetings import release, tables
from meetings.models import Meeting, Release
from tests.meetings.factories import MeetingFactory
from tests.curated import load_curated

pytestmark = pytest.mark.django_db


@pytest.fixture
def releases(settings, tmp_path):
    settings.RELEASES_DIR = tmp_path / "releases"
    return settings.RELEASES_DIR


def files_of(made, directory):
    with zipfile.ZipFile(directory / made.filename) as zf:
        return {name.split("/", 1)[1]: zf.read(name) for name in zf.namelist()}


def test_a_release_of_the_curated_data_is_a_valid_data_package(releases, tmp_path):
    load_curated()
    call_command("release", verbosity=0)
    [made] = Release.objects.all()
    assert (releases / made.filename).is_file() and made.filename == f"defrel-{made.version}.zip"
    with zipfile.ZipFile(releases / made.filename) as zf:
        zf.extractall(tmp_path / "out")
    root = tmp_path / "out" / f"defrel-{made.version}"
    report = frictionless.validate(str(root / "datapackage.json"))
    assert report.stats["errors"] == 0, report.flatten(["type", "message"])[:10]
    assert report.stats["tasks"] == len(tables.TABLES)
    package = json.loads((root / "datapackage.json").read_text())
    meetings = next(r for r in package["resources"] if r["name"] == "meetings")["schema"]
    fields = {f["name"]: f for f in meetings["fields"]}
    assert meetings["primaryKey"] == ["key"]
    assert (fields["count"]["type"], fields["date_lower"]["type"], fields["date"]["type"]) == ("integer", "date", "string")
    assert "EDTF" in fields["date"]["description"]
    assert {"fields": "source", "reference": {"resource": "sources", "fields": "key"}} in meetings["foreignKeys"]
    with open(root / "data" / "meetings.csv", newline="", encoding="utf-8") as f:
        assert sum(1 for _ in csv.DictReader(f)) == Meeting.objects.count()
    cff = (root / "CITATION.cff").read_text()
    assert f'version: "{made.version}"' in cff and "license: CC-BY-4.0" in cff
    assert "政府標準利用規約" in (root / "LICENSE.md").read_text()  # the sources' terms, quoted


def test_the_release_csv_is_plain_not_formula_escaped(releases):
    MeetingFactory(key="m1", title_en="=SUM(A1)")
    made = release.build()
    [row] = csv.DictReader(io.StringIO(files_of(made, releases)["data/meetings.csv"].decode()))
    assert row["title_en"] == "=SUM(A1)"
    assert "No formula escaping" in files_of(made, releases)["README.md"].decode()


def test_the_changelog_lists_what_changed_since_the_previous_release_and_nothing_else(releases):
    changed = MeetingFactory(key="2024-05-changed")
    MeetingFactory(key="2024-05-unchanged")
    first = release.build()
    assert "every record is new" in files_of(first, releases)["CHANGELOG.md"].decode()
    changed.title_en = "Japan–Australia Defence Ministers' Meeting"
    changed.save()
    MeetingFactory(key="2024-06-added")
    second = release.build()
    log = files_of(second, releases)["CHANGELOG.md"].decode()
    assert f"since defrel {first.version}" in log
    assert "### Changed (1)\n\n- `2024-05-changed`" in log
    assert "### Added (1)\n\n- `2024-06-added`" in log
    assert "2024-05-unchanged" not in log


def test_two_releases_on_one_day_get_two_versions(releases):
    day = datetime.datetime(2026, 12, 3, 3, 0, tzinfo=datetime.UTC)
    first = release.build(now=day)
    second = release.build(now=day + datetime.timedelta(hours=1))
    assert (first.version, second.version) == ("2026.12.03", "2026.12.03.2")
    assert sorted(p.name for p in releases.iterdir()) == ["defrel-2026.12.03.2.zip", "defrel-2026.12.03.zip"]


def test_the_data_page_links_the_latest_release_which_is_served_whole(client, releases):
    with translation.override("en"):
        assert "/data/releases/latest.zip" not in client.get(reverse("meetings:data-dictionary")).content.decode()
        assert client.get(reverse("meetings:release-latest")).status_code == 404
        release.build(now=timezone.now() - datetime.timedelta(days=1))
        newest = release.build()
        page = client.get(reverse("meetings:data-dictionary")).content.decode()
        assert 'href="/en/data/releases/latest.zip"' in page and newest.version in page
        response = client.get(reverse("meetings:release-latest"))
    assert response["Content-Disposition"] == f'attachment; filename="{newest.filename}"'
    assert b"".join(response.streaming_content) == (releases / newest.filename).read_bytes()


def test_only_a_file_the_command_recorded_is_served(client, releases):
    made = release.build()
    (releases / "defrel-9999.01.01.zip").write_bytes(b"not written by the command")
    response = client.get(reverse("meetings:release-latest"))
    assert b"".join(response.streaming_content) == (releases / made.filename).read_bytes()
    (releases.parent / "elsewhere.zip").write_bytes(b"outside the releases")
    Release.objects.filter(pk=made.pk).update(filename="../elsewhere.zip")
    assert client.get(reverse("meetings:release-latest")).status_code == 404
