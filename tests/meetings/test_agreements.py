import datetime

import pytest

from meetings.models import Status
from meetings.models.agreements import IN_FORCE_STATUSES
from tests.meetings.factories import AgreementEventFactory, AgreementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gsomia():
    agreement = AgreementFactory(kind="information_security")
    for kind, date in [("concluded", "2016-11"), ("termination_notified", "2019-08"),
                       ("notice_suspended", "2019-11"), ("notice_withdrawn", "2023-03")]:
        AgreementEventFactory(agreement=agreement, kind=kind, date=date)
    return agreement


@pytest.mark.parametrize("day", ["2016-11-23", "2018-01-01", "2019-12-01", "2023-03-21", "2025-09-08"])
def test_gsomia_is_in_force_on_every_date_from_its_conclusion(gsomia, day):
    assert gsomia.status_on(datetime.date.fromisoformat(day)) in {Status.IN_FORCE, Status.NOTICE_GIVEN}


def test_gsomia_shows_the_notice_while_it_stood(gsomia):
    assert gsomia.status_on(datetime.date(2019, 9, 1)) == Status.NOTICE_GIVEN
    assert gsomia.status_on(datetime.date(2019, 12, 1)) == Status.IN_FORCE


def test_nothing_is_known_before_the_first_milestone(gsomia):
    assert gsomia.status_on(datetime.date(2015, 1, 1)) == Status.UNKNOWN


def test_a_treaty_is_only_signed_until_it_enters_into_force():
    raa = AgreementFactory(kind="raa")
    AgreementEventFactory(agreement=raa, kind="negotiation_started", date="2023-11")
    AgreementEventFactory(agreement=raa, kind="signed", date="2024-07-08")
    AgreementEventFactory(agreement=raa, kind="entered_into_force", date="2025-09-11")
    assert raa.status_on(datetime.date(2024, 1, 1)) == Status.NEGOTIATING
    assert raa.status_on(datetime.date(2024, 8, 1)) == Status.SIGNED
    assert raa.status_on(datetime.date(2025, 10, 1)) == Status.IN_FORCE


def test_a_memorandum_is_signed_and_then_revised_never_in_force():
    """The sources say a memorandum was signed (署名) or revised (改定), never that it entered
    into force (発効)."""
    memo = AgreementFactory(kind="cooperation_memorandum")
    AgreementEventFactory(agreement=memo, kind="signed", date="2012")
    AgreementEventFactory(agreement=memo, kind="revised", date="2023")
    assert memo.status_on(datetime.date(2011, 12, 31)) == Status.UNKNOWN
    assert memo.status_on(datetime.date(2022, 1, 1)) == Status.SIGNED
    assert memo.status_on(datetime.date(2024, 1, 1)) == Status.REVISED


@pytest.mark.parametrize("kind, milestone, status", [
    ("joint_declaration", "agreed", Status.AGREED_DOCUMENT),  # 共同声明を発表した, 発出した
    ("joint_declaration", "signed", Status.SIGNED),  # 「安全保障協力に関する日豪共同宣言」: 署名された
    ("statement_of_intent", "signed", Status.SIGNED),
    ("arrangement", "signed", Status.SIGNED),
    ("partnership_programme", "agreed", Status.AGREED_DOCUMENT),  # ITPP: 合意した
    ("other", "concluded", Status.CONCLUDED),
])
def test_a_document_that_is_not_a_treaty_is_what_its_milestone_records_on_its_date(kind, milestone, status):
    document = AgreementFactory(kind=kind)
    AgreementEventFactory(agreement=document, kind=milestone, date="2024-11")
    assert document.status_on(datetime.date(2024, 10, 31)) == Status.UNKNOWN
    assert document.status_on(datetime.date(2024, 11, 1)) == status
    assert document.status_on(datetime.date(2030, 1, 1)) == status
    assert status not in IN_FORCE_STATUSES


def test_an_exchange_of_notes_is_in_force_once_signed():
    notes = AgreementFactory(kind="exchange_of_notes")
    AgreementEventFactory(agreement=notes, kind="signed", date="2024-12")
    assert notes.status_on(datetime.date(2025, 1, 1)) == Status.IN_FORCE


def test_a_document_the_source_says_was_signed_without_a_date_is_signed_by_the_sources_date():
    """「日印間の安全保障協力に関する共同宣言」が署名され: no date, and never "in force"."""
    declaration = AgreementFactory(kind="joint_declaration", stated_status="signed", source__date="2025-07")
    for day in (datetime.date(2010, 1, 1), datetime.date(2025, 8, 1)):
        assert declaration.status_on(day) == Status.SIGNED_BY
    assert Status.SIGNED_BY not in {Status.SIGNED, Status.UNKNOWN, *IN_FORCE_STATUSES}
    assert declaration.stated_by.display("en") == "July 2025"


def test_any_document_whose_life_records_an_entry_into_force_is_signed_until_then():
    other = AgreementFactory(kind="other")
    AgreementEventFactory(agreement=other, kind="signed", date="2025-03")
    AgreementEventFactory(agreement=other, kind="entered_into_force", date="2025-04-01")
    assert other.status_on(datetime.date(2025, 3, 15)) == Status.SIGNED
    assert other.status_on(datetime.date(2025, 4, 1)) == Status.IN_FORCE


def test_an_agreement_stated_in_force_without_a_date_is_in_force_by_the_sources_date_on_every_day():
    acsa = AgreementFactory(kind="acsa", stated_status="in_force", source__date="2025-07")
    for day in (datetime.date(2010, 1, 1), datetime.date(2019, 12, 1), datetime.date(2025, 8, 1)):
        assert acsa.status_on(day) == Status.IN_FORCE_BY
    assert acsa.stated_by.display("en") == "July 2025"  # partial: no day is made up


def test_in_force_by_is_neither_in_force_since_nor_no_record():
    assert Status.IN_FORCE_BY not in {Status.IN_FORCE, Status.UNKNOWN}
    assert Status.IN_FORCE_BY not in IN_FORCE_STATUSES  # "was it in force on day X?" stays unanswered


def test_a_dated_milestone_is_the_only_rule_once_recorded():
    acsa = AgreementFactory(kind="acsa", stated_status="in_force", source__date="2025-07")
    AgreementEventFactory(agreement=acsa, kind="entered_into_force", date="2013-01")
    assert acsa.status_on(datetime.date(2010, 1, 1)) == Status.UNKNOWN
    assert acsa.status_on(datetime.date(2019, 12, 1)) == Status.IN_FORCE




def test_provisional_application_is_not_entry_into_force():
    # The Japan–EU Strategic Partnership Agreement: applied provisionally from 2019.
    spa = AgreementFactory(kind="other")
    AgreementEventFactory(agreement=spa, kind="signed", date="2018-07")
    AgreementEventFactory(agreement=spa, kind="provisionally_applied", date="2019-02")
    assert spa.status_on(datetime.date(2018, 12, 1)) == Status.SIGNED  # "other": never in force by signing
    treaty = AgreementFactory(kind="treaty")
    AgreementEventFactory(agreement=treaty, kind="signed", date="2018-07")
    AgreementEventFactory(agreement=treaty, kind="provisionally_applied", date="2019-02")
    assert treaty.status_on(datetime.date(2018, 12, 1)) == Status.SIGNED
    assert treaty.status_on(datetime.date(2019, 3, 1)) == Status.PROVISIONAL
    assert Status.PROVISIONAL not in IN_FORCE_STATUSES
    AgreementEventFactory(agreement=treaty, kind="entered_into_force", date="2024-01")
    assert treaty.status_on(datetime.date(2024, 2, 1)) == Status.IN_FORCE


def test_an_initiative_japan_announced_is_announced_not_in_force():
    vision = AgreementFactory(kind="other")
    AgreementEventFactory(agreement=vision, kind="announced", date="2016-11")
    AgreementEventFactory(agreement=vision, kind="announced", date="2019-11")
    assert vision.status_on(datetime.date(2015, 1, 1)) == Status.UNKNOWN
    assert vision.status_on(datetime.date(2020, 1, 1)) == Status.ANNOUNCED
