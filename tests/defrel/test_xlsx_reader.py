"""defrel.imports.xlsx reads every kind of cell as openpyxl's own read-only cells do."""
import datetime
import io
from pathlib import Path

import openpyxl
import pytest
import tablib
from django.utils import translation
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import MAC_EPOCH

from defrel.imports.xlsx import FORMULA, sheet_rows
from defrel.uploads import CheckedXLSX, FileRefused

CORPUS = Path(__file__).resolve().parent.parent / "data" / "bad_imports"


def as_openpyxl_reads(data):
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    rows = []
    for number, row in enumerate(sheet.iter_rows(), start=1):
        values = [FORMULA if cell.data_type == "f" else cell.value for cell in row]
        while values and values[-1] is None:
            values.pop()
        if values:
            rows.append((number, values))
    return rows


def as_defrel_reads(data):
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    rows = []
    for number, values in sheet_rows(book, book.worksheets[0]):
        while values and values[-1] is None:
            values.pop()
        if values:
            rows.append((number, values))
    return rows


def workbook(epoch=None):
    book = openpyxl.Workbook()
    if epoch:
        book.epoch = epoch
    sheet = book.active
    sheet.append(["text", "int", "float", "day", "moment", "bool", "empty", "formula", "time", "big"])
    sheet.append(["日本語", 3, 2.5, datetime.date(2024, 5, 17), datetime.datetime(2024, 5, 17, 13, 30),
                  True, None, "=1+1", datetime.time(12, 30), 1e20])
    sheet.append(["'=text", -1, 0.1, datetime.date(1900, 3, 1), datetime.datetime(2024, 5, 17), False,
                  "", "=SUM(B2:B3)", datetime.timedelta(hours=5), "x"])
    sheet["C5"] = "after a gap"
    sheet["A6"] = CellRichText(["plain ", TextBlock(InlineFont(b=True), "bold")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("epoch", [None, MAC_EPOCH])
def test_every_kind_of_cell_reads_as_openpyxl_reads_it(epoch):
    data = workbook(epoch)
    expected = as_openpyxl_reads(data)
    assert expected[1][1][:6] == ["日本語", 3, 2.5, datetime.datetime(2024, 5, 17),
                                   datetime.datetime(2024, 5, 17, 13, 30), True]
    assert as_defrel_reads(data) == expected


@pytest.mark.parametrize("name", ["formula_cell.xlsx", "billion_laughs.xlsx", "empty_sheet.xlsx"])
def test_the_hostile_corpus_reads_as_openpyxl_reads_it(name):
    data = (CORPUS / name).read_bytes()
    try:
        expected = as_openpyxl_reads(data)
    except Exception as error:  # noqa: BLE001 - then the reader must fail alike
        with pytest.raises(type(error)):
            as_defrel_reads(data)
    else:
        assert as_defrel_reads(data) == expected


def test_a_workbook_of_plain_rows_becomes_the_same_dataset_as_its_csv():
    rows = [[f"2024-05-{i:05d}", "2024-05", 1, "日豪防衛相会談", "", "AU|US"] for i in range(300)]
    headers = ["key", "date", "count", "title_ja", "location_en", "countries"]
    data = tablib.Dataset(*rows, headers=headers).export("xlsx")
    dataset = CheckedXLSX().create_dataset(data)
    assert dataset.headers == headers
    assert dataset[0] == ("2024-05-00000", "2024-05", 1, "日豪防衛相会談", "", "AU|US")
    assert dataset.height == 300


def test_a_row_far_below_the_cap_is_refused_without_reading_the_rows_between():
    with translation.override("en"), pytest.raises(FileRefused, match="more than 20000 rows"):
        CheckedXLSX().create_dataset((CORPUS / "far_away_cell.xlsx").read_bytes())
