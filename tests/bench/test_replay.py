"""The load test's mix, replayed in one process (bench/replay.py), asks the app's real pages
and saves the editors' edits."""
import importlib
from io import StringIO
from pathlib import Path

import pytest

from bench.synth import synth
from meetings.models import Agreement, Meeting
from tests.conftest import role

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_a_replay_asks_every_kind_of_page_and_saves_its_editors_edits(monkeypatch, settings):
    monkeypatch.syspath_prepend(str(BENCH))  # the benchmark's modules import each other by name
    replay, mix = importlib.import_module("replay"), importlib.import_module("mix")
    synth(meetings=300, seed=3, stdout=StringIO(), stderr=StringIO())
    role("editor")  # the load test's editor joins it (a transactional test may have flushed it)
    settings.DEFREL_PUBLIC_MAX_AGE = 0  # nothing left to nginx: every address reaches the app
    cpu = replay.run(110)  # a request answering anything but 200 fails the run
    kinds = {kind for _weight, kind, _path in mix.READS}
    assert kinds | {"admin change form", "admin save"} == set(cpu)
    assert all(times and min(times) > 0 for times in cpu.values())
    summaries = [*Meeting.objects.values_list("summary_en", flat=True),
                 *Agreement.objects.values_list("summary_en", flat=True)]
    assert sum(summary.count("[replay ") for summary in summaries) == len(cpu["admin save"]) == 10
