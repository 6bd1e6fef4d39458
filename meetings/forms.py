"""The small filter forms of the profile and overview pages. A bad value becomes a form
error shown next to the field, and the page is drawn without that filter."""
import unicodedata
from dataclasses import dataclass

from django import forms
from django.db.models import Count
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from defrel import timeline
from defrel.dated import YearField
from defrel.kept import cached
from defrel.models import listed, noted
from defrel.stamp import token
from defrel.search import LONGEST_QUERY, matching, normalise
from meetings.models import Participation
from partners.models import Country, Official
from partners.readings import name_order


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
    year = YearField(
        label=_("Year"), required=False,
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


OFFICIAL_HELP = _("A name in Japanese or English (吉田, Marles), or the official's slug.")
PARTNER_HELP = _("A name in Japanese or English (豪, Australia), or a code (AU).")


class GlobalTimelineForm(TimelineForm):
    country = forms.CharField(
        label=_("Country or organisation"), required=False, max_length=100, help_text=PARTNER_HELP,
        widget=forms.TextInput(attrs={"list": "partner-names", "autocomplete": "off"}))
    official = forms.CharField(
        label=_("Official"), required=False, max_length=100, help_text=OFFICIAL_HELP,
        widget=forms.TextInput(attrs={"list": "official-names", "autocomplete": "off"}))
    field_order = ["country", "official", "kind", "year"]

    def clean_country(self):
        text = self.cleaned_data["country"].strip()
        return named(Country, text) if text else None

    def clean_official(self):
        text = self.cleaned_data["official"].strip()
        return named(Official, text) if text else None


SHOWN_MATCHES = 5
LONGEST_NAME = 100
# A Latin text this short that is only part of one name is asked about, not taken: "UK" is
# in "Ukraine" alone, and a reader typing it means the United Kingdom (GB).
SHORTEST_PART = 3


@dataclass(frozen=True)
class Naming:
    """How a reader names records of one model: by its key, or by (part of) a name."""

    key: str
    names: tuple  # the fields an exact name is compared with, when several records match
    none: str
    several: str
    part: str  # the one record whose name a short text is only part of


NAMINGS = {
    Official: Naming(
        "slug", ("name_ja", "name_en"), _("No official is named “%(text)s”."),
        _("Several officials match “%(text)s”: %(names)s. Type more of the name, or a slug."),
        _("“%(text)s” is only part of a name: %(names)s. Type more of the name, or a slug.")),
    Country: Naming(
        "code", ("name_ja", "name_en", "short_ja"), _("No country or organisation is named “%(text)s”."),
        _("Several countries or organisations match “%(text)s”: %(names)s. Type more of the name, or a code."),
        _("“%(text)s” is only part of a name: %(names)s. Type more of the name, or a code.")),
}


def named(model, text):
    """The record of ``model`` (an official, a country) that ``text`` names: its key (slug,
    code), or a name or part of one in Japanese or English, found by the site's one search;
    a form error when none or several match. The one rule of every filter a reader types a
    person or a partner into."""
    naming = NAMINGS[model]
    # Full-width letters are the keyboard's (ＵＳ, a Japanese IME's): the same text, and the key.
    text = unicodedata.normalize("NFKC", text).strip()
    if len(text) > LONGEST_NAME:  # no name is this long: not worth a search
        raise forms.ValidationError(naming.none, params={"text": text[:LONGEST_NAME] + "…"}, code="unknown_name")
    by_key = model.objects.filter(**{f"{naming.key}__iexact": text}).first()
    if by_key:
        return by_key
    found = list(model.objects.filter(matching(model, text)).in_name_order()[:SHOWN_MATCHES + 1])
    exact = [r for r in found if normalise(text) in {normalise(getattr(r, name)) for name in naming.names}]
    if len(exact) == 1:
        return exact[0]
    if not found:
        raise forms.ValidationError(naming.none, params={"text": text}, code="unknown_name")
    names = listed(f"{r.name}{noted(getattr(r, naming.key))}" for r in found[:SHOWN_MATCHES])
    if len(found) == 1:
        if not (text.isascii() and len(normalise(text)) <= SHORTEST_PART):
            return found[0]
        raise forms.ValidationError(naming.part, code="part_of_a_name", params={"text": text, "names": names})
    raise forms.ValidationError(
        naming.several, code="several_named",
        params={"text": text, "names": names + (", …" if len(found) > SHOWN_MATCHES else "")})


DATALISTS = {Official: "official-names", Country: "partner-names"}  # ids of _name_lists.html's lists


class NameInput(forms.TextInput):
    """One box for a repeatable filter, suggesting names as they are typed (a datalist, no
    script): it shows the last value given, the list's form carrying the others hidden."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def format_value(self, value):
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else ""
        return super().format_value(value)


def name_input(model):
    return NameInput(attrs={"list": DATALISTS[model], "autocomplete": "off"})


class NamedChoiceField(forms.ModelMultipleChoiceField):
    """Repeatable keys (?official=kihara-minoru) that also take names typed in either
    language (named()); an empty box adds nothing. Keys alone cost the one query they did."""

    def clean(self, value):
        return super().clean([v.strip() for v in value or [] if v and v.strip()])

    keys = None  # the keys of the values cleaned, names turned into keys (for the facets)

    # ModelMultipleChoiceField._check_values (private) is where keys become records: extended
    # rather than replaced by a clean() of our own, so that keys alone still cost one query
    # (a clean() turning names into keys first would look every key up twice).
    def _check_values(self, value):
        try:
            found = super()._check_values(value)
            self.keys = list(value)
            return found
        except forms.ValidationError as error:
            if error.code != "invalid_choice":
                raise
        keys, errors = [], []
        for text in value:
            try:
                keys.append(getattr(named(self.queryset.model, text), self.to_field_name))
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        found = super()._check_values(keys)
        self.keys = keys
        return found


class NamedSelectField(forms.ModelChoiceField):
    """A choice of one record by its key, whose address may also name it (?country=Australia)."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code != "invalid_choice":
                raise
        return named(self.queryset.model, value)


class SearchForm(FilterForm):
    """The site-wide search's query."""

    q = forms.CharField(label=_("Search"), required=False, max_length=LONGEST_QUERY)


class OfficialFilterForm(FilterForm):
    q = forms.CharField(label=_("Name"), required=False, max_length=LONGEST_QUERY)
    country = NamedSelectField(
        label=_("Country or organisation"), required=False, to_field_name="code",
        queryset=Country.objects.filter(officials__isnull=False).distinct(), empty_label=_("all"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["country"]
        field.queryset = field.queryset.in_name_order()  # in the language of the page drawn


SUGGESTED_OFFICIALS = 300


def suggestions():
    """{"officials", "partners"}: [(name_ja, name_en)] suggested as a name box is typed in
    (meetings/includes/_name_lists.html): the officials most often met, and every partner;
    kept until one of them changes, in name order for each language."""
    return cached(f"suggested-names:{get_language()}", suggested, token(Official, Participation, Country))


def suggested():
    officials = (Official.objects.annotate(n=Count("participations")).filter(n__gt=0)
                 .order_by("-n", *name_order(), "pk").values_list("name_ja", "name_en")[:SUGGESTED_OFFICIALS])
    partners = Country.objects.exclude(code="JP").in_name_order().values_list("name_ja", "name_en")
    return {"officials": list(officials), "partners": list(partners)}
