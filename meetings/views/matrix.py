"""The agreements matrix: each partner's agreements with Japan by kind, with where each stood
on a day.

The whole table is kept under the stamp of the agreement tables (the template's ``{% cache %}``).
When an agreement changes, only its parties' rows are drawn again: each partner's row is kept
under that partner's stamp (defrel.stamp), so an edit to one Peruvian agreement draws Peru's
row, not the 200 others. At 5,000 agreements the next request after an agreement edit took
574 ms, now 42; the table drawn with nothing kept, 573 ms, now 634 (bench/NOTES.md, "The
agreements matrix, a row per partner"). Within a row, each cell is kept with a digest of what
it shows, so that the row of a partner with 600 agreements draws again only the cell an edit
changed."""
import datetime
import hashlib
from collections import defaultdict

from django.contrib import messages
from django.shortcuts import render
from django.template import Context, Engine
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from defrel.kept import renewed_each
from defrel.stamp import token
from meetings.filter_fields import AsOfForm
from meetings.models import AGREEMENT_TABLE_READS, STATUS_READS, Agreement, AgreementEvent, Status
from meetings.models.agreements import STATED_BY
from meetings.views.profiles import JAPAN
from partners.models import Country, Region
from partners.readings import name_sort_key


def as_of_day(request, form):
    """The day ``form`` reads (?as_of=YYYY-MM-DD), or today with a message when it is not a day."""
    for message in form.errors.get("as_of", []):
        messages.error(request, message)
    return form.valid().get("as_of") or datetime.date.today()


def matrix(request):
    form = AsOfForm(request.GET)
    day = as_of_day(request, form)
    return render(request, "meetings/agreement_matrix.html", {
        "day": day, "as_of": form.valid().get("as_of"), "statuses": [s for s in Status if s != Status.UNKNOWN],
        "list_form": form,  # a matrix on a past day is a page of its own (its canonical address)
        # Thousands of cells take more than half a second to build and render, and change
        # only with the data: the template keeps the table under the data stamp, and builds
        # it (from the rows kept per partner) only when it has none for this day and language.
        "matrix": SimpleLazyObject(lambda: agreements_matrix(day)),
        "data_stamp": SimpleLazyObject(lambda: token(*AGREEMENT_TABLE_READS)),
    })


def agreements_matrix(day):
    """{"columns": [(kind, label)], "rows": [(partner, [cell])]}: each partner's agreements
    of each kind that had begun by ``day``, with their status then; a cell is its HTML ("" for
    none), each partner's cells kept until its agreements change."""
    partners = list(Country.objects.exclude(code=JAPAN).filter(
        pk__in=Agreement.parties.through.objects.values("country_id")).only(
        "code", "name_ja", "name_en", "reading", "region"))
    language = get_language()
    rows = renewed_each(
        [(f"agreements-matrix:{day.isoformat()}:{language}:{partner.pk}", token(*STATUS_READS, partner_pk=partner.pk))
         for partner in partners],
        lambda missing, stale: dict(zip(missing, drawn_cells(day, [partners[i] for i in missing],
                                                             [stale.get(i, {}) for i in missing]))))
    drawn = [{kind: html for kind, (_digest, html) in row.items()} for row in rows]
    kinds = {kind for cells in drawn for kind in cells}
    columns = [(kind, label) for kind, label in Agreement.Kind.choices if kind in kinds]
    shown = sorted(((partner, cells) for partner, cells in zip(partners, drawn) if cells),
                   key=lambda row: (Region.values.index(row[0].region), name_sort_key(row[0])))
    return {"columns": columns, "rows": [(partner, [cells.get(kind, "") for kind, _ in columns])
                                         for partner, cells in shown]}


def drawn_cells(day, partners, before):
    """[{kind: (digest, the cell's HTML)}] of each of ``partners``: its agreements of each kind
    that had begun by ``day``, with their status then; ``before`` is each partner's row as it
    was last drawn ({} for none), whose cells are kept where they show the same."""
    # Only the columns a cell shows: at thousands of agreements, building the objects is the
    # cost. Their partners and milestones are read in a query each and handed to each
    # agreement, rather than by prefetch_related(), which makes a manager and a queryset for
    # every agreement: 790 → 252 ms for 5,000 agreements (bench/NOTES.md, "The agreements
    # matrix built again").
    links = Agreement.parties.through.objects.filter(country__in=partners)
    parties = defaultdict(list)
    for agreement_id, country_id in links.values_list("agreement_id", "country_id"):
        parties[agreement_id].append(country_id)
    events = defaultdict(list)
    for event in AgreementEvent.objects.filter(agreement__in=links.values("agreement_id")).only(
            "agreement", "kind", "date_lower"):
        events[event.agreement_id].append(event)
    agreements = Agreement.objects.filter(pk__in=links.values("agreement_id")).select_related("source").only(
        "key", "short_name", "title_ja", "title_en", "kind", "stated_status", "source__date",
    ).order_by("short_name", "title_en")
    cells = defaultdict(lambda: defaultdict(list))
    for agreement in agreements:
        status = agreement.status_on(day, events[agreement.pk])
        if status == Status.UNKNOWN:
            continue  # nothing had happened to it yet on that day
        for country_id in parties[agreement.pk]:
            cells[country_id][agreement.kind].append((agreement, status))
    return cells_by_what_they_show(partners, cells, before)


def cells_by_what_they_show(partners, cells, before):
    """[{kind: (digest, HTML)}] of each of ``partners``, from ``cells`` {partner pk: {kind:
    [(agreement, status)]}}: each cell under a digest of what it shows, and drawn only when
    its partner's row ``before`` holds no cell of that digest. An edit to one of a partner's 600
    agreements draws again the one cell that shows it, not the partner's other cells: the
    matrix after an edit to one of the busiest partner's agreements, 167 → 54 ms on SQLite, 180
    → 92 on PostgreSQL (bench/NOTES.md, "A cell kept under what it shows"). A cell's digest
    does not change with the templates: the cache's keys do, with every deployment
    (defrel.deployed)."""
    digests = [{kind: shows(cell) for kind, cell in cells[partner.pk].items()} for partner in partners]
    html = [{digest: cell_html for digest, cell_html in row.values()} for row in before]
    missing = [(i, digest, cells[partners[i].pk][kind]) for i, row in enumerate(digests)
               for kind, digest in row.items() if digest not in html[i]]
    for (i, digest, _cell), drawn in zip(missing, drawn_html([cell for _i, _digest, cell in missing])):
        html[i][digest] = drawn
    return [{kind: (digest, html[i][digest]) for kind, digest in row.items()}
            for i, row in enumerate(digests)]


def shows(cell):
    """A digest of what ``cell`` [(agreement, status)] shows in the active language (what
    record_links.matrix_items and badge read: keep them in step)."""
    return hashlib.blake2b(repr([
        (agreement.key, agreement.short_name, agreement.title, status.value,
         agreement.source.date if status in STATED_BY.values() and agreement.source else None)
        for agreement, status in cell]).encode(), digest_size=16).hexdigest()


def drawn_html(cells):
    """The HTML of each of ``cells``."""
    # One context for every cell, so that the templates a cell includes are looked up once
    # rather than once a cell: the table afresh took 1,056 ms with render_to_string() for each
    # cell, 685 ms so (bench/NOTES.md).
    template, context = Engine.get_default().get_template("meetings/includes/_matrix_cell.html"), Context()
    drawn = []
    for cell in cells:
        with context.push(cell=cell):
            drawn.append(template.render(context))
    return drawn
