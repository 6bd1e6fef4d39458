"""What the admin's import preview shows of a file: how many rows of each kind of change, and
the first rows with their changes.

Every row is checked (and written, then rolled back) at the preview; only the first
SHOWN_ROWS get a diff. Diffing and drawing every row of a 20,000-row file as HTML took longer
than checking it, and made a page of megabytes that no editor reads to the end. The same
goes for rows with errors: the first SHOWN_ROWS are listed with their errors, the others
counted by column (the same mistake is usually repeated down the file)."""
from collections import Counter

from django.utils.translation import gettext_lazy as _
from import_export.results import RowResult

SHOWN_ROWS = 100

# import-export's own words for the kinds of row (its catalogues translate them).
KINDS = [
    (RowResult.IMPORT_TYPE_NEW, _("New")),
    (RowResult.IMPORT_TYPE_UPDATE, _("Update")),
    (RowResult.IMPORT_TYPE_SKIP, _("Skipped")),
    (RowResult.IMPORT_TYPE_DELETE, _("Delete")),
]


def shown(row_number):
    """Whether the preview shows the row (numbered from 1), so whether its diff is taken."""
    return row_number is not None and row_number <= SHOWN_ROWS


class Preview:
    """The page's summary of a checked file (``result.preview``): the first rows, and counts
    of the rest (changes by kind; rows with errors by column)."""

    def __init__(self, result):
        valid = result.valid_rows()
        self.rows = [row for row in valid[:SHOWN_ROWS] if row.diff]
        self.checked = result.total_rows
        self.hidden = len(valid) - len(self.rows)
        self.counts = [(kind, label, result.totals[kind]) for kind, label in KINDS if result.totals[kind]]
        self.invalid_rows = result.invalid_rows[:SHOWN_ROWS]
        rest = result.invalid_rows[SHOWN_ROWS:]
        self.more_invalid = len(rest)
        columns = Counter(column for row in rest for column in row.field_specific_errors)
        columns[_("(not a column)")] += sum(1 for row in rest if row.non_field_specific_errors)
        self.more_invalid_columns = [(column, n) for column, n in columns.most_common() if n]
