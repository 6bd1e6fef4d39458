import pytest


@pytest.fixture(autouse=True)
def japanese_by_default(settings):
    settings.LANGUAGE_CODE = "ja"
