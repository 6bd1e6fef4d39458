"""Partners, their offices, officials and their careers (tenures one after another)."""
import bisect
import datetime
import heapq

from partners.models import Country, Official, Position, Region, Tenure

from .progress import Progress
from .tables import (CAREER_MOVES, CAREER_SHARE, ENDINGS, FIRST_YEAR, JAPAN_OFFICES, LAST_YEAR,
                     ORGANISATION_OFFICES, PARTNER_OFFICES, PREFIX, SYLLABLES, SYNTH_NOTE, cumulative, day_text)


class People:
    """The part of the builder that makes partners, offices and officials."""

    def random_name(self, used):
        while True:
            parts = self.rng.sample(SYLLABLES, self.rng.randint(1, 2)) + [self.rng.choice(ENDINGS)]
            en = "".join(p[0] for p in parts).capitalize()
            if en not in used:
                used.add(en)
                return en, "".join(p[1] for p in parts)

    def random_day(self, weights_by_year):
        year = self.rng.choices(self.years, cum_weights=weights_by_year)[0]
        return datetime.date(year, 1, 1) + datetime.timedelta(days=self.rng.randrange(365))

    # --- partners, offices, officials and tenures -------------------------------------------

    def make_countries(self, n):
        used = set()
        japan, _created = Country.objects.get_or_create(code="JP", defaults={
            "name_ja": "日本", "name_en": "Japan", "short_ja": "日", "region": Region.NORTHEAST_ASIA,
            "significance_en": SYNTH_NOTE,
        })
        regions = [r for r in Region.values if r not in {Region.ORGANISATION}]
        countries = []
        for i in range(n):
            organisation = i % 10 == 9
            en, ja = self.random_name(used)
            countries.append(Country(
                code=f"SO{i:03d}" if organisation else f"S{i:03d}",
                kind=Country.Kind.ORGANISATION if organisation else Country.Kind.STATE,
                name_ja=ja + ("機構" if organisation else ""),
                name_en=en + (" Organisation" if organisation else ""),
                short_ja=ja[0], region=Region.ORGANISATION if organisation else self.rng.choice(regions),
                relationship_ja=self.rng.choice(["", "", "戦略的パートナー", "特別な戦略的パートナー"]),
                significance_en=SYNTH_NOTE,
            ))
        self.japan = japan
        self.partners = self.bulk(Country, countries)
        # A few partners meet Japan far more often than the rest (as the curated data does).
        self.partner_weights = list(cumulative(1 / (rank + 1) ** 0.8 for rank in range(n)))
        self.say(f"synth: {n} partners and Japan")

    def make_offices(self, n_officials):
        """Japan's and the partners' offices, the officials who held them and their tenures."""
        positions = self.make_positions()
        n_officials = max(n_officials, 2 * len(positions))
        # A share of the terms go to officials of the same country whose last office ended
        # not long before (a vice-minister becomes minister, a chief of army chief of
        # defence): as many more terms as there are such moves, so that about n_officials
        # people hold them, a third of them two offices or more.
        moves = int(n_officials * CAREER_MOVES)
        n_terms = n_officials + moves
        # Terms follow each other without a gap, from before the first year to an open end,
        # their mean length chosen so that the offices need about n_terms terms.
        first = datetime.date(FIRST_YEAR - 2, 1, 1).toordinal()
        last = datetime.date(LAST_YEAR, 12, 31).toordinal()
        # (the first term starts up to one mean length early: half a term more per office)
        mean = (last - first) * len(positions) / max(n_terms - len(positions) / 2, len(positions))
        terms = self.make_terms(positions, first, last, mean)
        holder_of = self.assign_careers(terms, moves, mean)
        n_people = max(holder_of) + 1
        self.say(f"synth: {len(positions):,} offices, {n_people:,} officials, {len(terms):,} tenures")
        progress = Progress(self.out, "officials", n_people + len(terms))
        officials = self.make_officials(terms, holder_of, n_people, progress)
        self.make_tenures(terms, holder_of, officials, first, progress)
        progress.close()
        self.n_officials = len(officials)
        # Offices by country and level, for picking who takes part in a meeting.
        self.offices = {}
        for position in positions:
            self.offices.setdefault(position.country_id, {}).setdefault(position.level, []).append(position.pk)

    def make_positions(self):
        """Japan's offices and each partner's (an organisation's own set), saved."""
        positions = []
        for suffix, ja, en, level in JAPAN_OFFICES:
            positions.append(Position(key=f"{PREFIX}jp-{suffix}", country=self.japan,
                                      title_ja=ja, title_en=en, level=level))
        for country in self.partners:
            offices = ORGANISATION_OFFICES if country.kind == Country.Kind.ORGANISATION else PARTNER_OFFICES
            for suffix, ja, en, level in offices:
                positions.append(Position(
                    key=f"{PREFIX}{country.code.lower()}-{suffix}", country=country,
                    title_ja=f"{country.short_ja}{ja}", title_en=f"{en} of {country.name_en}", level=level,
                ))
        return self.bulk(Position, positions)

    def make_terms(self, positions, first, last, mean):
        """Each office's terms one after another, from up to ``mean`` days before ``first`` to an
        open end after ``last``, as (position, start ordinal, end ordinal or None), by start."""
        terms = []  # (position, start ordinal or None, end ordinal or None)
        for position in positions:
            start = first - self.rng.randrange(int(mean))
            while True:
                end = start + int(mean * self.rng.uniform(0.3, 1.7))
                if end >= last:
                    terms.append((position, start, None))
                    break
                terms.append((position, start, end))
                start = end + 1
        terms.sort(key=lambda term: (term[1], term[0].pk))
        return terms

    def make_officials(self, terms, holder_of, n_people, progress):
        """The people holding the terms, saved, each of the country of their first office."""
        officials = []
        country_of = {}
        for term, person in zip(terms, holder_of):
            country_of.setdefault(person, term[0].country)
        for i in range(n_people):
            family, family_ja = self.random_name(set())
            given = "".join(p[0] for p in self.rng.sample(SYLLABLES, 2)).capitalize()
            officials.append(Official(slug=f"{PREFIX}{family.lower()}-{given.lower()}-{i}", name_ja=family_ja,
                                      name_en=f"{given} {family}", country=country_of[i]))
        return self.bulk(Official, officials, progress)

    def make_tenures(self, terms, holder_of, officials, first, progress):
        """The terms saved as tenures (a fifth of the ended ones begun before ``first`` with no
        known start), and each office's holders and each official's career kept for the records
        made later."""
        tenures, self.holders, self.careers = [], {}, {}
        for (position, start, end), person in zip(terms, holder_of):
            official = officials[person]
            unknown_start = start < first and end is not None and self.rng.random() < 0.2
            lower = None if unknown_start else datetime.date.fromordinal(start)
            upper = None if end is None else datetime.date.fromordinal(end)
            text = f"{day_text(lower) if lower else ''}/{day_text(upper) if upper else '..'}"
            tenures.append(Tenure(official=official, position=position, date=text,
                                  date_lower=lower, date_upper=upper))
            self.careers.setdefault(official.pk, []).append((start, position))
            starts, holders = self.holders.setdefault(position.pk, ([], []))
            starts.append(start)
            holders.append(official)
        self.bulk(Tenure, tenures, progress)

    def assign_careers(self, terms, moves, mean):
        """For each term (sorted by start), the number of the person holding it: up to
        ``moves`` times, someone of the same country whose last term ended within two mean
        terms before it starts and who holds nothing then; otherwise someone new."""
        holder_of, free, people = [], {}, 0  # free: country pk → [(end, person)]
        ending = []  # heap of (end, person, country pk) of the terms being held
        for position, start, end in terms:
            while ending and ending[0][0] < start:
                ended, person, country = heapq.heappop(ending)
                free.setdefault(country, []).append((ended, person))
            pool = [(ended, person) for ended, person in free.get(position.country_id, [])
                    if start - ended <= 2 * mean]
            free[position.country_id] = pool
            if moves and pool and self.rng.random() < CAREER_SHARE:
                ended, person = pool.pop(self.rng.randrange(len(pool)))
                moves -= 1
            else:
                person, people = people, people + 1
            holder_of.append(person)
            if end is not None:
                heapq.heappush(ending, (end, person, position.country_id))
        return holder_of

    def holder(self, position_pk, day):
        starts, holders = self.holders[position_pk]
        return holders[max(bisect.bisect_right(starts, day.toordinal()) - 1, 0)]

    # --- exercises --------------------------------------------------------------------------