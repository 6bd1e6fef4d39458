"""The cells that name other records: a foreign key as the record's natural key, several as
keys joined by “|”, and one-per-line text. An unknown key is the cell's error. And whole
numbers: a fraction is the cell's error."""
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from import_export import widgets

SEPARATOR = "|"  # the one form of every multi-valued cell
DIGITS = re.compile(r"\s*[-+]?[0-9]+\s*")


class KeyWidget(widgets.ForeignKeyWidget):
    """A foreign key written as the related record's natural key; an unknown key is an error."""

    cache = None  # the import's KeyCache, set by ReadAhead on the resource's own copy of the widget

    def clean(self, value, row=None, **kwargs):
        value = (str(value).strip() if value is not None else "")
        if not value:
            return None
        if self.cache is not None and value in self.cache.asked:
            record = self.cache.known.get(value)
        else:
            try:
                record = self.get_queryset(value, row, **kwargs).get(**{self.field: value})
            except self.model.DoesNotExist:
                record = None
        if record is None:
            raise ValueError(
                _("unknown %(model)s “%(value)s”")
                % {"model": self.model._meta.verbose_name, "value": value}
            )
        return record


class KeysWidget(widgets.ManyToManyWidget):
    """Many related records as natural keys joined by “|”; an unknown key is an error."""

    cache = None  # the import's KeyCache, set by ReadAhead on the resource's own copy of the widget

    def __init__(self, model, field):
        super().__init__(model, separator=SEPARATOR, field=field)

    @staticmethod
    def keys(value):
        return list(dict.fromkeys(k.strip() for k in str(value or "").split(SEPARATOR) if k.strip()))

    def clean(self, value, row=None, **kwargs):
        """The records named, in the cell's order, as a list."""
        keys = self.keys(value)
        found, rest = {}, keys
        if self.cache is not None:
            rest = [k for k in keys if k not in self.cache.asked]
            found = {k: self.cache.known[k] for k in keys if k in self.cache.known}
        if rest:
            for record in self.model.objects.filter(**{f"{self.field}__in": rest}):
                found[str(getattr(record, self.field))] = record
        missing = [k for k in keys if k not in found]
        if missing:
            raise ValueError(
                _("unknown %(model)s: %(values)s")
                % {"model": self.model._meta.verbose_name, "values": ", ".join(sorted(missing))}
            )
        return [found[k] for k in keys]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.render_records(value.all())

    def render_records(self, records):
        return SEPARATOR.join(sorted(str(getattr(o, self.field)) for o in records))


class LinesWidget(widgets.CharWidget):
    """A one-per-line text field (aliases) as a “|”-joined cell."""

    def clean(self, value, row=None, **kwargs):
        return "\n".join(v.strip() for v in str(value or "").split(SEPARATOR) if v.strip())

    def render(self, value, obj=None, **kwargs):
        return SEPARATOR.join(v.strip() for v in (value or "").splitlines() if v.strip())


class WholeNumberWidget(widgets.IntegerWidget):
    """A whole number; import-export's own widget truncates 2.9 to 2 without a word. A
    spreadsheet's 3.0 is 3."""

    def clean(self, value, row=None, **kwargs):
        # A cell of digits alone (every number of a CSV file) is the number it reads: the
        # parent's way asks the active language's separators for each cell, which took 0.3
        # of the import's 8.9 processor seconds for 10,000 meetings.
        if type(value) is int:
            return value
        if isinstance(value, str) and DIGITS.fullmatch(value):
            return int(value)
        number = super().clean(value, row, **kwargs)
        if number is not None:
            try:
                exact = Decimal(str(value).strip())
            except InvalidOperation:
                exact = None
            if exact is not None and exact != number:
                raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
        return number
