import pytest

from defrel.exports import escape_formula, unescape_formula


@pytest.mark.parametrize("value", ["=1+1", "+81", "-3", "@SUM(A1)", "\tx", "\rx", "\0x", "'=x", "'plain"])
def test_formula_cells_are_neutralised_and_restored(value):
    escaped = escape_formula(value)
    assert escaped.startswith("'")
    assert unescape_formula(escaped) == value


@pytest.mark.parametrize("value", ["日豪防衛相会談", "Kihara Minoru", "2024-05", "", None, 3])
def test_ordinary_cells_are_untouched(value):
    assert escape_formula(value) == value
    assert unescape_formula(value) == value
