"""The rows of a workbook's first sheet as plain values, read twice as fast as openpyxl's
read-only cells.

openpyxl (in read-only mode) still builds a cell object, and for an inline string a rich-text
object, for every cell: 7 s of the 20,000-row file's preview, and the same again at the
confirm step. This reader keeps openpyxl's parsing of the workbook (its sheets, shared strings
and date styles) and of the sheet's XML (WorkSheetParser, through defusedxml), and replaces
only its reading of a cell by one that gives the value, as openpyxl's would be, and nothing
else. WorkSheetParser and the workbook's date styles are openpyxl's private API (3.1); the
tests compare this reader with openpyxl's cells on the same workbooks.
"""
import re

from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._reader import FORMULA_TAG, INLINE_STRING, VALUE_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

TEXT_TAG = "{%s}t" % SHEET_MAIN_NS
RUN_TAG = "{%s}r" % SHEET_MAIN_NS
LETTERS = re.compile(r"[A-Z]+")


class Formula:
    """A cell holding a formula (the import takes values only)."""


FORMULA = Formula()


def column_number(letters, known={}):  # noqa: B006 - a cache shared by every sheet
    number = known.get(letters)
    if number is None:
        number = 0
        for letter in letters:
            number = number * 26 + ord(letter) - 64
        known[letters] = number
    return number


def number(text):
    """A number cell's text as openpyxl casts it (openpyxl.worksheet._reader._cast_number)."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class ValueParser(WorkSheetParser):
    """openpyxl's sheet parser, each cell read as (column, value): FORMULA for a formula,
    None for an empty cell."""

    def parse_cell(self, element):
        kind = element.get("t", "n")
        coordinate = element.get("r")
        if coordinate:
            column = column_number(LETTERS.match(coordinate).group())
        else:
            column = self.col_counter + 1
        self.col_counter = column
        if element.find(FORMULA_TAG) is not None:
            return column, FORMULA
        if kind == "inlineStr":
            inline = element.find(INLINE_STRING)
            if inline is None:
                return column, None
            # Text.content: the plain text and the rich-text runs, not phonetic (ruby) runs.
            return column, "".join([inline.findtext(TEXT_TAG) or "",
                                    *(run.findtext(TEXT_TAG) or "" for run in inline.iterfind(RUN_TAG))])
        value = element.findtext(VALUE_TAG) or None
        if value is None:
            return column, None
        if kind == "s":
            return column, self.shared_strings[int(value)]
        if kind == "n":
            value = number(value)
            style = int(element.get("s", 0))
            if style in self.date_formats:
                try:
                    return column, from_excel(value, self.epoch, timedelta=style in self.timedelta_formats)
                except (OverflowError, ValueError):
                    return column, "#VALUE!"
            return column, value
        if kind == "b":
            return column, bool(int(value))
        if kind == "d":
            return column, from_ISO8601(value)
        return column, value  # "str" (a formula's text), "e" (an error such as #N/A)


def sheet_rows(book, sheet):
    """(row number, values from column A) for each row of a read-only ``sheet`` with cells,
    in order; a formula is FORMULA."""
    with sheet._get_source() as source:
        parser = ValueParser(source, sheet._shared_strings, data_only=False, epoch=book.epoch,
                             date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        for row_number, cells in parser.parse():
            values = [None] * (max((column for column, _value in cells), default=0))
            for column, value in cells:
                values[column - 1] = value
            yield row_number, values
