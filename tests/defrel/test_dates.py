import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from defrel import dates
from defrel.dates import parse, parse_day


@pytest.mark.parametrize(
    "text, lower, upper, ja, en",
    [
        ("2024-05-17", "2024-05-17", "2024-05-17", "2024年5月17日", "17 May 2024"),
        ("2024-05", "2024-05-01", "2024-05-31", "2024年5月", "May 2024"),
        ("2024", "2024-01-01", "2024-12-31", "2024年", "2024"),
        ("2024-09/2024-10", "2024-09-01", "2024-10-31", "2024年9月～10月", "September–October 2024"),
        ("2024-12/2025-02", "2024-12-01", "2025-02-28", "2024年12月～2025年2月", "December 2024 – February 2025"),
        ("2025-02-24/2025-03-07", "2025-02-24", "2025-03-07", "2025年2月24日～3月7日", "24 February – 7 March 2025"),
        ("2025-03-03/2025-03-05", "2025-03-03", "2025-03-05", "2025年3月3日～5日", "3–5 March 2025"),
        ("2024-12-24/2025-01-07", "2024-12-24", "2025-01-07", "2024年12月24日～2025年1月7日",
         "24 December 2024 – 7 January 2025"),
        ("2025-02-24/2025-03", "2025-02-24", "2025-03-31", "2025年2月24日～3月", "24 February – March 2025"),
        ("2025-02/2025-03-07", "2025-02-01", "2025-03-07", "2025年2月～3月7日", "February – 7 March 2025"),
        ("2024/2024-05", "2024-01-01", "2024-05-31", "2024年～2024年5月", "2024 – May 2024"),
        ("2024-04/..", "2024-04-01", None, "2024年4月以降", "since April 2024"),
    ],
)
def test_precision_is_kept_in_bounds_and_display(text, lower, upper, ja, en):
    date = parse(text)
    assert str(date.lower) == lower
    assert (str(date.upper) if date.upper else None) == upper
    assert date.display("ja") == ja
    assert date.display("en") == en


def test_unknown_start_is_allowed_only_where_asked():
    assert parse("/2024-10-01", allow_unknown_start=True).lower is None
    assert parse("/2024-10-01", allow_unknown_start=True).display("en") == "until 1 October 2024"
    with pytest.raises(ValidationError):
        parse("/2024-10-01")


def test_unknown_end_has_no_upper_bound():
    date = parse("2022-05/")
    assert date.upper is None
    assert date.display("ja") == "2022年5月～"


@pytest.mark.parametrize(
    "text", ["2024-21", "2024-13", "2024-02-30", "../2024", "2024-05-01/2024-04-01", "x", "", "/",
             "2024/2025/2026", "2024-05~", "2024?"],
)
def test_what_edtf_would_also_accept_is_refused(text):
    with pytest.raises(ValidationError):
        parse(text)


def test_reversed_interval_says_so():
    with translation.override("en"), pytest.raises(ValidationError, match="ends before it starts"):
        parse("2024-05-01/2024-04-01")
    with translation.override("ja"), pytest.raises(ValidationError, match="終期が始期より前"):
        parse("2024-05-01/2024-04-01")


def test_as_of_day_is_a_full_iso_day():
    assert parse_day("2019-12-01") == datetime.date(2019, 12, 1)
    with pytest.raises(ValidationError):
        parse_day("2024-13-40")


@pytest.mark.parametrize("text", ["2024-05-17", "2024-05", "2024", "2024-09/2024-10", "2024-12/2025-02",
                                  "2024-04/..", "/2024-10-01", "2022-05/", "2023-09-13/2024-10-01", "2020/2023-03"])
def test_a_saved_date_reads_back_as_its_parse_without_parsing(text):
    from defrel.dates import PartialDate

    parsed = parse(text, allow_unknown_start=True)
    saved = PartialDate.saved(text, parsed.lower, parsed.upper)
    assert saved == parsed
    assert saved.display("ja") == parsed.display("ja") and saved.display("en") == parsed.display("en")


@pytest.mark.parametrize("text", [
    "2024", "2024-05", "2024-05-17", "2024-02-29", "1999-12-31", "0001", "9999-12",
    "2024-05/2024-09", "2023/2024-02-03", "2024-04/..",
])
def test_plain_ends_read_without_edtf_agree_with_edtf(text, monkeypatch):
    fast = dates.parse.__wrapped__(text)  # not the cached parse
    monkeypatch.setattr(dates, "PLAIN_END", re.compile(r"(?!)"))  # never matches: edtf reads all
    slow = dates.parse.__wrapped__(text)
    assert (fast.lower, fast.upper, fast.display()) == (slow.lower, slow.upper, slow.display())


@pytest.mark.parametrize("text", ["2024-02-30", "2024-13", "2024-21", "0000", "2024-00", "2024-5"])
def test_impossible_plain_dates_are_refused_as_before(text):
    with pytest.raises(ValidationError):
        dates.parse(text)


def test_a_text_the_edtf_library_fails_on_is_refused_as_a_date():
    # edtf 5.0 raised AttributeError inside its own classes on it (found by test_properties)
    with pytest.raises(ValidationError):
        dates.parse("0000-0X")


def test_a_date_written_with_slashes_is_told_the_accepted_forms():
    with translation.override("ja"), pytest.raises(ValidationError) as refused:
        parse("2024/05/17")
    assert refused.value.messages == [
        "「2024/05/17」は日付ではありません。日（2024-05-17）、月（2024-05）、年（2024）、期間（2024-09/2024-10）"
        "又は終期のない期間（2024-04/..）の形式で入力してください。"]
