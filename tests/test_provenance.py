"""Every curated excerpt is found in the text of the source it names, from the project's own
copy of the documents (sources/)."""
import json

import pytest
from django.core.management import CommandError, call_command

from defrel import provenance


def test_every_curated_excerpt_is_found_in_its_own_source():
    counts, problems = provenance.check()
    assert problems == []
    assert counts["meetings.meeting"]["quoted"] > 200
    assert sum(seen["quoted"] for seen in counts.values()) > 400


def test_an_excerpt_from_another_source_or_changed_is_named(tmp_path):
    # A sentence of the White Paper, attributed to the 2021 Viet Nam record; and one word changed.
    vietnam = "国防大臣と日越防衛相会談を"
    white_paper = next(obj for _p, _n, obj in provenance.fixture_rows()
                       if obj["model"] == "meetings.meeting" and obj["fields"]["source"] == ["wp2025"])
    wrong_source = {**white_paper["fields"], "key": "wrong-source", "source": ["vn-2021-defmin"]}
    changed = {**white_paper["fields"], "key": "changed",
               "source_excerpt": white_paper["fields"]["source_excerpt"] + "捏造"}
    fine = {**white_paper["fields"], "key": "fine"}
    path = tmp_path / "90_test.json"
    path.write_text(json.dumps([{"model": "meetings.meeting", "fields": f}
                                for f in (wrong_source, changed, fine)], ensure_ascii=False))
    assert vietnam in provenance.source_text("001_c5127e84668161b7.txt")
    _counts, problems = provenance.check([path])
    assert [(index, key) for _f, index, _m, key, _why in problems] == [(1, "wrong-source"), (2, "changed")]
    with pytest.raises(CommandError, match="2 excerpts"):
        call_command("check_provenance", str(path))


def test_a_source_file_outside_sources_is_never_read():
    assert provenance.source_text("../README.md") is None
    assert provenance.source_text("") is None
