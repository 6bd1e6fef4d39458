"""A row's record checked as Model.full_clean() checks it, less what the read-ahead answered,
and the rules of natural keys: a key may not move an existing record to another parent, nor
differ from an existing key only in letter case.

Check constraints are the database's: a batch import leaves them to the INSERT (Django would
ask the database one query a constraint and row), and a row the database refuses is named
with the constraint's own message (explain_refusal)."""
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import CheckConstraint, Q
from django.utils.translation import gettext as _

from defrel.choices import accepted_values
from defrel.imports.readahead import NOT_READ
from defrel.models import letter_case_clash, letter_case_twin


def full_clean(instance, exclude, validate_unique, read_ahead):
    """instance.full_clean() without the queries the read-ahead answers (a foreign key read
    ahead exists; a natural key read ahead is taken or not) and without check constraints."""
    errors = {}
    try:
        instance.full_clean(exclude=exclude | read_ahead.known_relations(instance, exclude),
                            validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if validate_unique:
        exclude = exclude | {name for name in errors if name != NON_FIELD_ERRORS}
        taken = read_ahead.key_taken(instance)
        if taken is not None:
            exclude.add(read_ahead.key_attribute)
        try:
            instance.validate_unique(exclude=exclude)  # the other unique fields, if any
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if taken:
            field = instance._meta.get_field(read_ahead.key_attribute)
            message = instance.unique_error_message(field.model, (field.name,))
            errors.setdefault(field.name, []).append(message)
    if errors:
        raise ValidationError(errors)


def explain_refusal(instance, columns=()):
    """The check constraints the database refused the record for, in Django's words, or None
    when none of them is why. A constraint on one field among ``columns`` (the attributes a
    file sets) is that column's error; others are the row's."""
    errors = {}
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            try:
                constraint.validate(model_class, instance)
            except ValidationError as error:
                fields = Q(constraint.condition).referenced_base_fields
                column = next(iter(fields)) if len(fields) == 1 and fields <= set(columns) else NON_FIELD_ERRORS
                errors.setdefault(column, []).append(error)
    return ValidationError(errors) if errors else None


def without_bound_repeats(instance, error):
    """A bad date leaves the derived bounds empty; the constraints on those bounds ("has a
    start", "ordered") would only repeat the date's own message."""
    errors = error.error_dict
    if "date" in errors and NON_FIELD_ERRORS in errors:
        on_bounds = [c.name for c in instance._meta.constraints if "date_" in str(c.condition)]
        errors[NON_FIELD_ERRORS] = [e for e in errors[NON_FIELD_ERRORS]
                                    if not any(name in str(e.message) for name in on_bounds)]
        errors = {k: v for k, v in errors.items() if v}
    return ValidationError(errors)


def naming_accepted_values(instance, error):
    """A cell that is none of its field's choices is told the values the column accepts
    (Django's message names only the value)."""
    errors = {}
    for name, messages in error.error_dict.items():
        errors[name] = [_with_accepted_values(instance, name, message) for message in messages]
    return ValidationError(errors)


def _with_accepted_values(instance, name, message):
    if message.code != "invalid_choice" or not message.params:
        return message
    field = instance._meta.get_field(name)
    return ValidationError(
        _("“%(value)s” is not one of the values this column accepts: %(accepted)s."),
        code="invalid_choice", params={"value": message.params["value"], "accepted": accepted_values(field)})


def beyond_the_calendar(instance):
    """edtf reads years before 1 (0000, -0001) that datetime.date cannot hold."""
    if not hasattr(instance, "fill_date_bounds"):
        return None
    try:
        instance.fill_date_bounds()
    except ValidationError:
        return None  # full_clean() says what is wrong with it
    except (ValueError, OverflowError):
        return ValidationError(_("“%(value)s” is outside the calendar (years 1 to 9999).")
                               % {"value": instance.date})
    return None


# --- natural keys ---------------------------------------------------------------------------------

def parent_fields(resource):
    """Required foreign keys outside the natural key: the record's parent (a country)."""
    id_attributes = {resource.fields[name].attribute for name in resource.get_import_id_fields()}
    return [f for f in resource._meta.model._meta.concrete_fields
            if f.many_to_one and not f.null and f.name not in id_attributes]


def key_text(resource, instance):
    return " / ".join(str(resource.fields[name].export(instance)) for name in resource.get_import_id_fields())


def check_clashes(resource, instance, read_ahead):
    """A key must not quietly re-parent an existing record or near-duplicate one: the
    errors by attribute."""
    if instance.pk is not None:
        return moved(resource, instance, read_ahead)
    if len(resource.get_import_id_fields()) != 1:
        return {}
    attribute = resource.fields[resource.get_import_id_fields()[0]].attribute
    value = getattr(instance, attribute, None)
    if instance._meta.get_field(attribute).is_relation or not isinstance(value, str) or not value:
        return {}
    other = read_ahead.twin(value) if read_ahead is not None else NOT_READ
    if other is NOT_READ:
        other = letter_case_twin(type(instance), attribute, value)
    if other is None:
        return {}
    return {attribute: letter_case_clash(value, other)}


def moved(resource, instance, read_ahead):
    parents = parent_fields(resource)
    stored = read_ahead.stored.get(instance.pk) if read_ahead is not None else None
    if not parents or (stored is not None and all(
            stored[f.attname] == getattr(instance, f.attname) for f in parents)):
        return {}
    stored = type(instance)._default_manager.get(pk=instance.pk)
    errors = {}
    for field in parents:
        before, after = getattr(stored, field.attname), getattr(instance, field.attname)
        if before != after:
            errors[field.name] = _(
                "“%(key)s” already exists under %(before)s; this row would move it to "
                "%(after)s. Change that in its own form if it is meant."
            ) % {"key": key_text(resource, instance), "before": getattr(stored, field.name),
                 "after": getattr(instance, field.name, "") if after is not None else "—"}
    return errors
