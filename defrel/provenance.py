"""Every curated excerpt is found, verbatim, in the text of the source it names: the
documents ship with the project (``sources/``, see its README.md for their attribution), so
any clone can check its data (``manage.py check_provenance``; tests/test_provenance.py).
White space is ignored: the texts break lines where the documents did."""
import json
import re
from functools import cache
from pathlib import Path

from django.conf import settings

SOURCES = Path(settings.BASE_DIR) / "sources"
FIXTURES = Path(settings.BASE_DIR) / "fixtures"
_space = re.compile(r"\s+")


def squash(text):
    return _space.sub("", text or "")


@cache
def source_text(filename):
    """The text of a source file, white space removed; None when the file is not shipped."""
    path = SOURCES / filename
    if not filename or path.parent != SOURCES or not path.is_file():
        return None
    return squash(path.read_text(encoding="utf-8"))


@cache
def source_paragraphs(filename):
    """The paragraphs (lines) of a shipped source file as written; () when not shipped."""
    path = SOURCES / filename
    if not filename or path.parent != SOURCES or not path.is_file():
        return ()
    return tuple(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def paragraph_of(filename, excerpt):
    """The number (from 1) of the paragraph of a shipped source where ``excerpt`` begins;
    None when the file is not shipped or the excerpt is not in it."""
    wanted = squash(excerpt)[:40]
    if not wanted:
        return None
    for number, paragraph in enumerate(source_paragraphs(filename), start=1):
        if wanted in squash(paragraph):
            return number
    return None


def source_files(fixture_rows):
    """Source keys → their shipped file names, from the curated Source records."""
    return {obj["fields"]["key"]: obj["fields"].get("filename", "")
            for _path, _n, obj in fixture_rows if obj.get("model") == "defrel.source"}


def fixture_rows(paths=None):
    """(path, index, object) of every object of the curated fixture files."""
    for path in paths or sorted(FIXTURES.glob("*.json")):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        for index, obj in enumerate(data, start=1):
            yield Path(path), index, obj


def check(paths=None):
    """Counts per model (quoted, not found) and the problems: (file, index, model, key, why)."""
    rows = list(fixture_rows(paths))
    files = source_files(rows) or source_files(fixture_rows())
    counts, problems = {}, []
    for path, index, obj in rows:
        fields = obj.get("fields", {})
        if "source_excerpt" not in fields:
            continue
        model = obj.get("model", "?")
        seen = counts.setdefault(model, {"quoted": 0, "not_found": 0})
        key = fields.get("key") or index
        excerpt, source = fields.get("source_excerpt"), (fields.get("source") or [None])[0]
        if not excerpt or not source:
            problems.append((path.name, index, model, key, "no source or no excerpt"))
            continue
        seen["quoted"] += 1
        text = source_text(files.get(source, ""))
        if text is None:
            problems.append((path.name, index, model, key, f"source “{source}” has no text in sources/"))
        elif squash(excerpt) not in text:
            seen["not_found"] += 1
            problems.append((path.name, index, model, key, f"not found in {files[source]}: {excerpt[:60]}"))
    return counts, problems
