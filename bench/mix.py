"""What the load test's readers ask, by kind and weight: one home for locust's readers
(bench/locustfile.py) and for the same mix replayed in one process (bench/replay.py).

``info`` is what bench/loadtest.py's setup found (keys, codes, names, URLs with KEY, CODE and
SLUG in place of a record's key)."""
from urllib.parse import urlencode


def year(rng):
    return rng.choice([rng.randint(1990, 2025), rng.randint(2015, 2025)])


def filtered_list(rng, info):
    code = rng.choice(info["country_codes"])
    query = rng.choice([
        {"country": code, "year": year(rng)}, {"country": code},
        {"level": rng.choice(info["levels"]), "year": year(rng)},
        {"kind": rng.choice(info["kinds"]), "format": rng.choice(info["formats"])},
        {"year": year(rng), "sort": "date"},
    ])
    return info["urls"]["meeting_list"] + "?" + urlencode(query)


def search(rng, info):
    query = rng.choice([
        {"q": rng.choice(info["country_names"])}, {"q": rng.choice(info["official_names"])},
        {"q": rng.choice(["maritime", "2+2", "防衛", "Summit", "cyber"]), "year": year(rng)},
    ])
    return info["urls"]["meeting_list"] + "?" + urlencode(query)


def country(rng, info):
    return (info["urls"]["country"].replace("CODE", rng.choice(info["country_codes"]))
            + rng.choice(["", f"?year={year(rng)}", f"?year={year(rng)}", "?kind=milestone"]))


def timeline(rng, info):
    code = rng.choice(info["country_codes"])
    return info["urls"]["timeline"] + rng.choice(
        ["", f"?year={year(rng)}", f"?country={code}", f"?country={code}&year={year(rng)}",
         f"?official={rng.choice(info['official_slugs'])}"])


def filtered_export(rng, info):
    u, code = info["urls"], rng.choice(info["country_codes"])
    return rng.choice([
        u["meeting_export"] + "?" + urlencode({"country": code, "year": year(rng)}),
        u["meeting_export"] + "?" + urlencode({"level": rng.choice(info["levels"]), "year": year(rng)}),
        u["agreement_export"] + "?" + urlencode({"party": code}),
    ])


# (weight, kind, path(rng, info)): the kind names locust's rows and the app servers' log lines.
READS = [
    (14, "list", lambda rng, info: info["urls"]["meeting_list"]
     + rng.choice(["", f"?page={rng.randint(2, 200)}"])),
    (16, "list, filtered", filtered_list),
    (7, "list, search", search),
    (14, "meeting detail", lambda rng, info: info["urls"]["meeting"].replace("KEY", rng.choice(info["meeting_keys"]))),
    (7, "country detail", country),
    (8, "official detail", lambda rng, info: info["urls"]["official"].replace(
        "SLUG", rng.choice(info["official_slugs"]))),
    (7, "agreement detail", lambda rng, info: info["urls"]["agreement"].replace(
        "KEY", rng.choice(info["agreement_keys"]))),
    (8, "timeline", timeline),
    (3, "matrix", lambda rng, info: info["urls"]["matrix"] + rng.choice(["", f"?as_of={year(rng)}-06-30"])),
    (8, "export, filtered", filtered_export),
]
ENGLISH = 0.15  # of the readers' requests, on the English site


def read(rng, info):
    """(kind, path) of a reader's next request, the kinds drawn by their weights."""
    weight, kind, path = rng.choices(READS, weights=[weight for weight, _kind, _path in READS])[0]
    path = path(rng, info)
    return kind, "/en" + path if rng.random() < ENGLISH else path
