"""The agreements matrix keeps each cell under what it shows: an edit to one of a partner's
agreements draws again the one cell that shows it, not the partner's other cells, and an edit
to anything a cell shows (a short name, a title, a milestone, the date of the source that
states an agreement in force) shows at the next request."""
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from defrel.models import Source
from meetings.models import Agreement
from partners.models import Country
from tests.defrel.test_scoped_stamps import edit
from tests.meetings.factories import AgreementEventFactory, AgreementFactory, SourceFactory
from tests.pages import table_row, text
from tests.partners.factories import CountryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def australia(django_capture_on_commit_callbacks):
    # Every write here runs its commit callbacks: the test's own transaction never commits.
    with django_capture_on_commit_callbacks(execute=True):
        au = CountryFactory(code="AU", name_en="Australia", region="oceania")
        acsa = AgreementFactory(parties=[au], key="au-acsa", short_name="ACSA", kind="acsa",
                                title_ja="日豪物品役務相互提供協定",
                                title_en="Japan–Australia Acquisition and Cross-Servicing Agreement")
        AgreementEventFactory(agreement=acsa, kind="entered_into_force", date="2017-09")
        raa = AgreementFactory(parties=[au], key="au-raa", short_name="RAA", kind="raa",
                               title_ja="日豪円滑化協定", title_en="Japan–Australia Reciprocal Access Agreement")
        AgreementEventFactory(agreement=raa, kind="entered_into_force", date="2023-08")
        AgreementFactory(parties=[au], key="au-mou", short_name="", kind="cooperation_memorandum",
                         title_ja="日豪防衛協力覚書", title_en="Japan–Australia memorandum on defence cooperation",
                         stated_status="in_force", source=SourceFactory(key="wp2025", date="2025-07"))
    return au


@pytest.fixture
def drawn_cells(monkeypatch):
    """The keys of the agreements of each cell a request draws (the others come from the cache)."""
    from meetings.views import matrix as view

    drawn, draw = [], view.drawn_html
    monkeypatch.setattr(view, "drawn_html", lambda cells: drawn.extend(
        sorted(agreement.key for agreement, _status in cell) for cell in cells) or draw(cells))
    return drawn


def australian_row(client, language="ja"):
    with translation.override(language):
        return table_row(client.get(reverse("meetings:agreement-matrix")), "AU")


def test_an_agreement_edit_draws_again_its_cell_alone(client, australia, drawn_cells, django_capture_on_commit_callbacks):
    australian_row(client), australian_row(client, "en")
    assert sorted(drawn_cells) == [["au-acsa"], ["au-acsa"], ["au-mou"], ["au-mou"], ["au-raa"], ["au-raa"]]
    drawn_cells.clear()
    edit(Agreement.objects.get(key="au-raa"), django_capture_on_commit_callbacks, title_en="Japan–Australia RAA (renamed)")
    assert "Japan–Australia RAA (renamed)" in australian_row(client, "en")
    assert "Japan–Australia Acquisition and Cross-Servicing Agreement" in australian_row(client, "en")
    assert drawn_cells == [["au-raa"]]
    assert "日豪円滑化協定" in australian_row(client)  # the Japanese cell reads title_ja: kept
    assert drawn_cells == [["au-raa"]]


@pytest.mark.parametrize("language, key, fields, shown", [
    ("ja", "au-acsa", {"short_name": "ACSA (renamed)"}, "ACSA (renamed)"),
    ("ja", "au-acsa", {"title_ja": "日豪ACSA（改称）"}, "日豪ACSA（改称）"),
    ("en", "au-mou", {"title_en": "Japan–Australia MoU (renamed)"}, "Japan–Australia MoU (renamed)"),
    ("ja", "au-mou", {"stated_status": ""}, None),
])
def test_an_edit_to_what_a_cell_shows_shows_at_the_next_request(
        client, australia, language, key, fields, shown, django_capture_on_commit_callbacks):
    before = australian_row(client, language)
    edit(Agreement.objects.get(key=key), django_capture_on_commit_callbacks, **fields)
    after = australian_row(client, language)
    if shown:
        assert shown not in before and shown in after
    else:  # no longer stated in force: no status on any day, out of the matrix
        assert "日豪防衛協力覚書" in before and "日豪防衛協力覚書" not in after


def test_a_milestone_shows_at_the_next_request(client, australia, django_capture_on_commit_callbacks):
    assert "status-terminated" not in australian_row(client)
    with django_capture_on_commit_callbacks(execute=True):
        AgreementEventFactory(agreement=Agreement.objects.get(key="au-acsa"), kind="terminated", date="2020-03")
    assert "status-terminated" in australian_row(client)


def test_the_date_of_the_source_that_states_an_agreement_in_force_shows_at_the_next_request(
        client, australia, django_capture_on_commit_callbacks):
    before = australian_row(client, "en")
    edit(Source.objects.get(key="wp2025"), django_capture_on_commit_callbacks, date="2024-07")
    after = australian_row(client, "en")
    assert "July 2025" in before and "July 2024" not in before
    assert "July 2024" in after and "July 2025" not in after


def test_the_matrix_of_200_partners_keeps_every_row_it_drew(client, drawn_rows, django_capture_on_commit_callbacks):
    # The local-memory cache keeps what the matrix draws for 200 partners (a row of each) beside
    # what other pages keep: with Django's 300 entries, the next request after one partner's
    # edit drew most rows again.
    with django_capture_on_commit_callbacks(execute=True):  # a bump left pending would hold the edit's
        partners = Country.objects.bulk_create(
            Country(code=f"P{i:03d}", name_ja=f"国{i:03d}", name_en=f"Country {i:03d}", region="europe")
            for i in range(200))
        source = SourceFactory(key="wp2025", date="2025-07")
        agreements = Agreement.objects.bulk_create(
            Agreement(key=f"mou-{i:03d}", short_name="", kind="cooperation_memorandum", title_ja=f"覚書{i:03d}",
                      title_en=f"Memorandum {i:03d}", stated_status="in_force", source=source) for i in range(200))
        Agreement.parties.through.objects.bulk_create(
            Agreement.parties.through(agreement=agreement, country=partner)
            for agreement, partner in zip(agreements, partners))
    client.get(reverse("meetings:agreement-matrix"))
    cache.set_many({f"another-page:{i}": "its part" for i in range(300)})  # what other pages keep meanwhile
    edit(Agreement.objects.get(key="mou-007"), django_capture_on_commit_callbacks, title_ja="覚書007（改）")
    assert "覚書007（改）" in text(client.get(reverse("meetings:agreement-matrix")))
    assert [len(codes) for codes in drawn_rows] == [200, 1]


def test_a_cell_kept_by_another_deployment_is_drawn_again(
        client, australia, drawn_cells, monkeypatch, django_capture_on_commit_callbacks):
    # After a deployment that changed the cell's templates, a shared cache still holds the cells
    # the old ones drew: the next row drawn draws each of its cells anew.
    from defrel import deployed

    australian_row(client)
    monkeypatch.setattr(deployed, "current", lambda: ("next-deployment", 0.0))
    drawn_cells.clear()
    edit(Agreement.objects.get(key="au-raa"), django_capture_on_commit_callbacks, title_ja="日豪円滑化協定（改）")
    assert "日豪円滑化協定（改）" in australian_row(client)
    assert sorted(drawn_cells) == [["au-acsa"], ["au-mou"], ["au-raa"]]


def test_a_cell_and_a_badge_escape_what_they_show(client, django_capture_on_commit_callbacks):
    """A cell is drawn in Python, not by a template that escapes by itself: a short name, a
    title and the stated date's source each come out escaped, in the matrix and the badge."""
    with django_capture_on_commit_callbacks(execute=True):
        au = CountryFactory(code="AU", name_en="Australia", region="oceania")
        AgreementFactory(parties=[au], key="au-x", short_name="<i>X</i>", kind="acsa", title_ja="<b>協定</b>",
                         title_en="<b>Agreement</b>", stated_status="in_force",
                         source=SourceFactory(date="2025-07"))
    for prefix, title in (("", "&lt;b&gt;協定&lt;/b&gt;"), ("/en", "&lt;b&gt;Agreement&lt;/b&gt;")):
        page = client.get(prefix + reverse("meetings:agreement-matrix")).content.decode()
        assert f'&lt;i&gt;X&lt;/i&gt;</a><span class="visually-hidden"> ({title})</span><br>' in page
        assert '<span class="badge status-in_force_by">' in page and 'class="muted stated-by"' in page
        assert "<b>" not in page and "<i>X" not in page
