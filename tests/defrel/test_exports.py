import csv
import io

import pytest

from defrel.exports import escape_formula, unescape_formula


@pytest.mark.parametrize("value", ["=1+1", "+81", "-3", "@SUM(A1)", "\tx", "\rx", "\0x", "'=x", "'plain"])
def test_formula_cells_are_neutralised_and_restored(value):
    escaped = escape_formula(value)
    assert escaped.startswith("'")
    assert unescape_formula(escaped) == value


@pytest.mark.parametrize("value", ["日豪防衛相会談", "Kihara Minoru", "2024-05", "", None, 3])
def test_ordinary_cells_are_untouched(value):
    assert escape_formula(value) == value
    assert unescape_formula(value) == value


class Rows:
    """A stand-in queryset: iterator() is all csv_chunks asks of it."""

    def __init__(self, rows):
        self.rows = rows

    def iterator(self, chunk_size):
        return iter(self.rows)


class Resource:
    def __init__(self, rows):
        self.rows = rows

    def get_export_headers(self):
        return ["key", "title"]

    def export_resource(self, row):
        return [escape_formula(v) for v in row]


def test_csv_chunks_are_the_csv_rows_in_few_writes():
    from defrel.exports import csv_chunks

    rows = [[f"k{i}", "=x" if i % 7 == 0 else f"日本語, \"{i}\"\nline"] for i in range(5000)]
    resource = Resource(rows)
    chunks = list(csv_chunks(resource, Rows(rows), chunk_bytes=8192))
    assert chunks[0] == "\ufeffkey,title\r\n".encode()  # the header alone, before any row
    expected = io.StringIO()
    csv.writer(expected).writerows([["key", "title"], *([k, escape_formula(t)] for k, t in rows)])
    assert b"".join(chunks) == ("\ufeff" + expected.getvalue()).encode()
    assert 10 < len(chunks) < 100  # not one a row
    assert all(len(c) >= 8192 // 2 for c in chunks[1:-1])
    assert all(c.endswith(b"\r\n") for c in chunks)


def test_csv_chunks_take_a_resources_own_chunks():
    from defrel.exports import csv_chunks

    class Fast(Resource):
        def export_csv(self, headers, queryset):
            assert headers == ["key", "title"]
            yield b"a,b\r\n"
            yield b"c,d\r\n"

    assert list(csv_chunks(Fast([]), Rows([]))) == ["\ufeffkey,title\r\n".encode(), b"a,b\r\n", b"c,d\r\n"]
