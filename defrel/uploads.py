"""Reading uploaded files (CSV, JSON, XLSX) defensively: encodings, delimiters, sizes, zip
bombs, XML entities and formulas. Each check raises FileRefused with a reason the editor can
act on; the admin shows it at the preview and again at the confirm step."""
import csv
import io
import json
import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export.formats import base_formats


class FileRefused(Exception):
    """A file-level reason to import nothing; its text is shown to the editor as it is."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)

    def __str__(self):
        return self.message


def max_rows():
    """Rows an import takes (settings.DEFREL_IMPORT_MAX_ROWS); a file with more is refused."""
    return settings.DEFREL_IMPORT_MAX_ROWS


MAX_COLUMNS = 100
# Workbooks of 20,000 rows written by openpyxl expand 9.5- to 15-fold, whole and member by
# member (bench/NOTES.md); a zip bomb expands hundreds- to thousands-fold. A file expanding
# more than XLSX_MAX_RATIO-fold is refused before anything parses it, so no one waits for it.
XLSX_MAX_RATIO = 30
XLSX_RATIO_FROM = 1024 * 1024  # smaller parts (styles, an empty sheet) may compress better, harmlessly
XLSX_MAX_MEMBERS = 500


def decode_text(data):
    """UTF-8 (with or without Excel's BOM), else Shift_JIS as Japanese Excel writes "CSV
    (comma delimited)"; returns (text, encoding). Anything else is refused with the advice."""
    if isinstance(data, str):
        return data, "utf-8"
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileRefused(not_text())


def too_large(size):
    return _("The file is %(size)s; imports are limited to %(cap)s. Split it into smaller files.") % {
        "size": filesizeformat(size), "cap": filesizeformat(settings.DEFREL_IMPORT_MAX_BYTES)}


def save_as_advice():
    return _("In Excel, choose Save As › “CSV UTF-8 (Comma delimited) (*.csv)” and upload that file.")


def not_text():
    return _("The file is neither UTF-8 nor Shift_JIS text.") + " " + save_as_advice()


def causes(error):
    """The exception and those it was raised from (openpyxl wraps what defusedxml raises)."""
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


def check_text(text):
    if "\x00" in text:
        raise FileRefused(_("The file contains a NUL byte, so it is binary, not text.")
                          + " " + save_as_advice())
    if not text.strip():
        raise FileRefused(_("The file is empty."))


def too_many_rows():
    return _("The file has more than %s rows; split it into smaller files.") % max_rows()


def tabulate(headers, rows):
    """A dataset from a header and rows, refusing rows wider than the header."""
    import tablib

    headers = ["" if h is None else str(h).strip() for h in headers]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    if width > MAX_COLUMNS:
        raise FileRefused(_("The header row has %(n)s columns; imports take at most %(max)s.")
                          % {"n": width, "max": MAX_COLUMNS})
    data, most = tablib.Dataset(headers=headers), max_rows()
    for number, row in enumerate(rows, start=1):
        row = list(row)
        if number > most:
            raise FileRefused(too_many_rows())
        if all(cell is None or cell == "" for cell in row):
            continue  # a blank line, as spreadsheets leave at the end
        extra = [cell for cell in row[width:] if cell not in (None, "")]
        if extra:
            raise FileRefused(_("Row %(row)s has %(cells)s cells but the header names %(width)s "
                                "columns.") % {"row": number, "cells": len(row), "width": width})
        data.append((row + [""] * width)[:width])
    if not data.height:
        raise FileRefused(_("The file has a header row but no rows to import."))
    return data


class CheckedCSV(base_formats.CSV):
    """Comma-separated text; a semicolon or tab file is refused with the reason."""

    def create_dataset(self, in_stream, **kwargs):
        text, _encoding = decode_text(in_stream)
        check_text(text)
        try:
            lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True))
        except csv.Error as error:
            raise FileRefused(_("The file is not valid CSV (%s).") % error) from None
        lines = [line for line in lines if line]
        if not lines:
            raise FileRefused(_("The file is empty."))
        header = lines[0]
        if len(header) == 1:
            for mark, name in ((";", _("semicolons")), ("\t", _("tabs"))):
                if mark in header[0]:
                    raise FileRefused(_("The columns are separated by %(name)s, not commas.")
                                      % {"name": name} + " " + save_as_advice())
        return tabulate(header, lines[1:])


class CheckedJSON(base_formats.JSON):
    """A list of flat objects, one per row, with the same keys."""

    def create_dataset(self, in_stream, **kwargs):
        text, _encoding = decode_text(in_stream)
        check_text(text)
        try:
            items = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise FileRefused(_("The file is not valid JSON (%s).") % error) from None
        if not isinstance(items, list):
            raise FileRefused(_("The JSON file must be a list of objects, one per row; it is %s.")
                              % type(items).__name__)
        if not items:
            raise FileRefused(_("The file has a header row but no rows to import."))
        headers = None
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise FileRefused(_("Row %(row)s is not an object with named columns.") % {"row": number})
            for column, value in item.items():
                if isinstance(value, (dict, list)):
                    raise FileRefused(
                        _("Row %(row)s, column %(column)s: a nested value; give text (several "
                          "keys joined by “|”).") % {"row": number, "column": column})
            if headers is None:
                headers = list(item)
            elif set(item) != set(headers):
                raise FileRefused(_("Row %(row)s has other columns than row 1 (%(diff)s).") % {
                    "row": number, "diff": ", ".join(sorted(set(item) ^ set(headers)))})
        return tabulate(headers, ([item[h] for h in headers] for item in items))


class CheckedXLSX(base_formats.XLSX):
    """The first sheet of a workbook, values only, after checking the zip it comes in."""

    def create_dataset(self, in_stream):
        import openpyxl
        from defusedxml import DefusedXmlException

        from defrel.imports.xlsx import sheet_rows

        if not openpyxl.DEFUSEDXML:  # OPENPYXL_DEFUSEDXML=False in the environment
            raise FileRefused(_("Excel imports are switched off: defusedxml is not in use."))
        self.check_zip(in_stream)
        try:
            try:
                book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=False)
                rows = self.values(sheet_rows(book, book.worksheets[0]))
                header = next(rows, None)
                if header is None:
                    raise FileRefused(_("The file has no header row; the first row must name the columns."))
                return tabulate(header, rows)
            except (zipfile.BadZipFile, KeyError, IndexError, OSError, ValueError, TypeError,
                    SyntaxError) as error:
                if any(isinstance(e, DefusedXmlException) for e in causes(error)):
                    raise
                raise FileRefused(_("The file is not a readable Excel workbook (.xlsx).")) from error
        except Exception as error:
            if not any(isinstance(e, DefusedXmlException) for e in causes(error)):
                raise
            raise FileRefused(_("The workbook declares XML entities or a DTD (as a “billion "
                                "laughs” file does); it was refused unread.")) from None

    @staticmethod
    def check_zip(data):
        cap = settings.DEFREL_IMPORT_MAX_BYTES * 20
        try:
            members = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, ValueError, OSError):
            raise FileRefused(_("The file is not a readable Excel workbook (.xlsx).")) from None
        expanded = sum(m.file_size for m in members)
        ratios = [(m.file_size, m.compress_size) for m in members if m.file_size > XLSX_RATIO_FROM]
        if expanded > XLSX_RATIO_FROM:  # the whole, as well as each large part
            ratios.append((expanded, sum(m.compress_size for m in members)))
        worst = max((size / max(packed, 1) for size, packed in ratios), default=0)
        if worst > XLSX_MAX_RATIO:
            raise FileRefused(
                _("The workbook expands %(ratio)d-fold when unpacked, to %(size)s; workbooks "
                  "expand at most %(cap)d-fold, so this one is taken for a “zip bomb” and was "
                  "refused unread.") % {"ratio": worst, "size": filesizeformat(expanded),
                                        "cap": XLSX_MAX_RATIO})
        if len(members) > XLSX_MAX_MEMBERS or expanded > cap:
            raise FileRefused(_("The workbook expands to %(size)s when unpacked (a “zip bomb”); "
                                "it was refused unread.") % {"size": filesizeformat(expanded)})

    @staticmethod
    def values(rows):
        """The rows of defrel.imports.xlsx.sheet_rows as a file's lines (the header first)."""
        import datetime

        from openpyxl.utils import get_column_letter

        from defrel.imports.xlsx import FORMULA

        most = max_rows()
        for sheet_row, row in rows:
            if sheet_row > most + 1:  # a row beyond the cap: refused before the rows between
                raise FileRefused(too_many_rows())
            values = []
            for column, value in enumerate(row, start=1):
                if value is FORMULA:
                    raise FileRefused(
                        _("Row %(row)s, cell %(cell)s holds a formula; imports take values only. "
                          "In Excel, copy the cells and Paste Special › Values, then save.")
                        % {"row": sheet_row - 1, "cell": f"{get_column_letter(column)}{sheet_row}"})
                value = "" if value is None else value  # an empty cell, as in CSV
                if isinstance(value, datetime.datetime) and value.time() == datetime.time():
                    value = value.date().isoformat()  # a date typed into Excel: a day in EDTF
                values.append(value)
            yield values
