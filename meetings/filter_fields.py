"""The fields and filters the public lists share: a day, a year, a month (with a year), and a
repeatable key that narrows and takes a name typed in either language."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from defrel import dates
from defrel.dated import YearField
from meetings.forms import OFFICIAL_HELP, PARTNER_HELP, FilterForm, NamedChoiceField, name_input
from partners.models import Official


class DayField(forms.Field):
    """A full ISO day (?as_of=2019-12-01), with the same message as everywhere else."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def to_python(self, value):
        return dates.parse_day(value) if value not in self.empty_values else None


class DayFilter(django_filters.DateFilter):
    field_class = DayField  # a DateFilter parsed our way: the API's description types it a date


class AsOfForm(FilterForm):
    """The day a page reads statuses on (the agreements matrix's ?as_of=): the day a past
    page stands for, which its canonical address keeps (defrel_i18n.canonical_query)."""

    as_of = DayField(label=_("Status as of"), required=False)


class YearFilter(django_filters.NumberFilter):
    field_class = YearField


class MonthFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=12, **kwargs)


class YearMonthForm(forms.Form):
    def clean(self):
        data = super().clean()
        if data.get("month") and not data.get("year") and "year" not in self.errors:
            self.add_error("month", _("Choose a year to filter by month."))
        return data


class NamedFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = NamedChoiceField  # keys, or names typed in either language


def keys_filter(field_name, queryset, to_field_name, label):
    """A repeatable ?code=AU&code=US filter that narrows: records with all of them; a name
    (?country=オーストラリア) stands for its key."""
    return NamedFilter(
        field_name=f"{field_name}__{to_field_name}", queryset=queryset, to_field_name=to_field_name,
        conjoined=True, label=label, widget=name_input(queryset.model),
        help_text=OFFICIAL_HELP if queryset.model is Official else PARTNER_HELP,
    )
