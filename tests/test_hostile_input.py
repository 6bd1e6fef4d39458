"""Whatever a visitor types into a URL, the public site answers with a page, never a 500,
and whatever an editor typed into a record is shown as text, never run as HTML."""
import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.meetings.factories import AgreementFactory, ExerciseFactory, MeetingFactory, ParticipationFactory
from tests.partners.factories import CountryFactory, TenureFactory

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script>'

LISTS = ["meetings:meeting-list", "meetings:agreement-list", "meetings:exercise-list",
         "meetings:timeline", "meetings:agreement-matrix", "partners:official-list",
         "meetings:meeting-export"]
PARAMS = ["country", "official", "year", "month", "level", "kind", "format", "occasion", "q",
          "sort", "page", "as_of", "party", "status", "role"]


@pytest.fixture
def records():
    au = CountryFactory(code="AU", name_ja=f"豪{SCRIPT}")
    meeting = MeetingFactory(countries=[au], title_ja=f"会談{SCRIPT}", summary_ja=SCRIPT)
    ParticipationFactory(meeting=meeting, official=TenureFactory(official__name_ja=f"人{SCRIPT}").official)
    AgreementFactory(parties=[au], title_ja=f"協定{SCRIPT}")
    ExerciseFactory(countries=[au], name_ja=f"訓練{SCRIPT}")
    return meeting


@pytest.mark.parametrize("name, args", [
    ("meetings:meeting-list", []), ("meetings:meeting-detail", "meeting"), ("meetings:home", []),
    ("partners:country-detail", ["AU"]), ("meetings:agreement-list", []), ("meetings:exercise-list", []),
    ("meetings:timeline", []), ("partners:official-list", []),
])
def test_what_editors_typed_is_shown_as_text(client, records, name, args):
    url = reverse(name, args=[records.key] if args == "meeting" else args)
    page = client.get(url).content.decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;" in page


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.sampled_from(LISTS),
       params=st.dictionaries(st.sampled_from(PARAMS),
                              st.one_of(st.text(max_size=30), st.sampled_from(
                                  ["2024", "-1", "99999999999999999999", "2024-13-40", "AU", "0", "'", "%"])),
                              max_size=5))
def test_any_query_string_gets_a_page_not_an_error(client, records, name, params):
    response = client.get(reverse(name), params)
    assert response.status_code in (200, 404), (name, params, response.status_code)
