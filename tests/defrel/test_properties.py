"""Properties that hold for any input: partial dates parse or refuse cleanly, and a meeting
import writes every row or none."""
import csv
import io

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from defrel.dates import parse
from defrel.uploads import CheckedCSV, FileRefused
from meetings.models import Meeting
from meetings.resources import MeetingResource
from tests.partners.factories import CountryFactory

FAST = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Near misses are where parsers break: pieces of real dates, glued with the separators EDTF uses.
date_pieces = st.sampled_from(["2024", "2024-05", "2024-05-17", "2024-02-30", "2024-21", "0000",
                               "9999-12", "-2024", "2024-13", "1985-04-12T23:20:30", "..", "",
                               "2024?", "2024~", "2024-XX", "Y170000002", "2024-05-01", "1900"])
date_like = st.one_of(
    st.text(),
    st.text(alphabet="0123456789-/.XYu?~%T:+ ", max_size=25),
    st.tuples(date_pieces, st.sampled_from(["", "/", "/..", "../", "//"]), date_pieces).map("".join),
)


@pytest.mark.parametrize("text", ["0000", "0000-05", "0000/2024", "-0001", "0001/-0001"])
def test_years_before_1_are_refused(text):
    with pytest.raises(ValidationError):
        parse(text).lower


@FAST
@given(date_like, st.booleans())
def test_any_text_is_a_partial_date_or_a_validation_error(text, unknown_start):
    try:
        date = parse(text, allow_unknown_start=unknown_start)
    except ValidationError:
        return
    if date.lower is not None and date.upper is not None:
        assert date.lower <= date.upper
    assert isinstance(date.display("ja"), str) and isinstance(date.display("en"), str)
    assert date.precision in ("day", "month", "year")


HEADERS = MeetingResource().get_export_headers()
VALID = {"date": "2024-05", "count": "1", "title_ja": "日豪防衛相会談", "title_en": "Talks",
         "kind": "talks", "level": "ministerial", "format": "in_person", "countries": "AU"}
HOSTILE = {
    "key": st.one_of(st.sampled_from(["2024-05-r0", "2024-05-R0", "k k", "=1+1"]), st.text(max_size=8)),
    "date": date_like,
    "count": st.sampled_from(["0", "-1", "x", "", "99999"]),
    "title_en": st.sampled_from(["=SUM(A1)", "'=x", "<script>x</script>", "x" * 301, "a\x00b"]),
    "level": st.sampled_from(["galactic", ""]),
    "countries": st.sampled_from(["AU|NZ", "XX", "", "au", "AU|AU", "AU||NZ"]),
}


@st.composite
def meeting_rows(draw):
    """Valid rows with a few cells made hostile, so some files import and some do not."""
    records = []
    for number in range(draw(st.integers(0, 4))):
        record = dict(VALID, key=f"2024-05-r{number}")
        for column in draw(st.sets(st.sampled_from(HEADERS), max_size=2)):
            record[column] = draw(HOSTILE.get(column, st.text(max_size=6)))
        records.append(record)
    return records


def as_csv(header, records):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for record in records:
        writer.writerow([record.get(h, "") for h in header])
    return out.getvalue()


csv_like = st.one_of(
    meeting_rows().map(lambda records: as_csv(HEADERS, records)),
    st.tuples(st.permutations(HEADERS).map(lambda h: h[:-1] if len(h) % 2 else h), meeting_rows())
    .map(lambda pair: as_csv(*pair)),
    st.text(),
    st.text(alphabet=",\"\n\r;\tAUkey|=日", max_size=60).map(lambda body: ",".join(HEADERS) + "\n" + body),
)


@pytest.mark.django_db
@FAST
@given(csv_like)
def test_a_meeting_import_writes_every_row_or_none(text):
    CountryFactory(code="AU")
    CountryFactory(code="NZ")
    before = sorted(Meeting.objects.values_list("key", "title_ja", "title_en", "date", "version"))
    try:
        dataset = CheckedCSV(encoding="utf-8").create_dataset(text)
    except FileRefused:
        event("file refused")
        assert sorted(Meeting.objects.values_list("key", "title_ja", "title_en", "date", "version")) == before
        return
    result = MeetingResource().import_data(dataset, dry_run=False)  # must not raise
    after = sorted(Meeting.objects.values_list("key", "title_ja", "title_en", "date", "version"))
    if result.has_errors() or result.has_validation_errors():
        event("row refused")
        assert after == before
    else:
        event("written")
        keys = {str(row["key"]).strip() for row in dataset.dict}
        assert keys <= {key for key, *_ in after}
        assert len(result.rows) == len(dataset)
