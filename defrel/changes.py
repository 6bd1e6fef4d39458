"""What was written to a record and its inline rows, in words, read from the history tables:
what others wrote after an editor opened the record, which that editor's save would have
overwritten, told before it is refused; and, on the record's history page, what each save
wrote to its inline rows (a participant removed), which its own entry does not show."""
from bisect import bisect_left
from collections import defaultdict

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from defrel.imports.history import history_model
from defrel.models import InlineRow, listed

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
    lines = describe_all(own + inline_entries(model, record.pk, opened)) if opened else []
    if not lines:  # a change committed after the page was drawn but dated before it
        saved = (history.filter(version__lte=version).order_by("-history_date")
                 .values_list("history_date", flat=True).first())
        lines = describe_all(own + inline_entries(model, record.pk, saved))
    if len(lines) > SHOWN:
        lines = [*lines[:SHOWN], _("… and %(count)s earlier changes (see the history).") % {
            "count": len(lines) - SHOWN}]
    return lines


def beside(entries):
    """{entry: lines}: for each of a record's history ``entries`` (its history page's, newest
    first), what was written to its inline rows after the entry before it and up to it. A save
    of only those rows writes the record an entry too (its version moves), which changes none
    of its own fields; the rows' own entries say what changed."""
    if not entries or not inline_models(model := entries[0].instance_type):
        return {}
    pk = getattr(entries[0], model._meta.pk.attname)
    dates = sorted(entry.history_date for entry in entries)
    earlier = (model.history.filter(**{model._meta.pk.attname: pk, "history_date__lt": dates[0]})
               .order_by("-history_date").values_list("history_date", flat=True).first())
    found = {entry: [] for entry in entries}
    by_date = sorted(entries, key=lambda entry: entry.history_date)
    for row, line in lines_of(inline_entries(model, pk, earlier, until=dates[-1])):
        found[by_date[bisect_left(dates, row.history_date)]].append(line)
    return found


def describe_all(entries):
    return [line for _entry, line in lines_of(entries)]


def lines_of(entries):
    """[(entry, line)] for ``entries`` (of any models), newest first, leaving out those that
    changed nothing shown; the entries before them and the records they name are read once
    for all of them, in a few queries whatever their number."""
    entries = sorted(entries, key=lambda e: e.history_date, reverse=True)
    previous, rows = previous_entries(entries), named_rows(entries)
    found = ((entry, describe(entry, previous.get(entry), rows.get(entry))) for entry in entries)
    return [(entry, line) for entry, line in found if line]


def inline_entries(model, pk, since, until=None):
    """The entries of the inline rows of ``model``'s record ``pk`` written after ``since``
    (None: from the first) and up to ``until`` (None: to now)."""
    entries = []
    for row_model, fk in inline_models(model):
        rows = row_model.history.filter(**{fk.attname: pk}).select_related("history_user")
        if since is not None:
            rows = rows.filter(history_date__gt=since)
        if until is not None:
            rows = rows.filter(history_date__lte=until)
        entries += rows
    return entries


def describe(entry, previous, row):
    """One line for one history entry, given the record's entry before it (None: the first)
    and the record as it names it (named_rows); None for a save that changed nothing shown."""
    model = entry.instance_type
    values = {"when": formats.date_format(timezone.localtime(entry.history_date), "DATETIME_FORMAT"),
              "who": who(entry), "kind": model._meta.verbose_name, "row": label(entry, row)}
    if entry.history_type == "+":
        return _("%(when)s — %(who)s added the %(kind)s “%(row)s”.") % values
    if entry.history_type == "-":
        return _("%(when)s — %(who)s deleted the %(kind)s “%(row)s”.") % values
    fields = [] if previous is None else [
        str(model._meta.get_field(change.field).verbose_name)
        for change in entry.diff_against(previous, excluded_fields=UNSHOWN_FIELDS).changes]
    if previous is not None and not fields:
        return None
    values["fields"] = listed(fields) or "—"
    if issubclass(model, InlineRow):
        return _("%(when)s — %(who)s changed the %(kind)s “%(row)s”: %(fields)s.") % values
    return _("%(when)s — %(who)s changed this record: %(fields)s.") % values


def previous_entries(entries):
    """{entry: the entry before it of the same record} for the changes among ``entries``, one
    query a model (simple-history's prev_record is one an entry)."""
    changed = defaultdict(list)
    for entry in entries:
        if entry.history_type == "~":
            changed[type(entry)].append(entry)
    found = {}
    for history, mine in changed.items():
        pk = mine[0].instance_type._meta.pk.attname
        earlier = defaultdict(list)  # a record's entries, oldest first
        for other in (history.objects.filter(**{f"{pk}__in": {getattr(e, pk) for e in mine},
                                                "history_date__lt": max(e.history_date for e in mine)})
                      .order_by("history_date", "history_id")):
            earlier[getattr(other, pk)].append(other)
        dates = {record: [e.history_date for e in rows] for record, rows in earlier.items()}
        for entry in mine:
            record = getattr(entry, pk)
            at = bisect_left(dates.get(record, []), entry.history_date)
            found[entry] = earlier[record][at - 1] if at else None
    return found


def named_rows(entries):
    """{entry: the record as the entry holds it} for the entries whose line names the record
    (an addition, a delete, an inline row changed), with the records its name reads through
    its foreign keys, read in one query a key (each entry's own ``instance`` read them one by
    one, and its fields not in the history too); one deleted since as its history last holds
    it (the participants of a deleted meeting), or else unnamed."""
    named = [e for e in entries if e.history_type != "~" or issubclass(e.instance_type, InlineRow)]
    rows = {entry: as_recorded(entry) for entry in named}
    keys = defaultdict(set)  # a foreign key -> the ids the rows hold
    for entry, row in rows.items():
        for field in entry.tracked_fields:
            if field.many_to_one and getattr(row, field.attname) is not None:
                keys[field].add(getattr(row, field.attname))
    related = {}
    for field, ids in keys.items():
        found = field.related_model._base_manager.in_bulk(ids, field_name=field.target_field.attname)
        if field.target_field.primary_key:
            found = {**last_recorded(field.related_model, ids - set(found)), **found}
        related[field] = found
    for row, field in ((row, field) for entry, row in rows.items() for field in entry.tracked_fields):
        if field in related and getattr(row, field.attname) is not None:
            field.set_cached_value(row, related[field].get(getattr(row, field.attname)))
    return rows


def as_recorded(entry):
    """The record as the history ``entry`` holds it, its fields left out of history unset."""
    return entry.instance_type(**{f.attname: getattr(entry, f.attname) for f in entry.tracked_fields})


def last_recorded(model, pks):
    """{pk: the ``model`` record as its last history entry holds it} for the deleted ``pks``."""
    history = history_model(model)
    if not pks or history is None:
        return {}
    pk = model._meta.pk.attname
    entries = history.objects.filter(**{f"{pk}__in": pks}).order_by("history_date", "history_id")
    return {getattr(entry, pk): as_recorded(entry) for entry in entries}  # the last one stays


def who(entry):
    user = entry.history_user
    if user is None:
        return _("someone (an import or a script; no user recorded)")
    return user.get_full_name() or user.get_username()


def label(entry, row):
    try:
        return str(row)
    except Exception:  # noqa: BLE001 - a row whose related records are gone still has an id
        return f"#{entry.pk}"
