"""Whole tables as CSV and NDJSON, and the latest data release."""
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404

from defrel.exports import stream_csv, stream_ndjson
from meetings import tables
from meetings.models import Release


def table_csv(request, slug):
    table = tables.table(slug)
    resource = table.resource()
    return stream_csv(resource, table.rows(resource), f"defrel-{slug}.csv")


def table_ndjson(request, slug):
    table = tables.table(slug)
    resource = table.resource()
    return stream_ndjson(resource, table.rows(resource), f"defrel-{slug}.ndjson")


def latest_release(request):
    """The newest file ``manage.py release`` wrote, by the name it recorded (never a name
    from the request)."""
    release = Release.objects.order_by("-created_at").first()
    # A bare name, as the command records it: nothing outside the directory, whatever the row says.
    if release is None or Path(release.filename).name != release.filename:
        raise Http404("no release yet")
    path = Path(settings.RELEASES_DIR) / release.filename
    if not path.is_file():
        raise Http404("no release yet")
    return FileResponse(path.open("rb"), as_attachment=True, filename=release.filename,
                        content_type="application/zip")
