"""Time the streaming meeting CSV export (meetings.fast_export) on the database in
DATABASE_URL: every meeting, newest first, as the public export sends it.

    DATABASE_URL=sqlite:////tmp/defrel-20k.sqlite3 .venv/bin/python bench/export_timing.py [turns]

Prints the rows, bytes and the best and median rate of ``turns`` runs (default 5)."""
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defrel.settings")

import django  # noqa: E402

django.setup()

from defrel.exports import csv_chunks  # noqa: E402
from meetings.models import Meeting  # noqa: E402
from meetings.resources import MeetingResource  # noqa: E402


def main(turns=5):
    queryset = Meeting.objects.order_by("-date_lower", "key")
    rows = queryset.count()
    rates = []
    for _turn in range(turns):
        started = time.perf_counter()
        size = sum(len(chunk) for chunk in csv_chunks(MeetingResource(), queryset))
        rates.append(rows / (time.perf_counter() - started))
    print(f"{rows} meetings, {size:,} bytes: best {max(rates):,.0f} rows/s, "
          f"median {statistics.median(rates):,.0f} rows/s ({turns} runs)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
