"""Check constraints evaluated in Python, with SQL's rules for NULL.

Model.full_clean() checks each CheckConstraint with a query (three per meeting, each in a
savepoint). The conditions used here are plain comparisons of a record's own fields, so an
import evaluates them in Python; any other condition goes to the database."""
from datetime import date, datetime, time
from decimal import Decimal

from django.db import models
from django.db.models import F, Q


class NotEvaluable(Exception):
    """A condition this evaluator does not handle: the database checks it."""


class NotComparable(Exception):
    """A condition naming a field left out of the check (as Django: the constraint is skipped)."""


ORDERED_TYPES = ((int, float, Decimal), (datetime,), (date,), (time,))


def comparable(lhs, rhs, ordered):
    for value in (lhs, rhs):
        if hasattr(value, "resolve_expression") or isinstance(value, models.Model):
            raise NotEvaluable
    if isinstance(lhs, bool) or isinstance(rhs, bool):
        if not (isinstance(lhs, bool) and isinstance(rhs, bool)) or ordered:
            raise NotEvaluable
        return
    for kinds in ORDERED_TYPES:
        if isinstance(lhs, kinds) and isinstance(rhs, kinds):
            if kinds == (date,) and (isinstance(lhs, datetime) or isinstance(rhs, datetime)):
                raise NotEvaluable
            return
    if not ordered and isinstance(lhs, str) and isinstance(rhs, str):
        return  # equality only: ordering of text depends on the database's collation
    raise NotEvaluable


def evaluate_lookup(lookup, rhs, values):
    name, _sep, operator = lookup.partition("__")
    operator = operator or "exact"
    if "__" in operator or operator not in {"exact", "isnull", "lt", "lte", "gt", "gte", "in"}:
        raise NotEvaluable
    if name not in values:
        raise NotComparable
    lhs = values[name]
    if isinstance(rhs, F):
        if rhs.name not in values:
            raise NotComparable if "__" not in rhs.name else NotEvaluable
        rhs = values[rhs.name]
    elif hasattr(rhs, "resolve_expression"):
        raise NotEvaluable
    if operator == "isnull":
        if not isinstance(rhs, bool):
            raise NotEvaluable
        return (lhs is None) == rhs
    if operator == "exact" and rhs is None:
        return lhs is None  # Django reads exact=None as IS NULL
    if operator == "in":
        if lhs is None:
            return None
        choices = list(rhs)
        for choice in choices:
            if choice is not None:
                comparable(lhs, choice, ordered=False)
        if lhs in choices:
            return True
        return None if None in choices else False
    if lhs is None or rhs is None:
        return None
    comparable(lhs, rhs, ordered=operator != "exact")
    return {"exact": lhs == rhs, "lt": lhs < rhs, "lte": lhs <= rhs, "gt": lhs > rhs,
            "gte": lhs >= rhs}[operator]


def evaluate_q(condition, values):
    """True, False or None (SQL's NULL) for a Q of lookups on ``values``."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(evaluate_q(child, values))
        elif isinstance(child, tuple) and len(child) == 2:
            results.append(evaluate_lookup(child[0], child[1], values))
        else:
            raise NotEvaluable
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        raise NotEvaluable
    if condition.negated and result is not None:
        result = not result
    return result


def constraint_values(instance, model_class, exclude):
    """The values a constraint is checked against (Model._get_field_expression_map), or
    None when a generated field would need the database."""
    values = {}
    for field in model_class._meta.local_concrete_fields:
        if field.name in exclude:
            continue
        if field.generated:
            return None
        values[field.name] = getattr(instance, field.attname)
    if "pk" not in exclude:
        values["pk"] = instance.pk
    return values


def check_in_python(constraint, values):
    """Whether the record whose ``values`` are given passes the check constraint, or None
    when the database must say."""
    condition = constraint.condition
    if values is None or not isinstance(condition, Q):
        return None
    try:
        # A NULL result passes, as the database's Coalesce(condition, True) does.
        return evaluate_q(condition, values) is not False
    except NotComparable:
        return True
    except NotEvaluable:
        return None
