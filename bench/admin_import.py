"""A 20,000-row meeting import through the admin's two steps (preview, then confirm), as an
editor uploads it: an XLSX and a CSV file within the upload caps, naming partners, officials
and sources that exist. Run by bench/run.py through bench/child.py, or alone:

    .venv/bin/python bench/admin_import.py sqlite:///bench/defrel-100k.sqlite3 [--rows 20000] [--profile]

It prints one JSON object: each file's size and zip ratios, and for each format the seconds of
the upload's request, of the check that follows off the request, of the confirm request and of
the import that follows it off the request, what the preview said and how many meetings were
written. What the import writes stays in the database: bench/run.py runs this last. With
--profile, each request's cProfile is printed to stderr (by cumulative time).
"""
import argparse
import cProfile
import html
import io
import json
import pstats
import re
import sys
import time
import zipfile

from child import django_setup  # bench/child.py: this file runs from bench/ too

USER = "bench-import"


def meeting_rows(count, prefix="imp-"):
    """``count`` short meetings (a tester's file: a title, a level, partners and most with a
    participant, no summaries, so that 20,000 of them fit in the 2 MiB upload cap) naming the database's own partners, officials and sources. The columns are
    those an import needs (MeetingResource.importable_columns)."""
    from meetings.models import Meeting
    from meetings.resources import MeetingResource
    from partners.models import Country, Official

    columns = MeetingResource().importable_columns()
    partners = list(Country.objects.exclude(code="JP").order_by("code").values_list("code", flat=True))
    people = list(Official.objects.order_by("slug").values_list("slug", flat=True))
    kinds, levels = Meeting.Kind.values, Meeting.Level.values
    rows = []
    for i in range(count):
        row = dict.fromkeys(columns, "")
        row.update(
            key=f"{prefix}{i:05d}", date=f"{2000 + i % 25}-{1 + i % 12:02d}", count="1",
            title_ja="会談", title_en="Talks", kind=kinds[i % len(kinds)],
            level=levels[i % len(levels)], format="in_person",
            countries="|".join(partners[(i + k) % len(partners)] for k in range(1 + i % 2)),
            participants=people[i % len(people)] if i % 4 else "",
        )
        rows.append([row[c] for c in columns])
    return columns, rows


def files(columns, rows):
    """The rows as CSV (UTF-8) and as a workbook written by openpyxl, as Excel users send."""
    import tablib

    dataset = tablib.Dataset(*rows, headers=columns)
    return {"csv": dataset.export("csv").encode("utf-8"), "xlsx": dataset.export("xlsx")}


def zip_ratios(data):
    """A workbook's expansion: the whole (unpacked / packed bytes) and its worst member."""
    members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    whole = sum(m.file_size for m in members) / max(1, sum(m.compress_size for m in members))
    worst = max(m.file_size / max(1, m.compress_size) for m in members)
    return round(whole, 1), round(worst, 1)


def profiled(function, profile):
    """The function's result, and the seconds it took: (wall clock, this process's processor
    time). On a shared machine the first grows with the others' load; the second much less."""
    started, cpu = time.perf_counter(), time.process_time()
    if not profile:
        result = function()
        return result, (time.perf_counter() - started, time.process_time() - cpu)
    profiler = cProfile.Profile()
    result = profiler.runcall(function)
    seconds = (time.perf_counter() - started, time.process_time() - cpu)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
    print(out.getvalue(), file=sys.stderr)
    return result, seconds


def measure(client, name, data, format_index, profile=False):
    """The upload of ``data`` and its check, then its confirmation and its import: what each
    request took (what a worker's timeout bounds), what each step took, and what they said.
    A revision that checks and imports inside the requests (a baseline before
    defrel.imports.background) is measured too: its steps are its requests."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from meetings.models import Meeting

    before = Meeting.objects.count()
    upload, upload_seconds = profiled(lambda: client.post(reverse("admin:meetings_meeting_import"), {
        "resource": "0", "format": format_index, "import_file": SimpleUploadedFile(name, data)}), profile)
    off_request = upload.status_code == 302
    out = {"upload_request_seconds": round(upload_seconds[0], 2), "upload_status": upload.status_code,
           "off_request": off_request}
    preview, check_seconds = upload, upload_seconds
    if off_request:  # only revisions that have it run steps off the request
        from defrel.imports.background import wait_for_steps

        _, check_seconds = profiled(wait_for_steps, False)
        preview = client.get(upload.url)
    page = preview.content.decode()
    confirm = confirm_fields(page)
    out.update(check_seconds=round(check_seconds[0], 2), preview_kb=round(len(preview.content) / 1024),
               new_rows=shown_count(page))
    if confirm is None:
        out["refused"] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))[-600:]
        return out
    done, confirm_seconds = profiled(lambda: client.post(
        reverse("admin:meetings_meeting_process_import"), confirm), profile)
    import_seconds = confirm_seconds
    if off_request:
        _, import_seconds = profiled(wait_for_steps, False)
        client.get(done.url)  # the page that reports the import's end
    out.update(confirm_request_seconds=round(confirm_seconds[0], 2), import_seconds=round(import_seconds[0], 2),
               written=Meeting.objects.count() - before)
    return out


def confirm_fields(page):
    """The confirm form's fields as the browser would post them, or None without the form."""
    form = re.search(r'<form action="[^"]*process_import/?"[^>]*>(.*?)</form>', page, re.S)
    if not form:
        return None
    return {html.unescape(name): html.unescape(value) for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1))}


def shown_count(page):
    """How many new rows the preview says it will add (its summary, else its rows)."""
    found = re.search(r'data-import-new="(\d+)"', page)
    if found:
        return int(found.group(1))
    return page.count('<tr class="new">')


def run(rows, profile=False):
    """(Inside Django.) Both files through both steps; what each took and said."""
    from django.contrib.auth.models import User
    from django.test import Client
    from django.utils import translation

    rows = int(rows)
    # Keys as long as the one-format "imp-00000", so the files stay within the upload cap.
    made = {kind: files(*meeting_rows(rows, f"i{kind[0]}-"))[kind] for kind in ("xlsx", "csv")}
    report = {"rows": rows, "files": {}}
    for kind, data in made.items():
        report["files"][kind] = {"bytes": len(data)}
        if kind == "xlsx":
            report["files"][kind]["ratio"], report["files"][kind]["worst_member_ratio"] = zip_ratios(data)
    translation.activate("en")
    # The steps run in threads with their own connections, so what they write is committed:
    # this runs last on the benchmark's database, and each format imports meetings of its own.
    user, _ = User.objects.get_or_create(username=USER, defaults={"is_staff": True, "is_superuser": True})
    for kind, format_index in (("xlsx", "1"), ("csv", "0")):
        client = Client(HTTP_HOST="127.0.0.1")  # the test client says "testserver", not an allowed host
        client.force_login(user)
        client.cookies["django_language"] = "en"
        report[kind] = measure(client, f"meetings.{kind}", made[kind], format_index, profile)
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    django_setup(args.database_url)
    print(json.dumps(run(args.rows, args.profile)))


if __name__ == "__main__":
    main()
