"""What a file must be before any row is read: a header naming the resource's columns, rows,
no key twice; and what every cell must be (plain text or a number, no NUL). A refused file
gets one reason, not one per row."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from defrel.exports import unescape_formula
from defrel.uploads import FileRefused


def clean_cell(value):
    """A cell as every row reads it (see clean_row)."""
    return unescape_formula(value.strip() if isinstance(value, str) else value)


def is_plain_cell(value):
    """Whether clean_row accepts the cell (no nested value, no NUL)."""
    return not isinstance(value, (dict, list, tuple, set)) and not (isinstance(value, str) and "\x00" in value)


def clean_row(row):
    """Clean every cell of ``row`` in place; a nested value or a NUL is that column's error."""
    errors = {}
    for column, value in list(row.items()):
        if isinstance(value, (dict, list, tuple, set)):
            errors[column] = _("a nested value; give text (several keys joined by “|”).")
        elif isinstance(value, str) and "\x00" in value:
            errors[column] = _("contains a NUL character (binary data).")
        else:
            row[column] = clean_cell(value)
    if errors:
        raise ValidationError(errors)


def column_cells(dataset, column):
    """A column's cells as the rows will read them (cells the rows refuse left out)."""
    headers = [str(h).strip() if h is not None else h for h in (dataset.headers or [])]
    if column not in headers:
        return []
    return [clean_cell(v) for v in dataset.get_col(headers.index(column)) if is_plain_cell(v)]


def importable_columns(resource):
    """The columns a file must have: derived ones (date bounds, titles) may be left out."""
    return [f.column_name for f in resource.get_import_fields()
            if f.attribute and not f.readonly and f.column_name not in resource.optional_columns]


def check_file(resource, dataset):
    """Raise FileRefused when the file cannot be imported by ``resource`` at all."""
    headers = [str(h).strip() for h in (dataset.headers or []) if h is not None]
    if not headers:
        raise FileRefused(_("The file has no header row; the first row must name the columns."))
    if not dataset.height:
        raise FileRefused(_("The file has a header row but no rows to import."))
    check_columns(resource, headers)
    check_duplicate_keys(resource, dataset)


def check_columns(resource, headers):
    expected = importable_columns(resource)
    known = expected + [f.column_name for f in resource.get_export_fields()] + list(resource.optional_columns)
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


def check_duplicate_keys(resource, dataset):
    id_columns = [resource.fields[name].column_name for name in resource.get_import_id_fields()]
    first_row = {}
    for number, row in enumerate(dataset.dict, start=1):
        key = tuple(str(row.get(c, "")).strip() for c in id_columns)
        if key in first_row:
            raise FileRefused(
                _("Row %(row)s repeats the key %(key)s of row %(first)s.")
                % {"row": number, "key": " / ".join(key), "first": first_row[key]}
            )
        first_row[key] = number


def refused_result(resource, dataset, refusal):
    """The import's result for a refused file: one error, the refusal's reason."""
    result = resource.get_result_class()()
    result.diff_headers = resource.get_diff_headers()
    result.total_rows = dataset.height
    error = resource.get_error_result_class()(refusal)
    error.traceback = ""  # the reason is the editor's to read; a traceback is not
    result.append_base_error(error)
    return result
