"""Time the streaming meeting CSV export (meetings.fast_export) on the database in
DATABASE_URL: every meeting, newest first, as the public export sends it; with ``ndjson``,
the same meetings as the NDJSON stream sends them.

    DATABASE_URL=sqlite:////tmp/defrel-20k.sqlite3 .venv/bin/python bench/export_timing.py [turns] [ndjson]

Prints the rows, bytes and the median rate of ``turns`` runs (default 5), by the clock and by
this process's processor time (on SQLite all of the work; a shared machine moves the first)."""
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defrel.settings")

import django  # noqa: E402

django.setup()

from defrel.exports import csv_chunks, ndjson_chunks  # noqa: E402
from meetings.models import Meeting  # noqa: E402
from meetings.resources import MeetingResource  # noqa: E402


def main(turns=5, chunks=csv_chunks):
    queryset = Meeting.objects.order_by("-date_lower", "key")
    rows = queryset.count()
    clock, processor = [], []
    for _turn in range(turns):
        started, cpu = time.perf_counter(), time.process_time()
        size = sum(len(chunk) for chunk in chunks(MeetingResource(), queryset))
        clock.append(rows / (time.perf_counter() - started))
        processor.append(rows / (time.process_time() - cpu))
    print(f"{chunks.__name__}: {rows} meetings, {size:,} bytes, median of {turns}: {statistics.median(clock):,.0f} rows/s "
          f"by the clock, {statistics.median(processor):,.0f} rows/s of processor time")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5, ndjson_chunks if "ndjson" in sys.argv[2:] else csv_chunks)
