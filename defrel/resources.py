"""The base of every import/export resource: natural keys, all-or-nothing imports and
spreadsheet-safe exports."""
from collections import Counter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import resources, widgets

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


class CuratedResource(resources.ModelResource):
    """Imports write every row or none, and say which row and column was wrong."""

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
        return super().import_data(dataset, **kwargs)

    def importable_columns(self):
        return [f.column_name for f in self.get_import_fields()]

    def before_import(self, dataset, **kwargs):
        headers = [str(h).strip() for h in (dataset.headers or [])]
        expected = self.importable_columns()
        known = expected + [f.column_name for f in self.get_export_fields()]
        missing = [c for c in expected if c not in headers]
        extra = [h for h in headers if h not in known]
        if missing or extra:
            parts = []
            if missing:
                parts.append(_("missing columns: %s") % ", ".join(missing))
            if extra:
                parts.append(_("unknown columns: %s") % ", ".join(extra))
            raise ValidationError(_("The file's columns do not match (%s).") % "; ".join(parts))
        self.check_duplicate_keys(dataset, headers)

    def check_duplicate_keys(self, dataset, headers):
        id_columns = [self.fields[name].column_name for name in self._meta.import_id_fields]
        seen = Counter()
        first_row = {}
        for number, row in enumerate(dataset.dict, start=1):
            key = tuple(str(row.get(c, "")).strip() for c in id_columns)
            seen[key] += 1
            if seen[key] == 2:
                raise ValidationError(
                    _("Row %(row)s repeats the key %(key)s of row %(first)s.")
                    % {"row": number, "key": " / ".join(key), "first": first_row[key]}
                )
            first_row.setdefault(key, number)

    def before_import_row(self, row, **kwargs):
        for column, value in list(row.items()):
            row[column] = unescape_formula(value.strip() if isinstance(value, str) else value)

    def import_instance(self, instance, row, **kwargs):
        """Also check many-to-many cells here, so an unknown code is a row-and-column error
        before anything is saved, rather than a failure half-way through the row."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
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
