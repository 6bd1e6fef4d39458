"""The deployment's version: a digest of the apps' files (code, templates, translations) and
the packages installed, under which every cache key is kept."""
import os

import pytest
from django.core.cache import cache

from defrel import deployed


@pytest.fixture
def project(tmp_path):
    """A project of one app."""
    app = tmp_path / "reports"
    (app / "templates").mkdir(parents=True)
    (app / "apps.py").write_text("# an app\n")
    (app / "templates" / "page.html").write_text("<p>{{ title }}</p>\n")
    (tmp_path / "notes").mkdir()  # not an app: no apps.py
    (tmp_path / "notes" / "todo.txt").write_text("later\n")
    return tmp_path


def test_the_version_changes_with_a_template_of_an_app(project):
    before, _written = deployed.digest(project)
    (project / "reports" / "templates" / "page.html").write_text("<p>{{ title|upper }}</p>\n")
    assert deployed.digest(project)[0] != before


def test_the_version_changes_with_a_file_added_to_an_app(project):
    before, _written = deployed.digest(project)
    (project / "reports" / "locale").mkdir()
    (project / "reports" / "locale" / "django.mo").write_bytes(b"\x00translations")
    assert deployed.digest(project)[0] != before


def test_the_version_ignores_what_is_not_drawn_from(project):
    before, _written = deployed.digest(project)
    (project / "reports" / "__pycache__").mkdir()
    (project / "reports" / "__pycache__" / "apps.cpython-311.pyc").write_bytes(b"compiled")
    (project / "notes" / "todo.txt").write_text("done\n")
    assert deployed.digest(project)[0] == before


def test_the_version_is_the_same_for_the_same_files(project, tmp_path_factory):
    # Two app servers of one deployment share what they keep in Redis.
    other = tmp_path_factory.mktemp("other")
    for path in sorted(project.rglob("*")):
        copy = other / path.relative_to(project)
        if path.is_dir():
            copy.mkdir(exist_ok=True)
        else:
            copy.write_bytes(path.read_bytes())
    assert deployed.digest(other)[0] == deployed.digest(project)[0]


def test_written_is_when_the_newest_file_was_written(project):
    page = project / "reports" / "templates" / "page.html"
    os.utime(page, (2_000_000_000, 2_000_000_000))
    assert deployed.digest(project)[1] == 2_000_000_000


def test_what_another_deployment_kept_is_not_read(monkeypatch):
    cache.set("a-part", "drawn by this deployment")
    assert cache.get("a-part") == "drawn by this deployment"
    monkeypatch.setattr(deployed, "current", lambda: ("next-deployment", 0.0))
    assert cache.get("a-part") is None
