"""The base of every import/export resource: natural keys, all-or-nothing imports and
spreadsheet-safe exports."""
import csv
import io
import json
import zipfile

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.formats import base_formats

from defrel.exports import escape_formula, unescape_formula
from defrel.models import Source

SEPARATOR = "|"  # the one form of every multi-valued cell


class KeyWidget(widgets.ForeignKeyWidget):
    """A foreign key written as the related record's natural key; an unknown key is an error."""

    def clean(self, value, row=None, **kwargs):
        value = (str(value).strip() if value is not None else "")
        if not value:
            return None
        try:
            return self.get_queryset(value, row, **kwargs).get(**{self.field: value})
        except self.model.DoesNotExist:
            raise ValueError(
                _("unknown %(model)s “%(value)s”")
                % {"model": self.model._meta.verbose_name, "value": value}
            ) from None


class KeysWidget(widgets.ManyToManyWidget):
    """Many related records as natural keys joined by “|”; an unknown key is an error."""

    def __init__(self, model, field):
        super().__init__(model, separator=SEPARATOR, field=field)

    def clean(self, value, row=None, **kwargs):
        keys = list(dict.fromkeys(k.strip() for k in str(value or "").split(SEPARATOR) if k.strip()))
        if not keys:
            return self.model.objects.none()
        found = self.model.objects.filter(**{f"{self.field}__in": keys})
        missing = set(keys) - {str(getattr(obj, self.field)) for obj in found}
        if missing:
            raise ValueError(
                _("unknown %(model)s: %(values)s")
                % {"model": self.model._meta.verbose_name, "values": ", ".join(sorted(missing))}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return SEPARATOR.join(sorted(str(getattr(o, self.field)) for o in value.all()))


class LinesWidget(widgets.CharWidget):
    """A one-per-line text field (aliases) as a “|”-joined cell."""

    def clean(self, value, row=None, **kwargs):
        return "\n".join(v.strip() for v in str(value or "").split(SEPARATOR) if v.strip())

    def render(self, value, obj=None, **kwargs):
        return SEPARATOR.join(v.strip() for v in (value or "").splitlines() if v.strip())


class FileRefused(Exception):
    """A file-level reason to import nothing; its text is shown to the editor as it is."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)

    def __str__(self):
        return self.message


class CuratedResource(resources.ModelResource):
    """Imports write every row or none, and say which row and column was wrong.

    Hostile input: every cell is stored as plain text (HTML such as ``<script>`` included) and
    escaped wherever it is shown, the admin's preview and messages too; a cell starting with
    ``=``, ``+``, ``-`` or ``@`` is text, never evaluated, and exports escape it. A row whose key
    names an existing record may update that record but not move it to another parent (an
    official or position to another country), and a key differing from an existing one only
    in letter case is refused rather than made a near-duplicate.
    """

    required_m2m = ()  # many-to-many columns that may not be empty

    class Meta:
        abstract = True
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        use_bulk = False

    def import_data(self, dataset, **kwargs):
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        try:
            self.check_file(dataset)
        except FileRefused as refusal:
            # Refused before any row is read, so the editor sees one reason, not one per row.
            return self.refused_result(dataset, refusal)
        return super().import_data(dataset, **kwargs)

    def refused_result(self, dataset, refusal):
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = dataset.height
        error = self.get_error_result_class()(refusal)
        error.traceback = ""  # the reason is the editor's to read; a traceback is not
        result.append_base_error(error)
        return result

    def importable_columns(self):
        """The columns a file must have: derived ones (date bounds, titles) may be left out."""
        return [f.column_name for f in self.get_import_fields() if f.attribute and not f.readonly]

    def check_file(self, dataset):
        headers = [str(h).strip() for h in (dataset.headers or []) if h is not None]
        if not headers:
            raise FileRefused(_("The file has no header row; the first row must name the columns."))
        if not dataset.height:
            raise FileRefused(_("The file has a header row but no rows to import."))
        self.check_columns(headers)
        self.check_duplicate_keys(dataset)

    def check_columns(self, headers):
        expected = self.importable_columns()
        known = expected + [f.column_name for f in self.get_export_fields()]
        missing = [c for c in expected if c not in headers]
        extra = [h or _("(a column without a name)") for h in headers if h not in known]
        repeated = sorted({h for h in headers if headers.count(h) > 1})
        if missing or extra or repeated:
            parts = []
            if missing:
                parts.append(_("missing columns: %s") % ", ".join(missing))
            if extra:
                parts.append(_("unknown columns: %s") % ", ".join(extra))
            if repeated:
                parts.append(_("repeated columns: %s") % ", ".join(repeated))
            raise FileRefused(_("The file's columns do not match (%s).") % "; ".join(parts))

    def check_duplicate_keys(self, dataset):
        id_columns = [self.fields[name].column_name for name in self._meta.import_id_fields]
        first_row = {}
        for number, row in enumerate(dataset.dict, start=1):
            key = tuple(str(row.get(c, "")).strip() for c in id_columns)
            if key in first_row:
                raise FileRefused(
                    _("Row %(row)s repeats the key %(key)s of row %(first)s.")
                    % {"row": number, "key": " / ".join(key), "first": first_row[key]}
                )
            first_row[key] = number

    def before_import_row(self, row, **kwargs):
        errors = {}
        for column, value in list(row.items()):
            if isinstance(value, (dict, list, tuple, set)):
                errors[column] = _("a nested value; give text (several keys joined by “|”).")
            elif isinstance(value, str) and "\x00" in value:
                errors[column] = _("contains a NUL character (binary data).")
            else:
                row[column] = unescape_formula(value.strip() if isinstance(value, str) else value)
        if errors:
            raise ValidationError(errors)

    def get_instance(self, instance_loader, row):
        """An unknown key in a key column is that column's error, not a crash of the row."""
        errors = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        if errors:
            raise ValidationError(errors)
        return super().get_instance(instance_loader, row)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        beyond = self.beyond_the_calendar(instance)
        if beyond:
            # full_clean() would raise ValueError on these bounds: report the date alone.
            raise ValidationError({**(import_validation_errors or {}), "date": [beyond]})
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            errors = error.error_dict
            if "date" in errors and NON_FIELD_ERRORS in errors:
                # A bad date leaves the derived bounds empty; the constraints on those bounds
                # ("has a start", "ordered") would only repeat the date's own message.
                on_bounds = [c.name for c in instance._meta.constraints if "date_" in str(c.condition)]
                errors[NON_FIELD_ERRORS] = [e for e in errors[NON_FIELD_ERRORS]
                                            if not any(name in str(e.message) for name in on_bounds)]
                errors = {k: v for k, v in errors.items() if v}
            raise ValidationError(errors) from None

    @staticmethod
    def beyond_the_calendar(instance):
        """edtf reads years before 1 (0000, -0001) that datetime.date cannot hold."""
        if not hasattr(instance, "fill_date_bounds"):
            return None
        try:
            instance.fill_date_bounds()
        except ValidationError:
            return None  # full_clean() says what is wrong with it
        except (ValueError, OverflowError):
            return ValidationError(_("“%(value)s” is outside the calendar (years 1 to 9999).")
                                   % {"value": instance.date})
        return None

    def check_clashes(self, instance):
        """A key must not quietly re-parent an existing record or near-duplicate one."""
        errors = {}
        if instance.pk is not None:
            stored = type(instance)._default_manager.get(pk=instance.pk)
            for field in self.parent_fields():
                before, after = getattr(stored, field.attname), getattr(instance, field.attname)
                if before != after:
                    errors[field.name] = _(
                        "“%(key)s” already exists under %(before)s; this row would move it to "
                        "%(after)s. Change that in its own form if it is meant."
                    ) % {"key": self.key_text(instance), "before": getattr(stored, field.name),
                         "after": getattr(instance, field.name, "") if after is not None else "—"}
        elif len(self.get_import_id_fields()) == 1:
            name = self.get_import_id_fields()[0]
            attribute = self.fields[name].attribute
            model_field = instance._meta.get_field(attribute)
            value = getattr(instance, attribute, None)
            if not model_field.is_relation and isinstance(value, str) and value:
                other = (type(instance)._default_manager.filter(**{f"{attribute}__iexact": value})
                         .exclude(**{attribute: value}).values_list(attribute, flat=True).first())
                if other is not None:
                    errors[attribute] = _(
                        "“%(value)s” differs from the existing “%(other)s” only in letter case; "
                        "use the existing key."
                    ) % {"value": value, "other": other}
        return errors

    def parent_fields(self):
        """Required foreign keys outside the natural key: the record's parent (a country)."""
        id_attributes = {self.fields[name].attribute for name in self.get_import_id_fields()}
        return [f for f in self._meta.model._meta.concrete_fields
                if f.many_to_one and not f.null and f.name not in id_attributes]

    def key_text(self, instance):
        return " / ".join(str(self.fields[name].export(instance)) for name in self.get_import_id_fields())

    def import_instance(self, instance, row, **kwargs):
        """Also check many-to-many cells here, so an unknown code is a row-and-column error
        before anything is saved, rather than a failure half-way through the row."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for attribute, message in self.check_clashes(instance).items():
            errors.setdefault(attribute, []).append(ValidationError(message))
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    if not field.clean(row) and field.attribute in self.required_m2m:
                        raise ValueError(_("at least one is required"))
                except ValueError as error:
                    errors[field.attribute] = [ValidationError(str(error))]
        if errors:
            raise ValidationError(errors)

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))


class SourceResource(CuratedResource):
    class Meta(CuratedResource.Meta):
        model = Source
        import_id_fields = ["key"]
        fields = ["key", "title_ja", "title_en", "publisher_ja", "publisher_en", "date", "url", "filename"]
        export_order = fields


# Reading uploaded files. Each check raises FileRefused with the reason an editor can act on;
# the admin shows it at the preview and again at the confirm step.

MAX_ROWS = 20_000  # more than any curated table; a workbook claiming more is refused unread
MAX_COLUMNS = 100
XLSX_MAX_RATIO = 100  # sheet XML compresses ~10:1; a zip bomb ~1000:1
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
    data = tablib.Dataset(headers=headers)
    for number, row in enumerate(rows, start=1):
        row = list(row)
        if number > MAX_ROWS:
            raise FileRefused(_("The file has more than %s rows; split it into smaller files.") % MAX_ROWS)
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

        if not openpyxl.DEFUSEDXML:  # OPENPYXL_DEFUSEDXML=False in the environment
            raise FileRefused(_("Excel imports are switched off: defusedxml is not in use."))
        self.check_zip(in_stream)
        try:
            try:
                book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=False)
                sheet = book.worksheets[0]
                sheet.reset_dimensions()  # the declared size may be a lie; read what is there
                rows = self.values(sheet.iter_rows())
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
        worst = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
        if len(members) > XLSX_MAX_MEMBERS or expanded > cap or (
            worst > XLSX_MAX_RATIO and expanded > 1024 * 1024
        ):
            raise FileRefused(_("The workbook expands to %(size)s when unpacked (a “zip bomb”); "
                                "it was refused unread.") % {"size": filesizeformat(expanded)})

    @staticmethod
    def values(rows):
        import datetime

        for number, row in enumerate(rows, start=0):
            values = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    raise FileRefused(
                        _("Row %(row)s, cell %(cell)s holds a formula; imports take values only. "
                          "In Excel, copy the cells and Paste Special › Values, then save.")
                        % {"row": number, "cell": cell.coordinate})
                value = "" if cell.value is None else cell.value  # an empty cell, as in CSV
                if isinstance(value, datetime.datetime) and value.time() == datetime.time():
                    value = value.date().isoformat()  # a date typed into Excel: a day in EDTF
                values.append(value)
            yield values
