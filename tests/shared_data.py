"""Records made once for several tests, as Django's TestCase.setUpTestData makes them for a
class: inside a transaction that stays open while those tests run (each test in a savepoint
of its own, rolled back after it) and is rolled back after the last one."""
import pytest
from django.db import transaction


def made_once(make, *, scope="module", params=None):
    """A fixture of ``scope`` ("module", or "class" for the tests of one class, so that the
    module's other tests never see the records) holding what ``make()`` returns, or
    ``make(param)`` for each of ``params``. ``make`` writes through the models, signals and
    all, as a function-scoped fixture would; the tests only read what it made."""

    @pytest.fixture(scope=scope, params=params)
    def fixture(request, django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            yield make(request.param) if params else make()
            transaction.set_rollback(True)

    fixture.__doc__ = make.__doc__
    return fixture
