"""What others wrote to a record and its inline rows after an editor opened it, read from the
history tables: what that editor's save would have overwritten, told before it is refused."""
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from defrel.models import InlineRow

SHOWN = 20  # entries listed; the rest are counted
UNSHOWN_FIELDS = {"version", "date_lower", "date_upper"}  # derived, or bumped by any write


def inline_models(model):
    """(model, foreign key) of the inline rows whose writes give ``model``'s records a new
    version (InlineRow.version_parents)."""
    return [(rel.related_model, rel.field) for rel in model._meta.related_objects
            if rel.one_to_many and issubclass(rel.related_model, InlineRow)
            and rel.field.name in rel.related_model.version_parents]


def written_since(record, *, version, opened=None):
    """Lines telling who changed what and when, newest first: the record's own history after
    ``version``, and that of its inline rows after ``opened`` (when the editor's page was
    drawn), or, unknown or too early to show any, after the record's last own save at or
    before ``version``."""
    model = type(record)
    history = model.history.filter(**{model._meta.pk.attname: record.pk})  # pk is the entry's own
    own = list(history.filter(version__gt=version).select_related("history_user"))
    lines = describe_all(own + inline_entries(record, opened)) if opened else []
    if not lines:  # a change committed after the page was drawn but dated before it
        saved = (history.filter(version__lte=version).order_by("-history_date")
                 .values_list("history_date", flat=True).first())
        lines = describe_all(own + inline_entries(record, saved))
    if len(lines) > SHOWN:
        lines = [*lines[:SHOWN], _("… and %(count)s earlier changes (see the history).") % {
            "count": len(lines) - SHOWN}]
    return lines


def describe_all(entries):
    return [line for line in map(describe, sorted(entries, key=lambda e: e.history_date, reverse=True))
            if line]


def inline_entries(record, since):
    entries = []
    for model, fk in inline_models(type(record)):
        rows = model.history.filter(**{fk.attname: record.pk}).select_related("history_user")
        if since is not None:
            rows = rows.filter(history_date__gt=since)
        entries += rows
    return entries


def describe(entry):
    """One line for one history entry; None for a save that changed nothing shown."""
    model = entry.instance_type
    values = {"when": formats.date_format(timezone.localtime(entry.history_date), "DATETIME_FORMAT"),
              "who": who(entry), "kind": model._meta.verbose_name, "row": label(entry)}
    if entry.history_type == "+":
        return _("%(when)s — %(who)s added the %(kind)s “%(row)s”.") % values
    if entry.history_type == "-":
        return _("%(when)s — %(who)s deleted the %(kind)s “%(row)s”.") % values
    previous = entry.prev_record
    fields = [] if previous is None else [
        str(model._meta.get_field(change.field).verbose_name)
        for change in entry.diff_against(previous, excluded_fields=UNSHOWN_FIELDS).changes]
    if previous is not None and not fields:
        return None
    values["fields"] = ", ".join(fields) or "—"
    if issubclass(model, InlineRow):
        return _("%(when)s — %(who)s changed the %(kind)s “%(row)s”: %(fields)s.") % values
    return _("%(when)s — %(who)s changed this record: %(fields)s.") % values


def who(entry):
    user = entry.history_user
    if user is None:
        return _("someone (an import or a script; no user recorded)")
    return user.get_full_name() or user.get_username()


def label(entry):
    try:
        return str(entry.instance)
    except Exception:  # noqa: BLE001 - a row whose related records are gone still has an id
        return f"#{entry.pk}"
