"""One search across every kind of record: the normalisation rule, the search documents it is
applied to and the query that reads them.

Each searchable record has one document (SearchDocument): its texts, and those of the records
it names (partners, participants …), in both languages, normalised by ``normalise``. A query
is cut into terms normalised by the same rule, and a record is found when every term occurs
somewhere in its document, in any order. The documents are kept current on every write path
by defrel.search_index; the text indexes over them are created by migrations: SQLite FTS5 with
the trigram tokenizer, PostgreSQL pg_trgm (a GIN trigram index). Both find a term of three
characters or more through the index; a shorter one (豪, 日韓) is looked for in the documents
the longer terms found, or in all of them when there is none.
"""
import functools
import re
import unicodedata

from django.db import connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL

# Katakana middle dots (full and half width) separate the parts of a transliterated name,
# written or not: カマラ・ハリス = カマラハリス.
DOTS = "\u30fb\uff65"
# Hyphens and dashes of every kind are one: Japan–ROK (en dash) = Japan-ROK.
DASHES = {cp: "-" for cp in range(0x10000) if unicodedata.category(chr(cp)) == "Pd"}
# Accents on Latin letters (Kasčiūnas = Kasciunas): the combining diacritical marks only, as
# kana's voiced marks (ガ = カ + U+3099) are letters of their own.
ACCENTS = {cp: None for cp in range(0x0300, 0x0370)}
TRANSLATION = {**DASHES, **ACCENTS, **{ord(dot): None for dot in DOTS}}
SPACES = re.compile(r"\s+")
# Where Latin letters meet kana or kanji in a query (日韓GSOMIA): two terms, as Japanese
# writes them together where a document may not. So too a number after kana or kanji that
# ends the word (日豪2+2, where the documents write 日豪「2+2」); a number followed by kanji
# is part of the Japanese (2024年5月, 第11回) and stays joined.
KANA_KANJI = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SCRIPTS = re.compile(rf"(?<=[a-z])(?=[{KANA_KANJI}])|(?<=[{KANA_KANJI}])(?=[a-z])"
                     rf"|(?<=[{KANA_KANJI}])(?=[0-9][^{KANA_KANJI}]*$)")
# Brackets and quotation marks in a query part words: a reader copies 日豪「2+2」 where the
# meeting's own title writes 日豪外務防衛閣僚協議(「2+2」), and each word is then found alone.
BRACKETS = re.compile(r"[「」『』【】〔〕（）()\[\]“”\"]")
# The longest query any page searches for, in characters: the site-wide search and the lists it
# links to with the same query (the officials list) take the same, so that no link it draws
# is refused there. A longer one is refused, never cut short (fewer words find more).
LONGEST_QUERY = 200
SHORTEST_INDEXED = 3  # a trigram index finds terms of three characters or more
# Documents are the normalised texts joined by a character no normalised query holds, so
# no term is found across two texts.
SEPARATOR = "\n"


# Remembered: the names of partners, officials and occasions recur in thousands of documents
# (normalising them again took 0.4 of a 10,000-meeting import's 8.9 processor seconds).
@functools.lru_cache(maxsize=4096)
def normalise(text):
    """The one rule by which documents and queries are compared: NFKC (ＡＣＳＡ = ACSA,
    half-width katakana = full width), case-folded, Latin accents removed, katakana middle dots
    and all spaces removed, dashes made one."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(TRANSLATION))
    return SPACES.sub("", text)


def terms(query):
    """The normalised terms of a query, each to be found: words apart, and Latin letters apart
    from kana and kanji."""
    found = []
    for word in BRACKETS.sub(" ", unicodedata.normalize("NFKC", query or "")).split():
        for term in SCRIPTS.split(normalise(word)):
            if term and term not in found:
                found.append(term)
    return found


def document(texts):
    """The document of a record from its texts (None and "" left out, each text once)."""
    return SEPARATOR.join(dict.fromkeys(t for t in map(normalise, texts) if t))


def kind_of(model):
    return model._meta.label_lower


class SearchDocument(models.Model):
    """The normalised texts of one record (defrel.search_index keeps them current). Derived:
    not published data, no history; a backup holds them with the rest."""

    kind = models.CharField(max_length=60)  # the model's label: meetings.meeting
    record_id = models.BigIntegerField()
    text = models.TextField()

    derived = True  # no curated data of its own (defrel.stamp.curated_models)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "record_id"], name="searchdocument_record")]

    def __str__(self):
        return f"{self.kind} {self.record_id}"


def like_pattern(term):
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def fts_phrase(term):
    return '"' + term.replace('"', '""') + '"'


def matching_sql(kinds, query, vendor):
    """(SQL, params) selecting (kind, record_id) of the documents of ``kinds`` that hold every
    term of ``query``; None when the query has no term."""
    found = terms(query)
    if not found:
        return None
    table = SearchDocument._meta.db_table
    indexed = [t for t in found if len(t) >= SHORTEST_INDEXED]
    short = [t for t in found if len(t) < SHORTEST_INDEXED]
    where = [f"d.kind IN ({', '.join(['%s'] * len(kinds))})"]
    params = list(kinds)
    if vendor == "postgresql":
        where += ["d.text LIKE %s"] * len(indexed)
        params += [like_pattern(t) for t in indexed]
        # strpos, not LIKE: a pattern without a trigram would make the index read every row.
        where += ["strpos(d.text, %s) > 0"] * len(short)
    else:
        if indexed:
            # Read the documents by the ids the index found, not every document of the kind
            # (the unary + keeps SQLite from choosing the kind's index instead).
            where[0] = "+" + where[0]
            where.append(f"d.id IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s)")
            params.append(" AND ".join(map(fts_phrase, indexed)))
        where += ["instr(d.text, %s) > 0"] * len(short)
    params += short
    return f"SELECT d.kind, d.record_id FROM {table} d WHERE {' AND '.join(where)}", params


def matching(model, query, using="default"):
    """A filter of ``model``'s records whose document holds every term of ``query`` (all of
    them when it has none)."""
    found = matching_sql([kind_of(model)], query, connections[using].vendor)
    if found is None:
        return Q()
    sql, params = found
    return Q(pk__in=RawSQL(f"SELECT record_id FROM ({sql}) found", params))


def counts(models, query, using="default"):
    """{model: how many of its records the query finds}, in one query."""
    by_kind = {kind_of(model): model for model in models}
    found = matching_sql(list(by_kind), query, connections[using].vendor)
    if found is None:
        return {model: 0 for model in models}
    sql, params = found
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT kind, COUNT(*) FROM ({sql}) found GROUP BY kind", params)
        counted = dict(cursor.fetchall())
    return {model: counted.get(kind, 0) for kind, model in by_kind.items()}
