"""The SQL of the meetings' NDJSON: export_sql's columns, each meeting written by the database
as one JSON object (keys in MeetingResource's order), so that Python only joins the lines, as
for the CSV (meetings.fast_export).

Values as defrel.exports.typed gives them: numbers for whole numbers, ISO text for dates, null
where the database holds NULL (a foreign key, a date, a sequence), "" for an empty list of
partners, exercises or participants. SQLite quotes with json_quote() (a NUL becomes \\u0000, so
the line can go through printf(), which builds it at once); PostgreSQL with to_json()."""
from meetings.export_sql import BASE, JOINS, KEYS, PEOPLE, POSITION, Dialect, keys_sql, people_cte, people_exprs, people_sql


def json_sql(dialect, columns):
    """A SELECT of the meetings whose ids are the query's parameter (as export_sql's ``ids``:
    a literal "%" is written "%%"), each as (its place among the ids, its JSON line)."""
    people = [c for c in columns if c in PEOPLE]
    if people and columns[columns.index(people[0]):][:len(people)] != people:
        raise ValueError("the participant columns must be next to each other")
    if Dialect(dialect).sqlite:
        return sqlite_json_sql(columns, people)
    return postgresql_json_sql(columns, people)


def named(names, quote):
    """A wrap for an aggregate of export_sql's: the next of ``names`` as a JSON key and the
    aggregate as its value (an empty list is "")."""
    names = iter(names)
    return lambda agg: f"'\"{next(names)}\":' || {quote(f'COALESCE({agg}, {chr(39) * 2})')}"


def sqlite_json_sql(columns, people):
    d = Dialect("sqlite")
    fmt, values = [], []
    for column in columns:
        if column in BASE:
            fmt.append(f'"{column}":%%s')
            values.append(f"json_quote({BASE[column][0]})")
        elif column in KEYS:
            fmt.append(f'"{column}":%%s')
            values.append(keys_sql(column, lambda agg: f"json_quote(COALESCE({agg}, ''))", "'\"\"'"))
        elif column == people[0]:  # all of them at once: "participants":…,"participant_titles_ja":…
            fmt.append("%%s")
            values.append(people_sql(people, named(people, lambda v: f"json_quote({v})")))
    line = f"printf('{{{','.join(fmt)}}}', {', '.join(values)})"
    source = "json_each(%s) AS chosen CROSS JOIN meetings_meeting m ON m.id = chosen.value"
    cte = f"WITH {people_cte(d, restricted=True)}\n" if people else ""
    return f"{cte}SELECT chosen.key, {line}\nFROM {source}\n{JOINS}"


def postgresql_json_sql(columns, people):
    d = Dialect("postgresql")

    def quote(v):
        return f"COALESCE(to_json({v})::text, 'null')"

    parts = []
    for column in columns:
        if column in BASE:
            parts.append(f"'\"{column}\":' || {quote(BASE[column][0])}")
        elif column in KEYS:
            through, fk, table, key = KEYS[column]
            agg = f"string_agg(x.{key}, '|' ORDER BY x.{key} COLLATE \"C\")"
            parts.append(f"'\"{column}\":' || (SELECT {quote(f'COALESCE({agg}, {chr(39) * 2})')} FROM {through} j "
                         f"JOIN {table} x ON x.id = j.{fk} WHERE j.meeting_id = m.id)")
        elif column == people[0]:
            exprs = people_exprs(d, "o")
            wrap = named(people, quote)
            titled = POSITION if any(c.startswith("participant_titles") for c in people) else ""
            aggs = " || ',' || ".join(wrap(f"string_agg({exprs[c]}, '|' ORDER BY c.code, p.id)") for c in people)
            parts.append(f"""(SELECT {aggs} FROM meetings_participation p
          JOIN partners_official o ON o.id = p.official_id
          JOIN partners_country c ON c.id = o.country_id {titled}
          WHERE p.meeting_id = m.id)""")
    line = "'{' || " + " || ',' || ".join(parts) + " || '}'"
    source = ("unnest(%s::bigint[]) WITH ORDINALITY AS chosen(id, key) JOIN LATERAL "
              "(SELECT * FROM meetings_meeting WHERE id = chosen.id OFFSET 0) AS m ON true")
    return f"SELECT chosen.key, convert_to({line}, 'UTF8')\nFROM {source}\n{JOINS}\nORDER BY chosen.key"
