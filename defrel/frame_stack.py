"""Room on Python's frame stack for each request, so that a deep page does not pay for the
stack's chunks in system calls.

CPython 3.11 and 3.12 keep the frames of Python calls in chunks of 16 KB: a call that does not
fit in the current chunk maps a new one (``mmap``), and its return gives the chunk back
(``munmap``) at once. A loop whose calls sit exactly on a chunk's edge (a template drawing a
thousand cells, each a few includes deep) then maps and unmaps a chunk at every call, and
faults in its pages again each time. Where the edge falls depends only on how deep the stack
is when the request starts, so the same page cost 90 or 153 ms from one server to the next
(the agreements matrix after an agreement edit) and 550 or 1,190 ms with nothing cached
(bench/NOTES.md, "A page's time in a server, and Python's frame stack"). CPython fixed it in
its releases of 3.13 and 3.14 since March 2026 (python/cpython issue 142183: a chunk is kept
for reuse); a deployment on 3.13 or later should run one of those.

This middleware's own frame is made large (its code object declares a deep evaluation stack,
which CPython reserves but never touches), so each request's frames start at the beginning
of a chunk of 1 MB of their own, mapped once and given back once: no request is deep enough
to reach its edge. The pages the request does not touch are never faulted in.
"""
import sys

# Slots of 8 bytes the middleware's frame reserves: 512 KB, for a chunk of 1 MB of which the
# request's frames have the other half (a thousand frames, Python's recursion limit, take
# well under that).
RESERVED_SLOTS = 2**16


class FrameRoomMiddleware:
    """First of all middleware: the rest of the request runs in the room it makes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


if sys.implementation.name == "cpython" and sys.version_info < (3, 13):
    FrameRoomMiddleware.__call__.__code__ = FrameRoomMiddleware.__call__.__code__.replace(
        co_stacksize=RESERVED_SLOTS)
