"""Bar charts drawn on the server: rows of an aggregate query become the geometry of
inline SVG rectangles, so a chart needs no script and no style attribute (CSP-safe)."""
from dataclasses import dataclass

from defrel.models import listed


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    value: int
    x: str  # percentages of the bar's width, as SVG attribute text
    width: str


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    segments: list

    @property
    def breakdown(self):
        return listed(f"{s.label} {s.value}" for s in self.segments)


@dataclass(frozen=True)
class Chart:
    bars: list
    series: list  # [(key, label)] in legend order
    maximum: int


def stacked_by_year(rows, series):
    """``rows`` are ``{"year", "series", "n"}`` from one aggregate query; ``series`` the
    ``(key, label)`` pairs to stack, in order. Every year between the first and the last
    gets a bar, so an empty year shows as empty rather than disappearing."""
    counts = {}
    for row in rows:
        if row["year"] is not None and row["n"]:
            counts.setdefault(row["year"], {})[row["series"]] = row["n"]
    if not counts:
        return Chart([], [], 0)
    present = {key for per_year in counts.values() for key in per_year}
    series = [(key, str(label)) for key, label in series if key in present]
    totals = {year: sum(per_year.values()) for year, per_year in counts.items()}
    maximum = max(totals.values())
    bars = []
    for year in range(max(counts), min(counts) - 1, -1):  # newest first, like the timelines
        per_year, x, segments = counts.get(year, {}), 0.0, []
        for key, label in series:
            value = per_year.get(key, 0)
            if value:
                width = 100.0 * value / maximum
                segments.append(Segment(key, label, value, f"{x:.3f}", f"{width:.3f}"))
                x += width
        bars.append(Bar(str(year), totals.get(year, 0), segments))
    return Chart(bars, series, maximum)
