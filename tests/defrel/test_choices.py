"""defrel.choices: every get_FOO_display gives Django's label, only cheaper."""
from functools import partialmethod

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import translation

from meetings.models import Meeting

CHOICE_FIELDS = [(model, field) for model in apps.get_models() for field in model._meta.concrete_fields
                 if field.choices is not None]


def test_every_choice_field_of_every_model_has_the_cheaper_display():
    assert len(CHOICE_FIELDS) > 20  # levels, formats, kinds, roles, statuses … and their histories
    for model, field in CHOICE_FIELDS:
        method = vars(model).get(f"get_{field.name}_display")
        assert method is not None and not isinstance(method, partialmethod), (model, field.name)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_each_label_is_djangos_in_the_language_of_the_request(language):
    compared = 0
    with translation.override(language):
        for model, field in CHOICE_FIELDS:
            for value in [value for value, _label in field.flatchoices] + ["not-a-choice", None]:
                record = model()
                setattr(record, field.attname, value)
                djangos = Model._get_FIELD_display(record, field)
                assert getattr(record, f"get_{field.name}_display")() == djangos, (model, field.name, value)
                compared += 1
    assert compared > 100


def test_a_label_follows_the_language_it_is_asked_in():
    meeting = Meeting(level=Meeting.Level.MINISTERIAL)
    with translation.override("ja"):
        japanese = meeting.get_level_display()
    with translation.override("en"):
        english = meeting.get_level_display()
    assert (japanese, english) == ("大臣級", "ministerial")
