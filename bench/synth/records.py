"""Exercises, meetings with partners and participants, agreements with their lifecycles."""
import bisect
import datetime

from meetings.models import Agreement, AgreementEvent, Exercise, Meeting, Occasion, Participation

# Each synthetic participant is named in its meeting's excerpt, as an editor's form requires
# of every participant (revisions before Participation.known_from have no such field).
NAMED = {"known_from": "excerpt"} if hasattr(Participation, "KnownFrom") else {}

from .progress import Progress
from .tables import (AGREEMENT_KINDS, BATCH, FIRST_YEAR, KINDS, LAST_YEAR, LEVELS, PREFIX, SUMMARY_EN,
                     SUMMARY_JA, TITLES, TREATY_KINDS, day_text, last_day)


class Records:
    """The part of the builder that makes exercises, meetings and agreements."""


    def make_exercises(self, n):
        used = set()
        suffixes = [("エッジ", "Edge"), ("シールド", "Shield"), ("ストーム", "Storm"), ("パシフィック", "Pacific")]
        series = [self.random_name(used) + self.rng.choice(suffixes) for _ in range(max(n // 30, 1))]
        exercises, countries = [], []
        for i in range(n):
            en, ja, sja, sen = self.rng.choice(series)
            day = self.random_day(self.year_weights)
            end = day + datetime.timedelta(days=self.rng.randint(3, 20))
            text, lower, upper = f"{day_text(day)}/{day_text(end)}", day, end
            if self.rng.random() < 0.2:
                text, lower, upper = f"{day:%Y-%m}", day.replace(day=1), last_day(day.year, day.month)
            partners = self._partners(self.rng.choices(range(1, 11), weights=[40, 20, 10, 8, 6, 5, 4, 3, 2, 2])[0])
            host = self.rng.choice(partners + [self.japan])
            exercises.append(Exercise(
                key=f"{PREFIX}ex-{i:06d}", name_ja=f"{ja}・{sja}{day:%y}", name_en=f"{en} {sen} {day:%y}",
                series=f"{en} {sen}", edition=f"{day:%y}", date=text, date_lower=lower, date_upper=upper,
                location_ja=host.name_ja, location_en=host.name_en, host_country=host,
                japan_role=self.rng.choices(["participant", "observer", "host"], weights=[80, 10, 10])[0],
                services="|".join(sorted(self.rng.sample(["joint", "gsdf", "msdf", "asdf"], self.rng.randint(1, 2)))),
                summary_ja=f"{ja}・{sja}演習に参加した。", summary_en=f"Took part in exercise {en} {sen}.",
            ))
            countries.append(partners)
        progress = Progress(self.out, "exercises", n)
        through = Exercise.countries.through
        for start in range(0, n, BATCH):
            chunk = self.bulk(Exercise, exercises[start:start + BATCH])
            self.bulk(through, [through(exercise_id=e.pk, country_id=c.pk)
                                for e, cs in zip(chunk, countries[start:start + BATCH]) for c in cs])
            progress.add(len(chunk))
        progress.close()
        self.exercise_pks = [e.pk for e in Exercise.objects.filter(key__startswith=PREFIX).only("pk")]

    def _partners(self, n):
        chosen = {}
        while len(chosen) < min(n, len(self.partners)):
            country = self.rng.choices(self.partners, cum_weights=self.partner_weights)[0]
            chosen[country.pk] = country
        return list(chosen.values())

    # --- meetings ---------------------------------------------------------------------------

    def make_meetings(self, n):
        occasions = []
        used = set()
        for i in range(max(min(n // 4000, 40), 3)):
            en, ja = self.random_name(used)
            occasions.append(Occasion(key=f"{PREFIX}occ-{i:02d}", name_ja=f"{ja}安全保障対話",
                                      name_en=f"{en} Security Dialogue"))
        self.occasions = self.bulk(Occasion, occasions)
        levels = list(LEVELS)
        level_weights = [LEVELS[level][1] for level in levels]
        self.meetings_by_country = {}  # country pk → [(ordinal, meeting pk, date text)]
        progress = Progress(self.out, "meetings", n)
        for start in range(0, n, BATCH):
            rows = [self.meeting(i, self.rng.choices(levels, weights=level_weights)[0])
                    for i in range(start, min(start + BATCH, n))]
            meetings = self.bulk(Meeting, [row[0] for row in rows])
            countries, people, exercises = [], [], []
            for meeting, (_m, partners, participants, exercise_pk) in zip(meetings, rows):
                for country in partners:
                    countries.append(Meeting.countries.through(meeting_id=meeting.pk, country_id=country.pk))
                    self.meetings_by_country.setdefault(country.pk, []).append(
                        (meeting.date_lower.toordinal(), meeting.pk, meeting.date))
                people += [Participation(meeting_id=meeting.pk, official_id=official.pk, role=role, **NAMED)
                           for official, role in participants]
                if exercise_pk:
                    exercises.append(Meeting.exercises.through(meeting_id=meeting.pk, exercise_id=exercise_pk))
            self.bulk(Meeting.countries.through, countries)
            self.bulk(Participation, people)
            self.bulk(Meeting.exercises.through, exercises)
            progress.add(len(meetings))
        progress.close()
        for rows in self.meetings_by_country.values():
            rows.sort()

    def meeting(self, i, level):
        rng = self.rng
        day = self.random_day(self.year_weights)
        kind = {"leaders": "summit", "two_plus_two": "two_plus_two"}.get(level) or rng.choices(
            [k for k, _w in KINDS], weights=[w for _k, w in KINDS])[0]
        many = kind in {"conference", "panel"}
        n_partners = rng.randint(3, 6) if many else rng.choices(range(1, 7), weights=[80, 10, 5, 2, 2, 1])[0]
        partners = self._partners(n_partners)
        # The date as precise as sources give it: mostly a day, often a month, rarely a year or a span.
        r = rng.random()
        if r < 0.72:
            text, lower, upper = day_text(day), day, day
        elif r < 0.95:
            text, lower, upper = f"{day:%Y-%m}", day.replace(day=1), last_day(day.year, day.month)
        elif r < 0.98:
            text, lower, upper = f"{day.year}", datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
        else:
            upper = day + datetime.timedelta(days=rng.randint(1, 4))
            text, lower = f"{day_text(day)}/{day_text(upper)}", day
        fmt = rng.choices(["in_person", "video", "phone"], weights=[80, 12, 8])[0]
        occasion = rng.choice(self.occasions) if (many or rng.random() < 0.1) else None
        host = None
        if fmt == "in_person":
            host = rng.choice([self.japan, self.japan] + partners + ([rng.choice(self.partners)] if occasion else []))
        participants = self.participants(level, partners, lower, rng.choices(range(2, 9), weights=[30, 25, 15, 12, 8, 6, 4])[0])
        jp_name = participants[0][0]
        ja_partners = "".join(c.short_ja for c in partners[:3]) + ("等" if len(partners) > 3 else "")
        en_partners = "–".join(c.name_en for c in partners[:3]) + (" and others" if len(partners) > 3 else "")
        title_ja, title_en = TITLES[level]
        place_ja, place_en = (host.name_ja, host.name_en) if host else ("オンライン", "a video call")
        other = participants[1][0] if len(participants) > 1 else jp_name
        summary_ja = "".join(rng.sample(SUMMARY_JA[1:], rng.randint(0, 3)))
        summary_en = " ".join(rng.sample(SUMMARY_EN[1:], rng.randint(0, 3)))
        meeting = Meeting(
            key=f"{PREFIX}{text.replace('/', '-')}-{i:06d}", date=text, date_lower=lower, date_upper=upper,
            count=rng.randint(2, 6) if rng.random() < 0.02 else 1,
            title_ja=f"日{ja_partners}{title_ja}", title_en=f"Japan–{en_partners} {title_en}",
            kind=kind, level=level, format=fmt,
            location_ja="" if host is None else place_ja, location_en="" if host is None else place_en,
            host_country=host, occasion=occasion,
            sequence=rng.randint(1, 30) if rng.random() < 0.1 else None,
            summary_ja=SUMMARY_JA[0].format(jp=self.titled(jp_name, lower, "ja"), partner=self.titled(other, lower, "ja"),
                                            place=place_ja) + summary_ja,
            summary_en=SUMMARY_EN[0].format(jp=self.titled(jp_name, lower, "en"), partner=self.titled(other, lower, "en"),
                                            place=place_en)
            + (" " + summary_en if summary_en else ""),
            outcomes_ja="防衛協力・交流の覚書に署名した。" if rng.random() < 0.05 else "",
            outcomes_en="A memorandum on defense cooperation and exchanges was signed." if rng.random() < 0.05 else "",
        )
        exercise = rng.choice(self.exercise_pks) if self.exercise_pks and rng.random() < 0.01 else None
        return meeting, partners, participants, exercise

    def titled(self, official, day, lang):
        """The official's name after the office held on ``day``."""
        career = self.careers[official.pk]
        office = career[max(bisect.bisect_right([start for start, _p in career], day.toordinal()) - 1, 0)][1]
        if lang == "ja":
            return f"{office.title_ja}{official.name_ja}"
        return f"{office.title_en} {official.name_en}"

    def participants(self, level, partners, day, n):
        """The principals (Japan's and each partner's office of the meeting's level), then
        others from the same countries, all holding their office on the meeting's date."""
        office_level = LEVELS[level][0]
        principals, others = [], []
        for country in [self.japan] + partners:
            offices = self.offices[country.pk]
            matching = offices.get(office_level) or offices.get("senior_official") or next(iter(offices.values()))
            # A "2+2" has both ministers on each side (defence, then foreign affairs).
            for pk in matching[:2] if level == "two_plus_two" else matching[:1]:
                principals.append(self.holder(pk, day))
            rest = [pk for lvl, pks in offices.items() if lvl != office_level for pk in pks]
            others += [self.holder(pk, day) for pk in self.rng.sample(rest, min(3, len(rest)))]
        chosen = list(dict.fromkeys(principals))[:n]
        for official in others:
            if len(chosen) >= n:
                break
            if official not in chosen:
                chosen.append(official)
        return [(o, "principal" if o in principals else "accompanying") for o in chosen]

    # --- agreements -------------------------------------------------------------------------

    def make_agreements(self, n):
        rng = self.rng
        kinds = AGREEMENT_KINDS
        progress = Progress(self.out, "agreements", n)
        through = Agreement.parties.through
        for start in range(0, n, BATCH):
            rows = []
            for i in range(start, min(start + BATCH, n)):
                kind, ja, en, short, _w = rng.choices(kinds, weights=[k[4] for k in kinds])[0]
                parties = self._partners(rng.choices([1, 2, 3, 4], weights=[85, 10, 3, 2])[0])
                year = rng.randint(FIRST_YEAR, LAST_YEAR - 1)
                agreement = Agreement(
                    key=f"{PREFIX}agr-{i:05d}-{kind.replace('_', '-')}", kind=kind, short_name=short,
                    title_ja=f"日{''.join(c.short_ja for c in parties)}{ja}({year}年)",
                    title_en=f"Japan–{'–'.join(c.name_en for c in parties)} {en} ({year})",
                    aliases=f"{''.join(c.short_ja for c in parties)}{short}" if short else "",
                    summary_ja=f"{ja}。", summary_en=f"{en}.",
                )
                rows.append((agreement, parties, year))
            agreements = self.bulk(Agreement, [row[0] for row in rows])
            self.bulk(through, [through(agreement_id=a.pk, country_id=c.pk)
                                for a, (_a, parties, _y) in zip(agreements, rows) for c in parties])
            self.bulk(AgreementEvent, [event for a, (_a, parties, year) in zip(agreements, rows)
                                       for event in self.lifecycle(a, parties[0], year)])
            progress.add(len(agreements))
        progress.close()

    def lifecycle(self, agreement, party, year):
        """Milestones in order: negotiation, signature (often at a meeting with the party),
        entry into force for treaty-level kinds, sometimes a revision or a termination notice."""
        rng = self.rng
        day = datetime.date(year, rng.randint(1, 12), 1)
        steps = []
        if agreement.kind in TREATY_KINDS or rng.random() < 0.3:
            steps.append("negotiation_started")
        if rng.random() < 0.9:
            steps.append("signed")
            if agreement.kind in TREATY_KINDS:
                steps.append("entered_into_force")
            r = rng.random()
            if r < 0.15:
                steps.append("revised")
            elif r < 0.20:
                steps += ["termination_notified", rng.choice(["notice_withdrawn", "terminated"])]
        events = []
        for kind in steps:
            if day > datetime.date(LAST_YEAR, 12, 1):
                break
            text, lower, upper = f"{day:%Y-%m}", day, last_day(day.year, day.month)
            meeting_pk = None
            at_meeting = self.meetings_by_country.get(party.pk, [])
            if kind == "signed" and at_meeting and rng.random() < 0.3:
                # Signed at the party's meeting nearest the date; the milestone takes its date.
                k = min(bisect.bisect_left(at_meeting, (day.toordinal(),)), len(at_meeting) - 1)
                _o, meeting_pk, text = at_meeting[k]
                parsed = Meeting(date=text).dates
                lower, upper = parsed.lower, parsed.upper
            events.append(AgreementEvent(agreement=agreement, kind=kind, date=text, date_lower=lower,
                                         date_upper=upper, meeting_id=meeting_pk))
            day = last_day(upper.year, upper.month) + datetime.timedelta(days=rng.randint(30, 900))
            day = day.replace(day=1)
        return events
