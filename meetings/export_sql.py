"""The SQL of the meetings export (meetings.fast_export streams what it selects): one SELECT of
MeetingResource's columns a dialect, every cell CSV-ready (``csv_line``) or plain.

The database computes MeetingResource's columns (partners and exercises sorted by key,
participants in Participation's order with the title each held on the meeting's dates, as
stored with the participation) and writes each meeting as one CSV line: every cell
formula-escaped as ``defrel.exports.escape_formula`` does, quoted as Python's ``csv``
module does (QUOTE_MINIMAL: when it holds a comma, a double quote or a line break, with its
quotes doubled), NULL as an empty cell.

On SQLite, each official of a query is looked up once in each office held (``people``), not
once a meeting, and a row's identifiers (key, date, choices, codes) are written as they are
and checked once for the row rather than quoted cell by cell (fast_export leaves to Python
the rows SQLite cannot write exactly).

``export_sql`` also gives the same columns plain (unescaped, unquoted, NULL as NULL, exact
in SQL) for bench/, which hands them to the ``sqlite3`` command line and to PostgreSQL's COPY.
"""

DIALECTS = ("sqlite", "postgresql")
# What Python's str.strip() removes (str.isspace()): a title cell is "title name".strip().
WHITESPACE = (9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
              0x2028, 0x2029, 0x202F, 0x205F, 0x3000)
NUL_TEXT = "CAST(X'00' AS TEXT)"

# column: (SQL on the meeting "m" and the keys joined to it, kind). "key": an identifier (slug,
# code, choice, EDTF date), checked once a row on SQLite; "text": anything; "date", "int".
BASE = {
    "key": ("m.key", "key"), "date": ("m.date", "key"), "date_lower": ("m.date_lower", "date"),
    "date_upper": ("m.date_upper", "date"), "count": ("m.count", "int"),
    "title_ja": ("m.title_ja", "text"), "title_en": ("m.title_en", "text"),
    "kind": ("m.kind", "key"), "level": ("m.level", "key"), "format": ("m.format", "key"),
    "location_ja": ("m.location_ja", "text"), "location_en": ("m.location_en", "text"),
    "host_country": ("hc.code", "key"), "occasion": ("oc.key", "key"),
    "sequence": ("m.sequence", "int"), "summary_ja": ("m.summary_ja", "text"),
    "summary_en": ("m.summary_en", "text"), "outcomes_ja": ("m.outcomes_ja", "text"),
    "outcomes_en": ("m.outcomes_en", "text"), "source": ("s.key", "key"),
    "source_excerpt": ("m.source_excerpt", "text"), "version": ("m.version", "int"),
}
KEYS = {  # many-to-many columns: (through table, its column to the other table, table, key)
    "countries": ("meetings_meeting_countries", "country_id", "partners_country", "code"),
    "exercises": ("meetings_meeting_exercises", "exercise_id", "meetings_exercise", "key"),
}
PEOPLE = ("participants", "participant_titles_ja", "participant_titles_en", "participant_known_from")
COLUMNS = (  # all of them, in MeetingResource's order
    "key", "date", "date_lower", "date_upper", "count", "title_ja", "title_en", "kind", "level",
    "format", "location_ja", "location_en", "host_country", "occasion", "sequence", "countries",
    "participants", "participant_titles_ja", "participant_titles_en", "participant_known_from",
    "summary_ja", "summary_en",
    "outcomes_ja", "outcomes_en", "exercises", "source", "source_excerpt", "version",
)
assert set(COLUMNS) == {*BASE, *KEYS, *PEOPLE}
JOINS = """LEFT JOIN partners_country hc ON hc.id = m.host_country_id
LEFT JOIN meetings_occasion oc ON oc.id = m.occasion_id
LEFT JOIN defrel_source s ON s.id = m.source_id"""


def literal(text):
    return "'" + text.replace("'", "''") + "'"


def char(code):
    return literal(chr(code))


class Dialect:
    """The expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, name):
        if name not in DIALECTS:
            raise ValueError(f"no meeting export SQL for {name!r}")
        self.sqlite = name == "sqlite"

    def text(self, expr, kind):
        """The value as Python's str() writes it (dates in ISO, integers in decimal)."""
        if kind == "int" or (kind == "date" and self.sqlite):  # SQLite's dates are ISO text
            return f"CAST({expr} AS TEXT)"
        if kind == "date":
            return f"to_char({expr}, 'YYYY-MM-DD')"
        return expr

    def escaped(self, v):
        """defrel.exports.escape_formula: a quote before = + - @ TAB CR (NUL) or a quote."""
        if self.sqlite:  # first bytes compared, no function called: most text is >= 'A'
            trigger = " OR ".join(
                f"({v} >= {char(c)} AND {v} < {char(c + 1)})" for c in (0x3D, 0x2D, 0x2B, 0x27, 13, 9)
            )
            return f"CASE WHEN {v} >= 'A' THEN {v} WHEN {v} >= '@' OR {trigger} THEN '''' || {v} ELSE {v} END"
        return f"CASE WHEN ascii({v}) IN (61, 43, 45, 64, 9, 13, 39) THEN '''' || {v} ELSE {v} END"

    def special(self, v):
        """Whether ``v`` holds a comma, a double quote or a line break."""
        if self.sqlite:  # GLOB '*c*' is a strcspn(), far faster than instr()
            return " OR ".join(f"{v} GLOB {literal('*' + c + '*')}" for c in ',"\n\r')
        return " OR ".join(f"strpos({v}, {literal(c)}) > 0" for c in ',"\n\r')

    def cell(self, v):
        """``v`` (text or NULL) as a CSV cell; ``v`` is repeated, so it must be cheap."""
        e = self.escaped(v)
        return (f"CASE WHEN {self.special(v)} THEN '\"' || replace({e}, '\"', '\"\"') || '\"' "
                f"ELSE COALESCE({e}, '') END")

    def strip(self, expr):
        chars = literal("".join(map(chr, WHITESPACE)))
        return f"TRIM({expr}, {chars})" if self.sqlite else f"btrim({expr}, {chars})"


def titled_name(d, lang, name):
    """A participant's cell of participant_titles_<lang>: the title stored with the
    participation (``pos``, joined by POSITION) and the name, stripped as Python strips
    "title name" (MeetingResource)."""
    return d.strip(f"COALESCE(pos.title_{lang}, '') || ' ' || {name}_{lang}")


def people_exprs(d, official):
    """PEOPLE's expressions a participant ``p``, its official ``official`` (an alias)."""
    titles = {f"participant_titles_{lang}": titled_name(d, lang, f"{official}.name") for lang in ("ja", "en")}
    return {"participants": f"{official}.slug", **titles, "participant_known_from": "p.known_from"}


POSITION = "LEFT JOIN partners_position pos ON pos.id = p.position_id"


def people_cte(d, restricted):
    """SQLite: each official once in each office held at the chosen meetings (all of them,
    unless ``restricted``; no office: 0), with slug, country code and title cells, made
    once rather than once a meeting."""
    where = "WHERE meeting_id IN (SELECT value FROM json_each(%s))" if restricted else ""
    cells = ", ".join(f"{titled_name(d, lang, 'o.name')} AS titled_{lang}" for lang in ("ja", "en"))
    return f"""people AS MATERIALIZED (
  SELECT held.official_id, held.office, o.slug, c.code, {cells}
  FROM (SELECT DISTINCT official_id, COALESCE(position_id, 0) AS office FROM meetings_participation
        {where}) AS held
  JOIN partners_official o ON o.id = held.official_id JOIN partners_country c ON c.id = o.country_id
  LEFT JOIN partners_position pos ON pos.id = held.office)"""


def people_sql(columns, wrap):
    """SQLite: one subquery a meeting giving ``wrap`` of each of ``columns`` (of PEOPLE)
    joined by ","; each participant's cells read from ``people``."""
    exprs = {"participants": "f.slug", "participant_known_from": "p.known_from",
             **{f"participant_titles_{lang}": f"f.titled_{lang}" for lang in ("ja", "en")}}
    source = ("FROM meetings_participation p JOIN people f "
              "ON f.official_id = p.official_id AND f.office = COALESCE(p.position_id, 0)")
    # group_concat follows the order of the subquery it reads (kept: it is an aggregate's);
    # f.code, p.id: Participation._meta.ordering within a meeting
    inner = ", ".join(f"{exprs[c]} AS v{i}" for i, c in enumerate(columns))
    aggs = " || ',' || ".join(wrap(f"group_concat(v{i}, '|')") for i in range(len(columns)))
    return f"(SELECT {aggs} FROM (SELECT {inner} {source} WHERE p.meeting_id = m.id ORDER BY f.code, p.id) AS q)"


def keys_sql(column, wrap, empty):
    """SQLite: a meeting's partners or exercises, sorted as Python sorts them (BINARY: code
    point order); ``empty`` when none. Most meetings have no exercises: their subquery is
    not even run."""
    through, fk, table, key = KEYS[column]
    agg = wrap("group_concat(v, '|')")
    sql = (f"(SELECT {agg} FROM (SELECT x.{key} AS v FROM {through} j "
           f"JOIN {table} x ON x.id = j.{fk} WHERE j.meeting_id = m.id ORDER BY v) AS q)")
    if column == "exercises":
        sql = f"CASE WHEN m.id IN (SELECT meeting_id FROM {through}) THEN {sql} ELSE {empty} END"
    return sql


def row_check(identifiers):
    """SQLite: a NUL (Python writes the row) unless each of ``identifiers`` (maybe NULL)
    starts with a letter, a digit, a dot or beyond ASCII: none that escape_formula escapes.
    Python checks that they hold no comma, quote, line break or NUL (printf() stops at one)."""
    whens = " ".join(f"WHEN {v} < 'A' AND NOT ({v} >= '0' AND {v} < ':') AND NOT ({v} >= '.' AND {v} < '/') "
                     f"THEN {NUL_TEXT}" for v in identifiers)
    return f"CASE {whens} ELSE '' END" if whens else "''"


def concatenated(cells, percent):
    """SQLite: the cells joined by commas. Runs of identifiers and numbers go through one
    printf(), which builds its string at once (|| copies the line so far at each step);
    other cells, which may hold a NUL, are joined with || (printf() stops at a NUL).
    ``percent``: how the SQL writes "%" (Django's cursor.execute() with parameters reads "%%")."""
    parts, run = [], []
    for sql, printable in [*cells, (None, False)]:
        if printable:
            run.append(sql)
            continue
        if len(run) == 1:
            parts.append(run[0])
        elif run:
            fmt = literal(",".join([percent + "s"] * len(run)))
            parts.append(f"printf({fmt}, {', '.join(run)})")
        run = []
        if sql is not None:
            parts.append(sql)
    return " || ',' || ".join(parts)


def export_sql(dialect, columns=COLUMNS, csv_line=False, ids=False):
    """A SELECT of meetings' ``columns`` (MeetingResource's export headers, or some of them).

    Plain (the default): a column each, unescaped and unquoted, NULL for an empty cell, for
    every meeting; append an ORDER BY (of ``m``). ``csv_line``: the meeting's id, its CSV
    line (without the line break) and (SQLite) its identifiers, as bytes. ``ids``: only the
    meetings whose ids are the query's parameter (a JSON array on SQLite, an array on
    PostgreSQL; each %s is it, and a literal "%" is written "%%" as Django's cursor.execute()
    reads it), each with its place in it first; in that order (on SQLite, the order of the
    query's loop)."""
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise ValueError(f"not a meeting export column: {', '.join(unknown)}")
    if Dialect(dialect).sqlite:
        return sqlite_sql(columns, csv_line, ids)
    return postgresql_sql(columns, csv_line, ids)


def sqlite_sql(columns, csv_line, ids):
    """Correlated subqueries a meeting (SQLite runs them as nested loops, in the order of
    the meetings, streaming), each official's cells made once from ``people``."""
    d = Dialect("sqlite")
    wrap = d.cell if csv_line else str
    cells, identifiers, people = [], [], [c for c in columns if c in PEOPLE]
    for column in columns:
        named = "" if csv_line else f" AS {column}"
        if column in BASE:
            expr, kind = BASE[column]
            if not csv_line:
                cells.append((expr + named, False))
            elif kind == "text":  # may hold a NUL: not through printf()
                cells.append((d.cell(expr), False))
            elif kind == "int":  # a whole number: nothing to quote or escape
                cells.append((f"COALESCE({d.text(expr, kind)}, '')", True))
            else:  # an identifier or a date: checked once for the row
                expr = d.text(expr, kind)
                cells.append((f"COALESCE({expr}, '')", True))
                identifiers.append(expr)
        elif column in KEYS:
            cells.append((keys_sql(column, wrap, "''" if csv_line else "NULL") + named, False))
        elif not csv_line:
            cells.append((people_sql([column], wrap) + named, False))
        elif column == people[0]:  # all of them at once: each title looked up once
            cells.append((people_sql(people, wrap), False))
    if csv_line:
        line = f"{concatenated(cells, '%%' if ids else '%')} || {row_check(identifiers)}"
        joined = " || ".join(f"COALESCE({v}, '')" for v in identifiers) or "''"
        select = ["m.id", f"CAST({line} AS BLOB)", f"CAST({joined} AS BLOB)"]
    else:
        select = [sql for sql, _printable in cells]
    source = "meetings_meeting m"
    if ids:  # CROSS JOIN: the ids are the outer loop, the rows come in their order
        source = "json_each(%s) AS chosen CROSS JOIN meetings_meeting m ON m.id = chosen.value"
        select.insert(0, "chosen.key")
    cte = f"WITH {people_cte(d, restricted=ids)}\n" if people else ""
    return cte + "SELECT " + ",\n    ".join(select) + f"\nFROM {source}\n{JOINS}"


def postgresql_sql(columns, csv_line, ids):
    """Correlated subqueries a meeting, run by index lookups (joins of the whole tables,
    estimated badly, made some queries read them whole for each chunk); every cell exact in
    SQL. Plain and for every meeting: see postgresql_plain_sql."""
    if not csv_line and not ids:
        return postgresql_plain_sql(columns)
    d = Dialect("postgresql")
    wrap = d.cell if csv_line else str
    people = [c for c in columns if c in PEOPLE]
    exprs = people_exprs(d, "o")

    def people_of(names):
        titled = POSITION if any(c.startswith("participant_titles") for c in names) else ""
        aggs = " || ',' || ".join(wrap(f"string_agg({exprs[c]}, '|' ORDER BY c.code, p.id)") for c in names)
        return f"""(SELECT {aggs} FROM meetings_participation p
          JOIN partners_official o ON o.id = p.official_id
          JOIN partners_country c ON c.id = o.country_id {titled}
          WHERE p.meeting_id = m.id)"""

    cells = []
    for column in columns:
        named = "" if csv_line else f" AS {column}"
        if column in BASE:
            expr, kind = BASE[column]
            cells.append((wrap(d.text(expr, kind)) if csv_line else expr) + named)
        elif column in KEYS:
            through, fk, table, key = KEYS[column]
            agg = wrap(f"string_agg(x.{key}, '|' ORDER BY x.{key} COLLATE \"C\")")
            cells.append(f"(SELECT {agg} FROM {through} j JOIN {table} x ON x.id = j.{fk} "
                         f"WHERE j.meeting_id = m.id){named}")
        elif not csv_line:
            cells.append(people_of([column]) + named)
        elif column == people[0]:  # all of them at once: each title looked up once
            cells.append(people_of(people))
    if csv_line:
        line = " || ',' || ".join(cells)
        select = ["m.id", f"convert_to({line}, 'UTF8')", "''::bytea"]
    else:
        select = cells
    source, order = "meetings_meeting m", ""
    if ids:
        source = ("unnest(%s::bigint[]) WITH ORDINALITY AS chosen(id, key) JOIN LATERAL "
                  "(SELECT * FROM meetings_meeting WHERE id = chosen.id OFFSET 0) AS m ON true")
        order = "\nORDER BY chosen.key"
        select.insert(0, "chosen.key")
    return "SELECT " + ",\n    ".join(select) + f"\nFROM {source}\n{JOINS}{order}"


def postgresql_plain_sql(columns):
    """Plain, every meeting (COPY): each many-valued column aggregated once for all meetings
    (hash aggregates and joins), rather than a subquery a meeting."""
    d = Dialect("postgresql")
    joins, cells = [JOINS], []
    people = [c for c in columns if c in PEOPLE]
    if people:
        exprs = people_exprs(d, "o")
        position = POSITION if any(c.startswith("participant_titles") for c in people) else ""
        aggs = ", ".join(f"string_agg({exprs[c]}, '|' ORDER BY c.code, p.id) AS {c}" for c in people)
        joins.append(f"""LEFT JOIN (SELECT p.meeting_id, {aggs}
          FROM meetings_participation p
          JOIN partners_official o ON o.id = p.official_id
          JOIN partners_country c ON c.id = o.country_id
          {position}
          GROUP BY p.meeting_id) AS people ON people.meeting_id = m.id""")
    for column, (through, fk, table, key) in KEYS.items():
        if column in columns:
            joins.append(f"""LEFT JOIN (SELECT j.meeting_id, string_agg(x.{key}, '|' ORDER BY x.{key} COLLATE "C") AS v
          FROM {through} j JOIN {table} x ON x.id = j.{fk}
          GROUP BY j.meeting_id) AS {column} ON {column}.meeting_id = m.id""")
    for column in columns:
        value = BASE[column][0] if column in BASE else f"{column}.v" if column in KEYS else f"people.{column}"
        cells.append(f"{value} AS {column}")
    return "SELECT " + ",\n    ".join(cells) + "\nFROM meetings_meeting m\n" + "\n".join(joins)
