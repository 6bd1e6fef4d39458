"""A reader downloads the latest data release from the data page in Chromium and opens the
zip: the browser, the live server and the curated data are test_browser's."""
import json
import zipfile
from pathlib import Path

import pytest
from django.test import override_settings

from tests import test_browser
from tests.test_browser import async_unsafe_allowed, browser, reader, site  # noqa: F401 - fixtures

pytestmark = test_browser.pytestmark


@pytest.fixture(scope="module")
def published(site, django_db_blocker, tmp_path_factory):  # noqa: F811 - the fixture imported above
    """A release of the curated data, committed so the live server's connections see it."""
    from meetings import release

    directory = tmp_path_factory.mktemp("releases")
    with override_settings(RELEASES_DIR=directory), django_db_blocker.unblock():
        made = release.build()
        yield made
        made.delete()


def test_a_reader_downloads_the_latest_release_from_the_data_page(reader, published):  # noqa: F811
    page = reader.visit("/data/")
    link = page.locator("a[href='/data/releases/latest.zip']")
    test_browser.sync_api.expect(link).to_contain_text(published.version)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == published.filename
    with zipfile.ZipFile(Path(download.path())) as zf:
        names = set(zf.namelist())
        root = f"defrel-{published.version}/"
        assert {root + n for n in ("datapackage.json", "CITATION.cff", "CHANGELOG.md", "LICENSE.md",
                                   "data/meetings.csv", "data/participations.csv")} <= names
        package = json.loads(zf.read(root + "datapackage.json"))
    assert package["version"] == published.version
    assert len(package["resources"]) == 12
    reader.check_clean()
