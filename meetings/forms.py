"""The small filter forms of the profile and overview pages. A bad value becomes a form
error shown next to the field, and the page is drawn without that filter."""
from django import forms
from django.utils.translation import gettext_lazy as _

from defrel import timeline
from defrel.search import matching, normalise
from partners.models import Country, Official


def kind_choices():
    return [("", _("everything"))] + [(kind.name, kind.label) for kind in timeline.KINDS.values()]


class FilterForm(forms.Form):
    """A GET form whose valid fields are used even when another field is not."""

    def __init__(self, data=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(data if data else None, **kwargs)

    def valid(self):
        """The cleaned values of the fields that passed, empty ones left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class YearForm(FilterForm):
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=1900, max_value=2100,
        error_messages={"invalid": _("Enter a year such as 2024.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 6}),
    )


class TimelineForm(YearForm):
    kind = forms.ChoiceField(label=_("Show"), choices=kind_choices, required=False)
    field_order = ["kind", "year"]

    def kinds(self):
        """The kinds chosen (names), or None for every kind registered."""
        kind = self.valid().get("kind")
        return [kind] if kind else None


class GlobalTimelineForm(TimelineForm):
    country = forms.ModelChoiceField(
        label=_("Country or organisation"), required=False, to_field_name="code",
        queryset=Country.objects.exclude(code="JP"), empty_label=_("all"),
        error_messages={"invalid_choice": _("There is no country or organisation with that code.")},
    )
    official = forms.CharField(
        label=_("Official"), required=False, max_length=100,
        help_text=_("A name in Japanese or English (吉田, Marles), or the official's slug."),
        widget=forms.TextInput(attrs={"list": "official-names", "autocomplete": "off"}))
    field_order = ["country", "official", "kind", "year"]

    def clean_official(self):
        text = self.cleaned_data["official"].strip()
        if not text:
            return None
        return official_named(text)


SHOWN_MATCHES = 5


def official_named(text):
    """The official ``text`` names: a slug, or a name (part of one) found by the site's one
    search; a form error when none or several match."""
    by_slug = Official.objects.filter(slug=text).first()
    if by_slug:
        return by_slug
    found = list(Official.objects.filter(matching(Official, text)).order_by("name_en", "pk")[:SHOWN_MATCHES + 1])
    if len(found) == 1:
        return found[0]
    exact = [o for o in found if normalise(text) in (normalise(o.name_ja), normalise(o.name_en))]
    if len(exact) == 1:
        return exact[0]
    if not found:
        raise forms.ValidationError(
            _("No official is named “%(text)s”."), params={"text": text}, code="unknown_official")
    names = ", ".join(f"{o.name} ({o.slug})" for o in found[:SHOWN_MATCHES])
    raise forms.ValidationError(
        _("Several officials match “%(text)s”: %(names)s. Type more of the name, or a slug."),
        params={"text": text, "names": names + (", …" if len(found) > SHOWN_MATCHES else "")},
        code="several_officials")


class OfficialFilterForm(FilterForm):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    country = forms.ModelChoiceField(
        label=_("Country or organisation"), required=False, to_field_name="code",
        queryset=Country.objects.filter(officials__isnull=False).distinct(), empty_label=_("all"),
        error_messages={"invalid_choice": _("There is no country or organisation with that code.")},
    )
