"""A workbook that expands more than real ones do is refused before openpyxl parses it."""
import io
import zipfile
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from django.utils import translation

from defrel.uploads import XLSX_MAX_RATIO, CheckedXLSX, FileRefused

CORPUS = Path(__file__).resolve().parent.parent / "data" / "bad_imports"


def expansion(data):
    members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    return sum(m.file_size for m in members) / sum(m.compress_size for m in members)


@pytest.mark.parametrize("name", ["zip_bomb_49_fold.xlsx", "zip_bomb.xlsx"])
def test_a_workbook_expanding_past_the_cap_is_refused_unparsed(name):
    data = (CORPUS / name).read_bytes()
    assert expansion(data) >= 48 > XLSX_MAX_RATIO
    with (translation.override("en"),
          mock.patch("openpyxl.load_workbook", wraps=openpyxl.load_workbook) as load,
          pytest.raises(FileRefused) as refused):
        CheckedXLSX().create_dataset(data)
    assert "zip bomb" in str(refused.value) and "refused unread" in str(refused.value)
    load.assert_not_called()


def test_the_refusal_says_how_far_the_file_expands():
    data = (CORPUS / "zip_bomb_49_fold.xlsx").read_bytes()
    with translation.override("en"), pytest.raises(FileRefused) as refused:
        CheckedXLSX.check_zip(data)
    assert "expands 49-fold" in str(refused.value)
    assert f"at most {XLSX_MAX_RATIO}-fold" in str(refused.value)
