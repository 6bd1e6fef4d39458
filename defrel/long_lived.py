"""What an app server's process holds once it has served its first requests lives as long as
the process: Python's garbage collector need not look at it again.

A full collection looks at every object the process tracks: Django's and the apps' modules,
the URL patterns, the templates compiled, the translations (160,000 objects here, 50–100 ms).
It runs every few dozen requests, inside whichever request happens to fill the last
generation, and that request takes a tenth of a second longer: the agreements matrix after an
agreement edit took 118–146 ms in one request of five, against 53 otherwise (bench/NOTES.md,
"A full collection in one request of five"). ``gc.freeze()`` moves every tracked object out of
the collector's generations; the next full collections look only at what came after.

The server's entry point (defrel/wsgi.py) calls :func:`after_warm_up`: once each of the
process's first ``WARM_UP`` requests has been answered and its response sent
(``request_finished``), the process collects its garbage, so that none is frozen, and freezes
the rest. The pages first drawn in those requests load their templates and fill their caches
then. Frozen objects are still freed when nothing refers to them; only a cycle among them
would never be, and what the first requests built to last does not become garbage.
"""
import gc

from django.core.signals import request_finished

WARM_UP = 20  # requests after each of which what the process holds is frozen


class Freezer:
    def __init__(self, requests):
        self.remaining = requests

    def __call__(self, sender, **kwargs):
        self.remaining -= 1
        if self.remaining == 0:
            request_finished.disconnect(self)
        gc.collect()
        gc.freeze()


def after_warm_up(requests=WARM_UP):
    """Freeze what the process holds after each of its next ``requests`` requests."""
    freezer = Freezer(requests)
    request_finished.connect(freezer, weak=False)
    return freezer
