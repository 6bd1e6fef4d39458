import csv
import io

import pytest
from django.core.management import call_command

from defrel.exports import csv_rows
from meetings.models import Meeting
from meetings.resources import MeetingResource

pytestmark = pytest.mark.django_db


def test_the_fast_export_gives_the_resources_cells_for_every_curated_meeting():
    call_command("load_curated", verbosity=0)
    resource = MeetingResource()
    queryset = resource.get_queryset()
    slow = [resource.export_resource(m) for m in queryset]
    fast = list(resource.export_rows(resource.get_export_headers(), Meeting.objects.all()))
    assert len(fast) == Meeting.objects.count() > 200
    assert fast == slow


def test_the_streamed_csv_uses_the_fast_rows_and_escapes_formulae():
    from tests.meetings.factories import MeetingFactory
    MeetingFactory(key="f", title_en="=cmd()")
    text = "".join(csv_rows(MeetingResource(), Meeting.objects.all()))
    (row,) = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["title_en"] == "'=cmd()"
