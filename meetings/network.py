"""Who met whom: Japan's principals and their counterparts, of a partner or of one official,
from one query of the pairs' rows and one for their names, laid out for an SVG drawn on the
server (two columns, Japan on the left, a line for each pair as thick as their meetings are
many; no script, no style attribute)."""
from dataclasses import dataclass, field

from django.db.models import F

from defrel.models import listed
from meetings.facets import localised_row
from meetings.models import Meeting, Participation
from partners.models import Official

JAPAN = "JP"
DRAWN = 12  # people drawn on each side: beyond that the names no longer fit a phone's width
LISTED = 60  # pairs in the table beside the drawing, the ones who met most
LEVELS = list(Meeting.Level.values)  # most senior first

# The drawing's geometry, in the SVG's own units (it scales to the page's width).
WIDTH, ROW, TOP = 560, 28, 40  # TOP: below the columns' headings
LEFT_X, RIGHT_X = 200, 290  # the two columns' dots; names stand outside them
GAP = 10  # between a dot and its name


@dataclass
class Person:
    slug: str
    name: str
    country: str  # the country's code: the counterparts of an official may be of several
    total: int = 0  # their encounters with the other column: each meeting once
    y: int = 0


@dataclass
class Pair:
    ours: Person
    theirs: Person
    levels: dict = field(default_factory=dict)  # level -> meetings
    stroke: str = "1.5"  # the line's width, by the pair's meetings against the most any pair had

    @property
    def total(self):
        return sum(self.levels.values())

    @property
    def level(self):
        """The most senior level at which they met: the line's colour."""
        return min(self.levels, key=LEVELS.index)

    @property
    def breakdown(self):
        labels = dict(Meeting.Level.choices)
        return listed(f"{labels[level]} {self.levels[level]}" for level in sorted(self.levels, key=LEVELS.index))


@dataclass
class Network:
    pairs: list  # every pair, most meetings first
    ours: list  # the people drawn, most meetings first
    theirs: list
    ours_total: int  # people on each side, drawn or not
    theirs_total: int
    height: int = 0
    width: int = WIDTH
    left_x: int = LEFT_X
    right_x: int = RIGHT_X

    @property
    def drawn_pairs(self):
        drawn = {id(p) for p in self.ours + self.theirs}
        return [p for p in self.pairs if id(p.ours) in drawn and id(p.theirs) in drawn]

    @property
    def listed(self):
        return self.pairs[:LISTED]

    @property
    def unlisted(self):
        return max(len(self.pairs) - LISTED, 0)

    @property
    def ours_left_out(self):
        return self.ours_total - len(self.ours)

    @property
    def theirs_left_out(self):
        return self.theirs_total - len(self.theirs)

    @property
    def several_countries(self):
        """Whether the counterparts are of more than one partner (then each says which)."""
        return len({p.theirs.country for p in self.pairs}) > 1

    @property
    def ours_text_x(self):
        return self.left_x - GAP

    @property
    def theirs_text_x(self):
        return self.right_x + GAP

    @property
    def levels(self):
        """[(level, label)] of the lines drawn, for the legend."""
        present = {p.level for p in self.drawn_pairs}
        return [(key, label) for key, label in Meeting.Level.choices if key in present]


def who_met_whom(*, country=None, official=None):
    """The Network of a partner ``country`` (its principals and Japan's who met them) or of
    an ``official`` (Japan's or a partner's), counted in encounters (Meeting.count) per level."""
    principals = Participation.objects.filter(role=Participation.Role.PRINCIPAL)
    # One row per partner principal and principal of any country at the same meeting, grouped
    # by their ids; Japan's are kept afterwards. With "of Japan" in the query, PostgreSQL starts
    # from Japan's principals, who are at nearly every meeting, whatever the partner: 0.5 s for
    # any partner's network at 100,000 meetings, 12–120 ms this way (bench/NOTES.md, "Who met
    # whom on PostgreSQL"). The other principal's conditions are in one filter(): one join.
    other = {"meeting__participations__role": Participation.Role.PRINCIPAL}
    if official is not None and official.country.code == JAPAN:
        other["meeting__participations__official"] = official
    theirs = principals.exclude(official__country__code=JAPAN).filter(**other)
    if country is not None:
        theirs = theirs.filter(official__country=country)
    elif official is not None and official.country.code != JAPAN:
        theirs = theirs.filter(official=official)
    # The pairs' rows, each meeting's, not their sums: a person's encounters count each meeting
    # once (Yoshida's meeting with Campbell and Johnston together is one of his, and one of
    # each pair's), which the pairs' sums cannot tell. The query takes the sums' time (95 ms
    # for a busy partner at 100,000 meetings on PostgreSQL), the busiest partner's network
    # about a third more in all; a query of each side's own took 0.5–0.9 s (bench/NOTES.md).
    rows = [row for row in theirs.order_by().values_list(
        "meeting", "meeting__count", "meeting__level", "official", "meeting__participations__official",
        "meeting__participations__official__country__code",
    ) if row[5] == JAPAN]
    pairs, met = {}, {}  # (level, their, our) -> encounters; (side, person) -> {meeting: count}
    for meeting, count, level, their, our, _country in rows:
        pairs[level, their, our] = pairs.get((level, their, our), 0) + count
        met.setdefault(("their", their), {})[meeting] = count
        met.setdefault(("our", our), {})[meeting] = count
    people = {person["pk"]: person for person in Official.objects.filter(
        pk__in={pk for _side, pk in met}).values("pk", "slug", "name_ja", "name_en", country_code=F("country__code"))}
    totals = {(side, people[pk]["slug"]): sum(meetings.values()) for (side, pk), meetings in met.items()}
    return laid_out([{"meeting__level": level, "n": n, **named("their", people[their]), **named("our", people[our])}
                     for (level, their, our), n in pairs.items()], totals)


def named(side, person):
    """A person's slug, names and country as laid_out() reads them, under ``side``_."""
    return {f"{side}_slug": person["slug"], f"{side}_name_ja": person["name_ja"],
            f"{side}_name_en": person["name_en"], f"{side}_country": person["country_code"]}


def laid_out(rows, totals):
    """The Network of the pairs' ``rows``; ``totals``: {(side, slug): encounters}."""
    people, pairs = {}, {}

    def person(side, row):
        slug = row[f"{side}_slug"]
        key = (side, slug)
        if key not in people:
            people[key] = Person(slug, localised_row(row, f"{side}_"), row[f"{side}_country"], totals[key])
        return people[key]

    for row in rows:
        ours, theirs = person("our", row), person("their", row)
        pair = pairs.setdefault((ours.slug, theirs.slug), Pair(ours, theirs))
        pair.levels[row["meeting__level"]] = pair.levels.get(row["meeting__level"], 0) + row["n"]
    by_most = lambda p: (-p.total, p.name, p.slug)  # noqa: E731
    ranked = sorted(pairs.values(), key=lambda p: (-p.total, p.ours.name, p.theirs.name))
    ours = sorted((p for (side, _), p in people.items() if side == "our"), key=by_most)
    theirs = sorted((p for (side, _), p in people.items() if side == "their"), key=by_most)
    network = Network(ranked, ours[:DRAWN], theirs[:DRAWN], len(ours), len(theirs))
    for column in (network.ours, network.theirs):
        # Each column centred on the drawing's height.
        offset = (max(len(network.ours), len(network.theirs)) - len(column)) * ROW // 2
        for i, p in enumerate(column):
            p.y = TOP + offset + i * ROW
    network.height = TOP + max(len(network.ours), len(network.theirs), 1) * ROW
    heaviest = max((p.total for p in ranked), default=1)
    for pair in ranked:
        pair.stroke = f"{1.5 + 6.5 * pair.total / heaviest:.1f}"
    return network

