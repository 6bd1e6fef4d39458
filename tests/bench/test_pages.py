"""The benchmark measures the engagements' pages on a revision that serves them."""
import importlib
from io import StringIO
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

from bench.synth import synth

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench_pages(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))  # the benchmark's modules import each other by name
    return importlib.import_module("pages")


def test_engagement_pages_are_measured_when_served_and_answer(bench_pages, client):
    synth(meetings=200, seed=2, stdout=StringIO(), stderr=StringIO())
    pages = bench_pages.engagement_pages()
    try:
        reverse("meetings:engagement-list")
    except NoReverseMatch:  # the list is not wired up on this revision: nothing to measure
        assert pages == {}
        return
    assert list(pages) == ["engagement list", "engagement list, country and year", "engagement detail"]
    for url in pages.values():
        response = client.get(url)
        assert response.status_code == 200 and "engagement" in response.content.decode().lower(), url

