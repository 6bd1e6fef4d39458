"""The all-or-nothing import of meetings through MeetingResource (run inside Django by
bench/child.py); the admin's two steps are measured by bench/admin_import.py."""
import time


def import_rows(rows):
    """Import ``rows`` new meetings (copies of existing ones under new keys) through
    MeetingResource, inside a transaction rolled back afterwards; then a file whose last row
    is wrong, which must import nothing."""
    import tablib
    from django.db import transaction

    from meetings.models import Meeting
    from meetings.resources import MeetingResource

    rows = int(rows)
    dataset = copies_under_new_keys(rows)
    before = Meeting.objects.count()
    with transaction.atomic():
        started = time.perf_counter()
        result = MeetingResource().import_data(dataset, dry_run=False)
        seconds = time.perf_counter() - started
        imported = Meeting.objects.count() - before
        ok = not (result.has_errors() or result.has_validation_errors())
        transaction.set_rollback(True)
    rows_bad = [list(r) for r in dataset[: min(rows, 1000)]]
    rows_bad[-1][dataset.headers.index("countries")] = "NO-SUCH-COUNTRY"
    bad = tablib.Dataset(*rows_bad, headers=dataset.headers)
    started = time.perf_counter()
    refused = MeetingResource().import_data(bad, dry_run=False)
    refused_seconds = time.perf_counter() - started
    return {
        "rows": len(dataset), "imported": imported, "ok": ok, "seconds": seconds,
        "bad_rows": len(bad), "bad_refused": refused.has_validation_errors(),
        "bad_left": Meeting.objects.count() - before, "bad_seconds": refused_seconds,
    }


def copies_under_new_keys(rows):
    """The ``rows`` newest meetings as MeetingResource exports them, under new keys."""
    from meetings.resources import MeetingResource

    resource = MeetingResource()
    dataset = resource.export(queryset=resource.get_queryset().order_by("-date_lower", "key")[:rows])
    keys = dataset.headers.index("key")
    for i in range(len(dataset)):
        row = list(dataset[i])
        row[keys] = f"imported-{i:06d}"
        dataset[i] = row
    return dataset
