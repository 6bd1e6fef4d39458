"""The synthetic database a run measures: what a database holds, and filling it (run inside
Django by bench/child.py; bench/synth/ is the generator)."""
import sys

from synth import PREFIX, synth


def state():
    """How many synthetic meetings the database holds, and whether its officials have careers
    (a file built before they had is built anew)."""
    from meetings.models import Meeting
    from partners.models import Official, Tenure

    return {"meetings": Meeting.objects.filter(key__startswith=PREFIX).count(),
            "careers": Tenure.objects.count() > Official.objects.count()}


def fill(meetings, seed="1"):
    synth(int(meetings), seed=int(seed), stdout=sys.stderr, stderr=sys.stderr)
    return state()
