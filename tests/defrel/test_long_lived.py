"""An app server's process freezes what it holds after each of its first requests (Python's
collector then leaves it alone), having collected its garbage first."""
import gc
import weakref

import pytest
from django.urls import reverse

from defrel import long_lived


class Node:
    """A reference cycle: only the collector frees it."""

    def __init__(self):
        self.me = self


@pytest.fixture
def thawed():
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.django_db
def test_what_the_first_requests_leave_is_frozen_and_no_more(client, thawed):
    freezer = long_lived.after_warm_up(2)
    frozen = []
    for _request in range(3):
        assert client.get(reverse("meetings:agreement-matrix")).status_code == 200
        frozen.append(gc.get_freeze_count())
    assert frozen[0] > 0 and frozen[1] >= frozen[0]
    assert freezer.remaining == 0
    gc.unfreeze()
    client.get(reverse("meetings:agreement-matrix"))
    assert gc.get_freeze_count() == 0  # the third request and those after it freeze nothing


@pytest.mark.django_db
def test_garbage_is_collected_before_it_could_be_frozen(client, thawed):
    long_lived.after_warm_up(1)
    garbage = Node()
    gone = weakref.ref(garbage)
    gc.collect()  # now among the old objects, which only a full collection looks at
    del garbage
    client.get(reverse("meetings:agreement-matrix"))
    assert gc.get_freeze_count() > 0
    assert gone() is None
