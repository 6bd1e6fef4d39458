"""Page latency: sequential GETs of each page, the revisions measured asked in turn request by
request; the first request of a warm page after an editor saved another partner's meeting, or
an agreement; and the meeting page against Datasette's row page for a spread of meetings."""
import itertools
import re
import statistics
import time
from urllib.parse import urlencode

from client import PASSWORD, USER, Client, save_change_form

DETAIL_SAMPLE = 60  # meetings asked of every server in turn
SEARCHES = 100  # different search terms, for the list searched anew each time
# Pages timed on their first request after an editor's save elsewhere, each EDIT_ROUNDS times:
# the save is of a meeting none of whose partners is the busiest (whose profile is measured).
EDITED_PAGES = ("meeting list", "country profile (busiest)", "agreements matrix")
AFTER_EDIT = ", first request after an edit elsewhere"
# The same after an editor's save of one of the busiest partner's agreements: the matrix draws
# again the rows of that agreement's partners.
AGREEMENT_EDITED_PAGES = ("agreements matrix",)
AFTER_AGREEMENT_EDIT = ", first request after an agreement edit"
EDIT_ROUNDS = 3
EDITS = itertools.count(1)  # the number of an editor's save in the run (mark_edit)


def setup():
    """(Inside Django.) A superuser for the admin, and the URLs and sample records of the
    pages to measure."""
    import django
    import import_export
    from django.db import connection
    from django.urls import reverse
    from django.utils import translation

    from meetings.models import Meeting

    make_superuser()
    translation.activate("ja")
    records = sample_records()
    busiest, level, elsewhere = records["busiest"], records["level"], records["elsewhere"]
    searched = [c["name_en"] for c in busiest[10:10 + SEARCHES]] or [c["name_en"] for c in busiest]
    return {
        "meetings": Meeting.objects.count(),
        "pages": page_urls(records, searched),
        "busiest": busiest[0], "median": records["median"], "searched": searched,
        "meeting_pk": records["latest"]["pk"],
        "detail_sample": [[pk, reverse("meetings:meeting-detail", args=[key])] for pk, key in records["spread"]],
        "export": reverse("meetings:meeting-export"),
        "ndjson": ndjson_url(),
        "export_10k": f"{reverse('meetings:meeting-export')}?level={level['level']}", "rows_10k": level["n"],
        "admin_login": reverse("admin:login"),
        # The meeting an editor saves before each first request after an edit elsewhere.
        "edited": reverse("admin:meetings_meeting_change", args=[elsewhere["pk"]]) if elsewhere else None,
        "edited_agreement": (reverse("admin:meetings_agreement_change", args=[records["agreement"]])
                             if records["agreement"] else None),
        "admin_export": reverse("admin:meetings_meeting_export"),
        "versions": {"Django": django.get_version(), "django-import-export": import_export.__version__,
                     connection.vendor: database_version()},
    }


def make_superuser():
    """(Inside Django.) The admin's superuser, USER with PASSWORD, made or reset."""
    from django.contrib.auth.models import User

    user, _ = User.objects.get_or_create(username=USER)
    user.is_staff = user.is_superuser = True
    user.set_password(PASSWORD)
    user.save()


def sample_records():
    """(Inside Django.) The records the pages are measured on: the partners by their meetings
    (the busiest first) and the median one, the latest meeting and the latest of those the
    busiest partner is not in, all meetings' (pk, key) and DETAIL_SAMPLE of them spread across
    the table, and the level whose count of meetings is nearest a tenth of them."""
    from django.db.models import Count

    from meetings.models import Agreement, Meeting
    from partners.models import Country

    busiest = list(Country.objects.exclude(code="JP").annotate(n=Count("meetings")).order_by("-n", "code")
                   .values("pk", "code", "name_en", "n"))
    median = busiest[len(busiest) // 2]
    latest = Meeting.objects.order_by("-date_lower", "key").values("pk", "key").first()
    elsewhere = (Meeting.objects.exclude(countries=busiest[0]["pk"]).exclude(host_country=busiest[0]["pk"])
                 .order_by("-date_lower", "key").values("pk").first())
    ids = list(Meeting.objects.order_by("pk").values_list("pk", "key"))
    spread = ids[::max(1, len(ids) // DETAIL_SAMPLE)][:DETAIL_SAMPLE]
    levels = Meeting.objects.order_by().values("level").annotate(n=Count("pk"))
    level = min(levels, key=lambda r: abs(r["n"] - len(ids) // 10))
    agreement = Agreement.objects.filter(parties=busiest[0]["pk"]).order_by("-pk").values_list("pk", flat=True).first()
    return {"busiest": busiest, "median": median, "latest": latest, "elsewhere": elsewhere,
            "agreement": agreement, "ids": ids, "spread": spread, "level": level}


def database_version():
    """(Inside Django.) The version of the database server (or of SQLite's library)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        return cursor.fetchone()[0]


def page_urls(records, searched):
    """(Inside Django.) The pages timed request by request, by name (a list of URLs for a page
    asked at a different URL each time)."""
    from django.urls import reverse

    busiest, ids = records["busiest"], records["ids"]
    list_url = reverse("meetings:meeting-list")
    return {
        "meeting list": list_url,
        "meeting list, deep page": f"{list_url}?page={min(1000, max(1, len(ids) // 100))}",
        "meeting list, country and year": f"{list_url}?country={busiest[0]['code']}&year=2024",
        "meeting list, search": f"{list_url}?{urlencode({'q': busiest[min(9, len(busiest) - 1)]['name_en']})}",
        # what readers do: a different search each time, which nothing has counted yet
        "meeting list, a new search each time": [f"{list_url}?{urlencode({'q': q})}" for q in searched],
        "meeting detail": reverse("meetings:meeting-detail", args=[records["latest"]["key"]]),
        "country profile (busiest)": reverse("partners:country-detail", args=[busiest[0]["code"]]),
        "country profile (median)": reverse("partners:country-detail", args=[records["median"]["code"]]),
        "agreements matrix": reverse("meetings:agreement-matrix"),
        "timeline, one year": f"{reverse('meetings:timeline')}?year=2024",
        "admin meetings changelist": reverse("admin:meetings_meeting_changelist"),
        **engagement_pages(),
        **api_pages(busiest[0]["code"]),
    }


def ndjson_url():
    """(Inside Django.) The whole meetings table as NDJSON; None in a revision without it."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("meetings:table-ndjson", args=["meetings"])
    except NoReverseMatch:
        return None


def engagement_pages():
    """(Inside Django.) The engagements list, the list of the busiest partner's in 2024 and the
    latest engagement's page, on a revision that has them (a baseline may not)."""
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from partners.models import Country

    try:
        from meetings.models import Engagement

        list_url = reverse("meetings:engagement-list")
    except (ImportError, NoReverseMatch):
        return {}
    latest = Engagement.objects.exclude(date="").order_by("-date_lower", "key").values("key").first()
    busiest = (Country.objects.annotate(n=Count("engagements")).order_by("-n", "code")
               .values("code").first())
    if latest is None or busiest is None:
        return {}
    return {
        "engagement list": list_url,
        "engagement list, country and year": f"{list_url}?country={busiest['code']}&year=2024",
        "engagement detail": reverse("meetings:engagement-detail", args=[latest["key"]]),
    }


def api_pages(code):
    """(Inside Django.) The JSON twins of the meeting list and of its busiest partner's meetings in
    2024 (facets and count included), on a revision that has the API (a baseline may not)."""
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("api:meeting-list")
    except NoReverseMatch:
        return {}
    return {"meeting list, JSON": url, "meeting list, country and year, JSON": f"{url}?country={code}&year=2024"}


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Target:
    """One page of one server being measured: its client, its path (or paths: each GET then
    asks for the next, warm-ups included, so nothing is asked twice) and what to do when the
    server gives no answer in time."""

    def __init__(self, client, path, on_timeout=None):
        self.client, self.path, self.on_timeout = client, path, on_timeout
        self.paths = itertools.cycle(path) if isinstance(path, list) else itertools.repeat(path)
        self.times, self.result, self.cold, self.size = [], None, None, 0

    def get(self):
        """Milliseconds of one GET, or None (and self.result says why) when it failed."""
        t0 = time.perf_counter()
        try:
            status, body = self.client.get(next(self.paths))
        except TimeoutError:
            if self.on_timeout:
                self.on_timeout()  # the worker is still rendering it: replace the worker
            self.result = {"error": f"no answer in {self.client.timeout:.0f} s", "path": self.path}
            return None
        if status != 200:
            self.result = {"error": f"HTTP {status}", "path": self.path}
            return None
        self.size = len(body)
        return (time.perf_counter() - t0) * 1000

    def warm_up(self, count, cap):
        """Up to ``count`` GETs before timing (one for a page slower than a third of the cap);
        a page slower than the whole cap has its first answer as its only sample."""
        for _ in range(count):
            first = self.get()
            if first is None:
                return
            self.cold = first if self.cold is None else self.cold  # nothing cached yet for this page
            if first > cap * 1000:
                self.result = {"p50": first, "p95": first, "n": 1, "bytes": self.size, "path": self.path,
                               "first": self.cold}
                return
            if first > cap * 1000 / 3:
                return

    def figures(self):
        return self.result or {"p50": statistics.median(self.times), "p95": percentile(self.times, 0.95),
                               "n": len(self.times), "bytes": self.size, "path": self.path, "first": self.cold}


def in_turn(targets, *, requests, cap, warmup=2):
    """p50/p95 in ms of ``requests`` sequential GETs of each target (name → Target), the targets
    asked one request each in turn (the order rotating), so that all see the same moments of a
    shared machine; fewer requests when ``cap`` seconds a target run out, but at least 3."""
    for target in targets.values():
        target.warm_up(warmup, cap)
    live = [name for name, target in targets.items() if target.result is None]
    started, turn = time.monotonic(), 0
    while live:
        counts = [len(targets[name].times) for name in live]
        if min(counts) >= requests or (time.monotonic() - started >= cap * len(live) and min(counts) >= 3):
            break
        for name in live[turn % len(live):] + live[:turn % len(live)]:
            ms = targets[name].get()
            if ms is not None:
                targets[name].times.append(ms)
        live = [name for name in live if targets[name].result is None]
        turn += 1
    return {name: target.figures() for name, target in targets.items()}


def measure_pages(runs, args, say):
    """Every page's latency on every revision: ``runs`` maps a revision's name to (its server,
    its setup info). The revisions are asked request by request in turn. A page that gives no
    answer within --page-timeout is recorded as such and its worker replaced (gunicorn's master
    starts a new one), so that one unbounded page cannot take the benchmark's whole time.
    Returns {name: {page: figures}} and each revision's logged-in client."""
    readers, clients = {}, {}
    for name, (server, info) in runs.items():
        readers[name], clients[name] = Client(server.port), Client(server.port)  # a reader has no session
        clients[name].login_django_admin(info["admin_login"])
        readers[name].timeout = clients[name].timeout = args.page_timeout
    results = {name: {} for name in runs}
    pages = list(dict.fromkeys(page for _server, info in runs.values() for page in info["pages"]
                               if not getattr(args, "pages", None) or args.pages in page))
    for page in pages:
        targets = {}
        for name, (server, info) in runs.items():
            path = info["pages"].get(page)
            if path is None:  # a page this revision does not have (a baseline from before it)
                results[name][page] = {"error": "not on this revision"}
                continue
            first = path[0] if isinstance(path, list) else path
            who = clients[name] if first.startswith(info["admin_login"].rsplit("login/", 1)[0]) else readers[name]
            targets[name] = Target(who, path, server.replace_worker)
        say(f"  {page}: {first}" + (f" and {len(path) - 1} more" if isinstance(path, list) else ""))
        for name, figures in in_turn(targets, requests=args.requests, cap=args.cap).items():
            results[name][page] = figures
    # The meeting's English summary, which no edited page shows; the agreement's Japanese title,
    # which the (Japanese) matrix shows: its cell is drawn again.
    for pages, suffix, edited, form_id, field in (
            (EDITED_PAGES, AFTER_EDIT, "edited", "meeting_form", "summary_en"),
            (AGREEMENT_EDITED_PAGES, AFTER_AGREEMENT_EDIT, "edited_agreement", "agreement_form", "title_ja")):
        for page in [p for p in pages if not getattr(args, "pages", None) or args.pages in p + suffix]:
            say(f"  {page}{suffix}")
            for name, figures in after_edits(runs, page, readers, clients, edited, form_id, field).items():
                results[name][page + suffix] = figures
    for client in clients.values():
        client.timeout = 1200  # exports take as long as they take
    return results, clients


def after_edits(runs, page, readers, editors, edited="edited", form_id="meeting_form", field="summary_en"):
    """{revision: figures} of ``page``'s first request after an editor saved the change form
    ``info[edited]`` in the admin (a meeting of another partner, or an agreement) with a new
    mark on its ``field`` (mark_edit): a real committed write that renews what an editor's save
    renews; the page asked twice before each save, so that all it caches is warm. EDIT_ROUNDS
    saves, the revisions in turn: p50 is the median, p95 the slowest."""
    times = {name: [] for name in runs}
    errors = {}
    for turn in range(EDIT_ROUNDS):
        names = list(runs)[turn % len(runs):] + list(runs)[:turn % len(runs)]
        for name in names:
            server, info = runs[name]
            path = info["pages"].get(page)
            if name in errors or not path or not info.get(edited):
                errors.setdefault(name, {"error": "not on this revision"})
                continue
            reader = Target(readers[name], path)
            if reader.get() is None or reader.get() is None:
                errors[name] = reader.result
                continue
            status, _body = save_change_form(editors[name], info[edited], form_id, mark_edit(field))
            if status != 302:
                errors[name] = {"error": f"the editor's save answered HTTP {status}", "path": info[edited]}
                continue
            ms = reader.get()
            if ms is None:
                errors[name] = reader.result
                continue
            times[name].append(ms)
    return {name: errors.get(name) or {"p50": statistics.median(t), "p95": max(t), "n": len(t),
                                       "path": runs[name][1]["pages"][page], "first": None, "times": t}
            for name, t in times.items()}


def mark_edit(field):
    """An editor's change to a form's fields [(name, value)]: a mark " (edited N)" put on
    ``field`` in place of the last one, N new at each save, so that no save brings back a value
    the page has drawn before (a page that keeps what it drew under what it shows would find
    it kept)."""
    def changed(value):
        return re.sub(r" \(edited \d+\)$", "", value) + f" (edited {next(EDITS)})"

    return lambda fields: [(name, changed(value) if name == field else value) for name, value in fields]


def head_to_head(askers, sample_size):
    """The same meetings' pages asked of every server, a different meeting each time, the
    servers asked in turn (the order rotating), so that none gains from a page it has just
    rendered nor from a quieter moment of the machine. ``askers``: name → function(i) that
    GETs the i-th meeting of the sample and returns its status."""
    names = list(askers)
    for i in range(min(2, sample_size)):  # warm-up: templates, connections, page caches
        for name in names:
            askers[name](i)
    times = {name: [] for name in names}
    for i in range(sample_size):
        for name in names[i % len(names):] + names[:i % len(names)]:
            t0 = time.perf_counter()
            status = askers[name](i)
            times[name].append((time.perf_counter() - t0) * 1000)
            if status != 200:
                return {"error": f"{name}: HTTP {status}"}
    return {name: {"p50": statistics.median(t), "p95": percentile(t, 0.95), "n": len(t)}
            for name, t in times.items()}
