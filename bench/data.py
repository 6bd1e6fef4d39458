"""The synthetic database a run measures: what a database holds, and filling it (run inside
Django by bench/child.py; bench/synth/ is the generator)."""
import sys

from synth import PREFIX, synth


def state():
    """How many synthetic meetings the database holds, whether its officials have careers
    and it has its engagements (a file built before either is built anew), and how many
    other meetings it holds."""
    from meetings.models import Meeting
    from partners.models import Official, Tenure

    meetings = Meeting.objects.filter(key__startswith=PREFIX).count()
    return {"meetings": meetings, "careers": Tenure.objects.count() > Official.objects.count(),
            "engagements": has_engagements(meetings), "venues": venues_stored(),
            # what an earlier run's admin import left (bench/admin_import.py writes for real)
            "imported": Meeting.objects.exclude(key__startswith=PREFIX).count()}


def has_engagements(meetings):
    """Whether synth's engagements are there (a revision without engagements needs none)."""
    try:
        from meetings.models import Engagement
    except ImportError:
        return True
    return Engagement.objects.filter(key__startswith=PREFIX).count() == meetings // 10


def venues_stored():
    """Whether every synthetic meeting's venue is the one the app stores on a write (a file
    built before synth stored them says "place not recorded" of every meeting, video calls
    included, and a reader's first edit of one then changes its venue)."""
    try:
        from meetings.models.venues import venue_rule
    except ImportError:
        return True
    from meetings.models import Meeting

    meetings = Meeting.objects.filter(key__startswith=PREFIX)
    return not meetings.exclude(venue=venue_rule(meetings)).exists()


def fill(meetings, seed="1"):
    synth(int(meetings), seed=int(seed), stdout=sys.stderr, stderr=sys.stderr)
    return state()
