"""Writes the hostile import corpus in tests/data/bad_imports/ (run from anywhere:
``python tests/data/make_bad_imports.py``). Deterministic: the same bytes on every run.

The files target the world that tests/meetings/test_bad_imports.py builds: countries JP, AU
and US, official kihara-minoru (JP), position jp-minister-of-defense (JP), meeting
2024-01-jp-au-existing and agreement jp-au-raa. Each file's expected message is in that test.
"""
import csv
import io
import json
import random
import zipfile
from pathlib import Path

OUT = Path(__file__).parent / "bad_imports"

MEETING = [
    "key", "date", "date_lower", "date_upper", "count", "title_ja", "title_en", "kind", "level",
    "format", "location_ja", "location_en", "host_country", "occasion", "sequence", "countries",
    "participants", "participant_titles_ja", "participant_titles_en", "summary_ja", "summary_en",
    "outcomes_ja", "outcomes_en", "exercises", "source", "source_excerpt",
]


def meeting(**values):
    row = dict.fromkeys(MEETING, "")
    row.update(key="2024-05-au-defmin", date="2024-05", count="1", title_ja="日豪防衛相会談",
               title_en="Japan-Australia Defense Ministerial Meeting", kind="talks",
               level="ministerial", format="in_person", countries="AU")
    row.update(values)
    return row


def good(n):
    return meeting(key=f"2024-0{n}-au-good-{n}", date=f"2024-0{n}")


def to_csv(rows, headers=MEETING, delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue()


def meetings_csv(*rows, **kwargs):
    return to_csv(rows, **kwargs).encode("utf-8")


def xlsx(members):
    """A workbook zip from {member name: bytes}; fixed timestamps, so the bytes are stable."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


CONTENT_TYPES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
ROOT_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
WORKBOOK_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def column_letter(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows, prologue="", formula_at=None, padding=0, extra_cells=""):
    """A worksheet of inline strings; ``formula_at`` (row, column) holds a formula instead."""
    body = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{column_letter(c)}{r}"
            if formula_at == (r, c):
                cells.append(f'<c r="{ref}"><f>HYPERLINK("http://example.invalid","x")</f></c>')
            elif value != "":
                text = str(value).replace("&", "&amp;").replace("<", "&lt;")
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + prologue +
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           "<sheetData>" + "".join(body) + extra_cells + "</sheetData>" + " " * padding +
           "</worksheet>")
    return xml.encode("utf-8")


def workbook(sheet):
    return xlsx({"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
                 "xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
                 "xl/worksheets/sheet1.xml": sheet})


def table(*rows):
    return [MEETING] + [[row[h] for h in MEETING] for row in rows]


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
    + "]>"
)


def files():
    """(name, bytes) of every file of the corpus, in a fixed order."""
    yield from unreadable_files()
    yield from bad_value_files()
    yield from json_files()
    yield from xlsx_files()
    yield from other_admins_files()
    yield from accepted_files()


def garbage():
    """2,004 bytes that are no text in any encoding, the same on every run."""
    rng = random.Random(20250908)
    return bytes([0xFF, 0xFE, 0x00, 0x81]) + bytes(rng.randrange(256) for _ in range(2000))


def unreadable_files():
    """Files whose bytes, encoding, delimiter, columns or rows cannot be read as the meetings' CSV."""
    noise = garbage()
    yield "empty.csv", b""
    yield "whitespace_only.csv", b" \r\n\r\n  \r\n"
    yield "binary_garbage.csv", noise
    yield "binary_garbage.xlsx", noise
    yield "csv_named_as.xlsx", meetings_csv(good(1))
    yield "semicolon_delimited.csv", meetings_csv(good(1), delimiter=";")
    yield "tab_delimited.csv", meetings_csv(good(1), delimiter="\t")
    yield "missing_columns.csv", meetings_csv(good(1), headers=[h for h in MEETING if h != "title_ja"])
    yield "unknown_columns.csv", meetings_csv(good(1), headers=MEETING + ["surprise"])
    yield "repeated_column.csv", meetings_csv(good(1), headers=MEETING + ["title_en"])
    yield "header_only.csv", meetings_csv()
    yield "ragged_row.csv", meetings_csv(good(1)) + b"2024-02-x,2024-02" + b",x" * 30 + b"\r\n"
    yield "unterminated_quote.csv", meetings_csv(good(1)) + b'2024-02-x,2024-02,,,1,"never closed\r\n'
    yield "nul_byte.csv", meetings_csv(good(1), meeting(key="2024-02-nul", title_en="Nul\x00here"))
    yield "utf16_excel_unicode_text.csv", to_csv([good(1)], delimiter="\t").encode("utf-16")


def bad_value_files():
    """Readable CSVs with a row whose values are wrong: unknown references, bad dates and choices,
    clashing, overlong or hostile keys, and too much of it."""
    long_title = "A" * 301
    yield "cp932_unknown_country.csv", to_csv([good(1), meeting(key="2024-02-sjis", countries="豪州")]).encode("cp932")
    yield "unknown_country.csv", meetings_csv(good(1), meeting(key="2024-02-xx", countries="AU|XX"))
    yield "unknown_host_country.csv", meetings_csv(good(1), meeting(key="2024-02-zz", host_country="ZZ"))
    yield "unknown_official.csv", meetings_csv(good(1), meeting(key="2024-02-nobody", participants="nobody-at-all"))
    yield "bad_edtf_date.csv", meetings_csv(good(1), meeting(key="2024-02-season", date="2024-21"))
    yield "reversed_interval.csv", meetings_csv(good(1), meeting(key="2024-02-rev", date="2024-05-01/2024-04-01"))
    yield "year_zero_date.csv", meetings_csv(good(1), meeting(key="2024-02-zero", date="0000-05"))
    yield "bad_choice.csv", meetings_csv(good(1), meeting(key="2024-02-level", level="galactic"))
    yield "duplicate_key.csv", meetings_csv(good(1), good(2), meeting(key="2024-01-au-good-1", title_ja="別の会談"))
    yield "key_case_clash.csv", meetings_csv(good(1), meeting(key="2024-01-JP-AU-Existing"))
    yield "overlong_title.csv", meetings_csv(good(1), meeting(key="2024-02-long", title_en=long_title))
    yield "overlong_key.csv", meetings_csv(good(1), meeting(key="k" * 121))
    yield "formula_in_key.csv", meetings_csv(good(1), meeting(key="=cmd|' /C calc'!A0"))
    yield "script_as_country.csv", meetings_csv(good(1), meeting(key="2024-02-xss", countries="<script>alert(1)</script>"))
    yield "oversize.csv", meetings_csv(*(meeting(key=f"2024-05-big-{n}", summary_en="x" * 600) for n in range(120)))


def json_files():
    """JSON that is no list of flat meeting objects, or no JSON at all."""
    yield "json_not_a_list.json", json.dumps(good(1)).encode()
    yield "json_list_of_lists.json", json.dumps([MEETING, [good(1)[h] for h in MEETING]]).encode()
    yield "json_nested_object.json", json.dumps([good(1), dict(good(2), countries={"code": "AU"})]).encode()
    yield "json_mismatched_keys.json", json.dumps([good(1), {"key": "2024-02-odd", "surprise": 1}]).encode()
    yield "json_invalid_syntax.json", b'[{"key": "2024-01-x", "date": 2024-01}]'
    yield "json_deep_nesting.json", b"[" * 5_000 + b"]" * 5_000


def xlsx_files():
    """Workbooks with a formula, an entity bomb, a zip bomb, no rows or a cell far away."""
    yield "formula_cell.xlsx", workbook(sheet_xml(table(good(1), good(2)), formula_at=(3, 6)))
    yield "billion_laughs.xlsx", workbook(sheet_xml(table(good(1)), prologue=BILLION_LAUGHS)
                                          .replace(b"<t>AU</t>", b"<t>&lol9;</t>"))
    yield "zip_bomb.xlsx", workbook(sheet_xml(table(good(1)), padding=40 * 1024 * 1024))
    # Valid rows that expand 49-fold (1.6 MB from 34 KB): more than any real workbook, less than
    # the 100-fold that used to be refused, so it was parsed for seconds before being taken.
    yield "zip_bomb_49_fold.xlsx", workbook(sheet_xml(table(*(
        meeting(key=f"2024-05-fold-{n:05d}", summary_en="Talks. " * 300) for n in range(600)))))
    yield "empty_sheet.xlsx", workbook(sheet_xml([]))
    yield "far_away_cell.xlsx", workbook(sheet_xml(table(good(1)),
                                                   extra_cells='<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'))


def other_admins_files():
    """Other admins: a key naming an existing record under another parent, or an unknown key."""
    yield "official_moved_country.csv", to_csv(
        [{"slug": "kihara-minoru", "name_ja": "木原稔", "name_en": "Kihara Minoru", "country": "AU"}],
        headers=["slug", "name_ja", "name_en", "reading", "reading_from", "country"]).encode()
    yield "position_moved_country.csv", to_csv(
        [{"key": "jp-minister-of-defense", "country": "US", "title_ja": "防衛大臣",
          "title_en": "Minister of Defense", "level": "minister", "seats": "1"}],
        headers=["key", "country", "title_ja", "title_en", "level", "seats"]).encode()
    yield "country_code_case_clash.csv", to_csv(
        [{"code": "au", "kind": "state", "name_ja": "豪州", "name_en": "Australia", "region": "oceania"}],
        headers=["code", "kind", "name_ja", "name_en", "formal_ja", "reading", "reading_from", "short_ja", "region",
                 "relationship_ja",
                 "relationship_en", "significance_ja", "significance_en"]).encode()
    yield "tenure_unknown_position.csv", to_csv(
        [{"official": "kihara-minoru", "position": "jp-minister-of-defense", "date": "2023-09-13/2024-10-01"},
         {"official": "kihara-minoru", "position": "jp-no-such-office", "date": "2023-09"}],
        headers=["official", "position", "date"]).encode()
    yield "event_unknown_agreement.csv", to_csv(
        [{"agreement": "jp-au-raa", "kind": "entered_into_force", "date": "2023-08-13"},
         {"agreement": "jp-xx-nothing", "kind": "signed", "date": "2022-01-06"}],
        headers=["agreement", "kind", "date", "meeting", "note_ja", "note_en", "source",
                 "source_excerpt"]).encode()


def accepted_files():
    """Hostile but acceptable: imported as text, shown escaped (see test_bad_imports.ACCEPTED)."""
    yield "accepted_html_in_names.csv", meetings_csv(meeting(
        key="2024-05-html", title_en="<script>alert(1)</script><b>bold</b>",
        title_ja="<img src=x onerror=alert(2)>日豪"))
    yield "accepted_formula_cells.csv", meetings_csv(meeting(
        key="2024-05-formula", title_en='=HYPERLINK("http://example.invalid","x")', title_ja="+81-3",
        location_en="-1+1", summary_en="@SUM(A1:A2)", outcomes_en="'quoted"))
    yield "accepted_cp932_excel.csv", to_csv([meeting(
        key="2024-05-sjis", title_ja="日豪防衛相会談（ハワイ）", location_ja="ホノルル")]).encode("cp932")


def main():
    OUT.mkdir(exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    for name, data in files():
        (OUT / name).write_bytes(data)
        print(f"{len(data):>10}  {name}")


if __name__ == "__main__":
    main()
