"""A request runs in room of its own on Python's frame stack (defrel.frame_stack): a loop of
calls at a chunk's edge maps and unmaps a chunk at every call outside it, never inside it."""
import resource
import sys

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from defrel.frame_stack import FrameRoomMiddleware

pytestmark = pytest.mark.skipif(
    sys.implementation.name != "cpython" or sys.version_info >= (3, 13),
    reason="the chunks are kept for reuse from CPython 3.13: no room is made")

CALLS = 500


def leaf():
    return None


def calls_at(depth):
    if depth:
        return calls_at(depth - 1)
    for _ in range(CALLS):
        leaf()


def most_faults():
    """The most page faults CALLS calls take at any depth below here over two chunks' worth
    of frames (a chunk holds about 150 frames of calls_at)."""
    most = 0
    for depth in range(300):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        calls_at(depth)
        most = max(most, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    return most


def test_calls_at_a_chunks_edge_fault_at_every_call_without_the_room():
    assert most_faults() >= CALLS  # at the edge: a chunk mapped, faulted in, unmapped, per call


def test_a_request_makes_room_for_its_calls_at_any_depth():
    middleware = FrameRoomMiddleware(lambda request: HttpResponse(str(most_faults())))
    assert int(middleware(RequestFactory().get("/")).content) < CALLS // 10


def test_the_room_is_made_for_every_request():
    from django.conf import settings

    assert settings.MIDDLEWARE[0] == "defrel.frame_stack.FrameRoomMiddleware"
