"""An import never silently undoes a newer edit.

Every export of a versioned record (defrel.models.Versioned) carries its ``version``. A row
of an import that would update an existing record is *stale* when its file cannot show that
it was made from the record as it is now:

- its version is older than the record's (someone saved the record after the export);
- its version is newer than the record's (the file was not exported from this database);
- its version is empty, or the file has no ``version`` column: nothing shows which record
  it saw, so it is treated as stale too. Rows that create records need no version: a file
  without the column may still add records.

A stale row is refused, as that row's error (so nothing of the file is written), unless the
editor chose in the admin's preview to overwrite records changed since the export: the
preview flags such rows instead (``StaleRow``), and the confirm step's unticked-by-default
``OverwriteChoice`` lets them through, each only if the record is still at the version the
preview showed. A row whose version is the record's own updates it as before; the record's
version then increases by one, like any save.
"""
import copy
from dataclasses import dataclass
from functools import cache

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields

from defrel.models import Versioned

COLUMN = "version"
REFUSE, FLAG, OVERWRITE = "refuse", "flag", "overwrite"


class VersionField(fields.Field):
    """The record's version as a column: exported, never imported (the database counts saves)."""

    def __init__(self):
        super().__init__(attribute="version", column_name=COLUMN, readonly=True)


@dataclass
class StalePolicy:
    """What an import does with stale rows: refuse them (the default), flag them (a preview:
    nothing is written), or overwrite the records whose version is in ``allowed`` (row
    number → the record's version the preview showed)."""

    mode: str = REFUSE
    allowed: dict = None

    def allows(self, stale):
        return self.mode == OVERWRITE and (self.allowed or {}).get(stale.number) == stale.current


@dataclass
class StaleRow:
    """A row of a file that would overwrite a record it cannot show it saw."""

    number: int
    record: str
    seen: object  # the file's version: an int, or None when the row has none
    current: int
    row_result: object = None  # the preview's row (its diff shows the change it would make)

    @property
    def reason(self):
        """Why the row is stale, naming the record (the preview's words)."""
        values = {"record": self.record, "seen": self.seen, "current": self.current}
        if self.seen is None:
            reason = _("%(record)s has no version in this file (the “version” column is empty or "
                       "missing), so the file cannot show it was made from the record as it is now "
                       "(version %(current)s).") % values
        elif self.seen > self.current:
            reason = _("%(record)s: the file's version %(seen)s is newer than the record's "
                       "(%(current)s); the file was not exported from this database.") % values
        else:
            reason = _("%(record)s was changed after this file was exported (file version "
                       "%(seen)s, now %(current)s).") % values
        return reason

    @property
    def message(self):
        """The row's error when it is refused."""
        return self.reason + " " + _("Export again and redo your changes, or tick “%(choice)s” "
                                     "in the preview to replace the newer record with this row.") % {
            "choice": OVERWRITE_LABEL}


def file_version(row):
    """The version a row carries: an int, or None when it has none; ValueError when the cell
    is not a whole number (a spreadsheet may give 3.0)."""
    cell = row.get(COLUMN)
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    try:
        number = float(str(cell).strip())
    except ValueError:
        number = None
    if number is None or number != int(number) or number < 1:
        raise ValueError(_("“%(value)s” is not a version (a whole number from an export).")
                         % {"value": cell})
    return int(number)


def remember(instance):
    """Keep the record's fields as read, before the row's cells are set on it, to name the
    record as the editor last saw it if the row turns out stale."""
    if isinstance(instance, Versioned) and instance.pk is not None:
        instance._import_read = {f.attname: getattr(instance, f.attname)
                                 for f in instance._meta.concrete_fields}


def stored(instance):
    """The record as it was read (see remember)."""
    record = copy.copy(instance)
    for attname, value in getattr(instance, "_import_read", {}).items():
        setattr(record, attname, value)  # a foreign key set back also forgets the related record
    return record


class RowVersions:
    """One import's check of its rows' versions against the records read for them (read
    ahead with the file, or loaded for the row: no query of its own)."""

    def __init__(self, policy=None, dry_run=False):
        self.policy = policy or StalePolicy()
        if self.policy.mode == FLAG and not dry_run:
            self.policy = StalePolicy()  # only a preview may let a stale row pass unwritten
        self.flagged = []  # StaleRow of every valid row a preview let through

    def check(self, resource, instance):
        """The row's error ({column: [message]}) when it is refused, else {}; a row let
        through by a preview is marked, to be listed by flag()."""
        if not isinstance(instance, Versioned) or instance.pk is None or instance._state.adding:
            return {}
        number, row = getattr(instance, "_import_row", (None, {}))
        try:
            seen = file_version(row)
        except ValueError as error:
            return {COLUMN: [str(error)]}
        if seen == instance.version:
            return {}
        stale = StaleRow(number, "“%s” (%s)" % (stored(instance), resource.key_text(instance)),
                         seen, instance.version)
        if self.policy.mode == FLAG:
            instance._import_stale = stale  # listed once the row is otherwise valid (flag)
            return {}
        if self.policy.allows(stale):
            return {}
        return {COLUMN: [stale.message]}

    def flag(self, instance, row_result):
        """List a row the preview let through (see check), with the change it would make."""
        stale = getattr(instance, "_import_stale", None)
        if stale is not None:
            stale.row_result = row_result
            self.flagged.append(stale)


# --- the admin's choice ------------------------------------------------------------------------

OVERWRITE_LABEL = gettext_lazy("overwrite records changed since export")


class OverwriteChoice(forms.Form):
    """The confirm step's choice to overwrite the rows the preview flagged (unticked unless
    the editor ticks it), and which records at which versions the preview showed."""

    overwrite_changed = forms.BooleanField(
        label=OVERWRITE_LABEL, required=False, initial=False,
        help_text=gettext_lazy("The preview lists the records someone changed after this file was "
                               "exported. Tick to replace their changes with the file's rows; "
                               "otherwise nothing is imported."))
    overwrite_rows = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_overwrite_rows(self):
        try:
            return decode_rows(self.cleaned_data["overwrite_rows"])
        except ValueError:
            raise forms.ValidationError(_("The list of changed records was altered; upload the "
                                          "file again.")) from None

    def stale_policy(self):
        if not self.cleaned_data.get("overwrite_changed"):
            return StalePolicy(REFUSE)
        return StalePolicy(OVERWRITE, self.cleaned_data.get("overwrite_rows") or {})


@cache
def with_overwrite_choice(form_class):
    """The confirm form class with OverwriteChoice's fields added (whatever form it is)."""
    if issubclass(form_class, OverwriteChoice):
        return form_class
    return type(form_class.__name__, (OverwriteChoice, form_class), {})


def encode_rows(stale_rows):
    return ",".join(f"{s.number}:{s.current}" for s in stale_rows)


def decode_rows(text):
    """"4:5,7:3" → {4: 5, 7: 3}; ValueError when it is not such a list."""
    pairs = [p.split(":") for p in (text or "").split(",") if p.strip()]
    return {int(number): int(version) for number, version in pairs}


def stale_policy_for(form):
    """The admin's policy: its preview (the import form) flags stale rows; its confirm step
    refuses them unless the editor ticked the choice (see RowVersions: flagging applies to
    previews only, so an import that writes straight from the import form refuses them)."""
    if isinstance(form, OverwriteChoice):
        return form.stale_policy() if form.is_valid() else StalePolicy(REFUSE)
    return StalePolicy(FLAG)


def offer_overwrite(context):
    """After the preview: the confirm form offers the choice only when rows were flagged,
    and carries which records at which versions the editor saw."""
    form, result = context.get("confirm_form"), context.get("result")
    offer_overwrite_rows(form, encode_rows(getattr(result, "stale_rows", None) or []))


def offer_overwrite_rows(form, encoded):
    """The confirm form offers to overwrite the rows ``encoded`` (see encode_rows), or, when
    there are none, no choice at all."""
    if not isinstance(form, OverwriteChoice):
        return
    if encoded:
        form.initial["overwrite_rows"] = encoded
    else:
        for name in OverwriteChoice.base_fields:
            form.fields.pop(name, None)
