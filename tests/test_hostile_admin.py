"""Whatever an editor (or someone with an editor's session) puts in an admin address or form,
the admin answers with a page, a redirect or a message, never a 500, on SQLite and on
PostgreSQL: every registered ModelAdmin's list with each of its filters and its search,
order and page parameters, its record addresses, autocomplete, import and export.

The ModelAdmins, their filters and their autocomplete fields are read from the admin site,
so a new one is tried without anyone adding it here.

Like every admin test, these run under the real URLconf: the error pages (404.html extends
the public base template) link to the public site, and drawn under an admin-only URLconf they
would raise NoReverseMatch where production shows them."""
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from defrel.admin import EditorialAdmin
from defrel.admin_input import MAX_SEARCH_WORDS
from meetings.models import Meeting
from tests import hostile
from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory,
    OccasionFactory, ParticipationFactory,
)
from tests.pages import text
from tests.partners.factories import CountryFactory, TenureFactory

pytestmark = pytest.mark.django_db

MODEL_ADMINS = [admin.site.get_model_admin(model) for model in apps.get_models()
                if admin.site.is_registered(model)]
EDITORIAL = [m for m in MODEL_ADMINS if isinstance(m, EditorialAdmin)]
OK = {200, 302, 403, 404}  # a page, a redirect (to the list, the login), not allowed, no such record
EXAMPLES = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


def url_name(model_admin, view):
    return f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_{view}"


def autocomplete_fields():
    """(app_label, model_name, field_name) of every autocomplete field, inlines' included."""
    found = set()
    for model_admin in MODEL_ADMINS:
        for source in [model_admin, *model_admin.inlines]:
            opts = source.model._meta
            found |= {(opts.app_label, opts.model_name, name) for name in source.autocomplete_fields}
    return sorted(found)


AUTOCOMPLETE = autocomplete_fields()


@pytest.fixture
def records(db):
    au = CountryFactory(code="AU", name_en="Australia", region="oceania")
    meeting = MeetingFactory(key="2024-05-jp-au", countries=[au], occasion=OccasionFactory())
    ParticipationFactory(meeting=meeting, official=TenureFactory().official)
    AgreementEventFactory(agreement=AgreementFactory(parties=[au]))
    ExerciseFactory(countries=[au])
    EngagementFactory(countries=[au], meeting=meeting)
    meeting.title_en = "Edited once, so it has two history records"
    meeting.save()
    return meeting


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password=None)  # no password to hash: logged in by force


@pytest.fixture
def clients(editor_client, superuser):
    """An editor's client, and a superuser's for the admins editors may not open (users)."""
    root = Client()
    root.force_login(superuser)
    return {"editor": editor_client, "root": root}


def client_for(clients, model_admin):
    return clients["editor"] if isinstance(model_admin, EditorialAdmin) else clients["root"]


def answered(client, method, url, data=None, *, ok=OK):
    """The response, checked: NUL anywhere is the 400 page, anything else is in ``ok`` (or
    Django's own 400 for an admin parameter it refuses, such as a bad _to_field)."""
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    body = hostile.body(response)
    posted = [name + "".join(values if isinstance(values, list) else [values])
              for name, values in (data or {}).items()]
    if hostile.has_nul(url) or any("\x00" in field for field in posted):
        assert response.status_code == 400, (url, data, response.status_code)
    else:
        assert response.status_code in ok | {400}, (url, data, response.status_code)
    if response.status_code in (400, 404):
        assert hostile.error_page(response) == response.status_code, (url, body[:300])
    return response


LOOKUPS = ["", "__in", "__gte", "__iexact", "__startswith"]  # others a person may type


def filter_parameters(model_admin, user):
    """The query parameters of the admin's list filters, as its changelist declares them
    (level__exact), and other lookups on the same fields (level, level__in…), which the
    admin accepts as well."""
    request = RequestFactory().get("/")
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    declared = {p for spec in changelist.filter_specs for p in spec.expected_parameters()}
    fields = {p.rpartition("__")[0] for p in declared if "__" in p}
    return sorted(declared | {field + lookup for field in fields for lookup in LOOKUPS})


# --- the tester's reports --------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/admin/meetings/meeting/?level=%00",
    "/admin/meetings/meeting/?countries__region=%00",
    "/admin/partners/position/?country__region=%00",
    "/admin/autocomplete/?term=%00&app_label=meetings&model_name=meeting&field_name=countries",
])
def test_nul_in_an_admin_address_is_a_bad_request_page(editor_client, records, url):
    editor_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = editor_client.get(url.replace("/admin/", "/" + django_settings.ADMIN_URL, 1))
    assert response.status_code == 400
    assert "Bad request" in text(response)


def test_a_session_cookie_holding_nul_is_a_fresh_session(client, records):
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "\x00" * 32
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert response.cookies[django_settings.SESSION_COOKIE_NAME].value == ""  # the bad one removed


def test_the_contents_of_an_uploaded_file_are_not_scanned(editor_client, records):
    """A NUL inside an import file is the import checks' to explain, not a 400."""
    editor_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = editor_client.post(reverse(url_name(admin.site.get_model_admin(Meeting), "import")), {
        "resource": "0", "format": "0", "import_file": SimpleUploadedFile("m.csv", b"key,title_ja\n\x00,x\n")})
    assert response.status_code == 200
    assert "contains a NUL byte" in text(response)


def test_a_search_of_thousands_of_words_uses_the_first_ones(editor_client, records):
    editor_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = editor_client.get(reverse("admin:meetings_meeting_changelist"), {"q": " ".join(["jp-au"] * 2000)})
    page = text(response)
    assert f"Only the first {MAX_SEARCH_WORDS} words were searched for." in page
    assert "2024-05-jp-au" in page


# --- every list, filter, record address, autocomplete field and tool ---------------------------

def test_the_admins_and_their_filters_are_read_from_the_site(editor):
    assert {m.opts.model_name for m in EDITORIAL} >= {"meeting", "country", "agreement", "tenure"}
    assert "countries__region" in filter_parameters(admin.site.get_model_admin(Meeting), editor)
    assert ("meetings", "participation", "official") in AUTOCOMPLETE  # an inline's


def test_nul_in_every_filter_of_every_list_is_a_bad_request(clients, records, superuser):
    for model_admin in MODEL_ADMINS:
        changelist = reverse(url_name(model_admin, "changelist"))
        for name in filter_parameters(model_admin, superuser) + ["q", "o", "p"]:
            answered(client_for(clients, model_admin), "get", f"{changelist}?{name}=%00")
            answered(client_for(clients, model_admin), "get", f"{changelist}?{name}=A%00U")


@pytest.mark.parametrize("year", ["0", "10000", "99999999999999999999", ""])
def test_a_year_no_date_is_in_gets_a_page_of_every_list_and_export_it_filters(clients, records, superuser, year):
    lists = [m for m in EDITORIAL if "year" in filter_parameters(m, superuser)]
    assert len(lists) >= 5  # meetings, milestones, exercises, engagements, tenures
    for model_admin in lists:
        for view in ("changelist", "export"):
            answered(client_for(clients, model_admin), "get", reverse(url_name(model_admin, view)) + f"?year={year}")


@EXAMPLES
@given(data=st.data())
def test_any_filter_search_order_and_page_of_any_list_gets_a_page(clients, records, superuser, data):
    """The list, and the export and import pages, which read the list's filters too."""
    model_admin = data.draw(st.sampled_from(MODEL_ADMINS), label="admin")
    views = ["changelist"] + (["export", "import"] if model_admin in EDITORIAL else [])
    view = data.draw(st.sampled_from(views), label="view")
    names = filter_parameters(model_admin, superuser) + ["q", "o", "p", "e", "_to_field", "_changelist_filters"]
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(names), hostile.VALUES), min_size=1, max_size=4),
                      label="parameters")
    answered(client_for(clients, model_admin), "get", reverse(url_name(model_admin, view)) + "?" + hostile.query(pairs))


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(pairs=st.lists(st.tuples(st.sampled_from(["check", "kind", "page", "q"]), hostile.VALUES), max_size=3))
def test_any_parameter_of_the_data_quality_page_gets_a_page(editor_client, records, pairs):
    answered(editor_client, "get", reverse("data-quality") + "?" + hostile.query(pairs))


@EXAMPLES
@given(data=st.data())
def test_any_id_in_a_record_address_gets_a_page(clients, records, data):
    model_admin = data.draw(st.sampled_from(MODEL_ADMINS), label="admin")
    object_id = data.draw(hostile.SEGMENTS | st.just("1"), label="id")
    views = ["change", "delete", "history"]
    if hasattr(model_admin, "history_form_view"):
        views.append("simple_history")
    view = data.draw(st.sampled_from(views), label="view")
    args = [object_id] + ([data.draw(hostile.SEGMENTS | st.just("1"), label="version")]
                          if view == "simple_history" else [])
    # The ids go into the address as they came, percent-encoded: reverse() would encode them again.
    url = reverse(url_name(model_admin, view), args=[f"HOSTILE{i}" for i in range(len(args))])
    for i, arg in enumerate(args):
        url = url.replace(f"HOSTILE{i}", arg, 1)
    answered(client_for(clients, model_admin), "get", url)


@EXAMPLES
@given(data=st.data())
def test_any_initial_value_on_an_add_page_gets_a_page(clients, records, data):
    model_admin = data.draw(st.sampled_from(EDITORIAL), label="admin")
    names = [f.name for f in model_admin.model._meta.get_fields() if f.concrete]
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(names), hostile.VALUES | st.just("1,abc")),
                               min_size=1, max_size=4), label="initial")
    answered(clients["editor"], "get", reverse(url_name(model_admin, "add")) + "?" + hostile.query(pairs))


@EXAMPLES
@given(data=st.data())
def test_any_autocomplete_request_gets_an_answer(editor_client, records, data):
    app_label, model_name, field_name = data.draw(st.sampled_from(AUTOCOMPLETE), label="field")
    spoiled = data.draw(st.sets(st.sampled_from(["app_label", "model_name", "field_name", "page"])),
                        label="spoiled")
    pairs = [("term", data.draw(hostile.VALUES, label="term"))] + [
        (name, data.draw(hostile.VALUES, label=name) if name in spoiled else hostile.encoded(value))
        for name, value in (("app_label", app_label), ("model_name", model_name), ("field_name", field_name))]
    if "page" in spoiled:
        pairs.append(("page", data.draw(hostile.VALUES, label="page")))
    answered(editor_client, "get", reverse("admin:autocomplete") + "?" + hostile.query(pairs))


FORM_TEXT = st.text(max_size=20) | st.sampled_from(hostile.ODD)


@EXAMPLES
@given(data=st.data())
def test_any_form_posted_to_the_admin_gets_a_page(clients, records, data):
    """Forms no page of ours sends: list actions, import, confirmation and export, a record."""
    model_admin = data.draw(st.sampled_from(EDITORIAL), label="admin")
    view = data.draw(st.sampled_from(["changelist", "import", "process_import", "export", "add"]), label="view")
    names = {
        "changelist": ["action", "_selected_action", "index", "select_across"],
        "import": ["resource", "format"],
        "process_import": ["import_file_name", "original_file_name", "format", "resource"],
        "export": ["resource", "format", "export_items"],
        "add": [f.name for f in model_admin.model._meta.get_fields() if f.concrete] + ["seen_version"],
    }[view]
    form = data.draw(st.dictionaries(st.sampled_from(names), st.lists(FORM_TEXT, min_size=1, max_size=3),
                                     min_size=1), label="form")
    if view == "changelist":
        form.setdefault("action", ["delete_selected"])
    answered(clients["editor"], "post", reverse(url_name(model_admin, view)), form)


@pytest.mark.parametrize("view, params", [
    ("partners_official_export", "country="), ("partners_official_export", "country__id__exact="),
    ("partners_tenure_export", "position__country__startswith="),
    ("meetings_meeting_export", "level__in=x&countries__id__exact=abc"),
])
def test_an_export_with_filters_it_cannot_read_is_a_bad_request(editor_client, records, view, params):
    response = editor_client.get(reverse(f"admin:{view}") + "?" + params)
    assert response.status_code == 400
    assert hostile.error_page(response) == 400 and "不正なリクエスト" in response.content.decode()
