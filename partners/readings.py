"""Readings of names in kana, by which Japanese pages list people and partners in 五十音
order (English pages list them by English name): how a reading is known, the one rule that
sets it on every save (``settle``), and the one order made from it (``name_order``).

A reading is known from the name itself when the name is written in kana (マールズ: まーるず),
from a dictionary when the name is a word of the language (韓国: かんこく), or, for a Japanese
name in kanji, from its official romanisation (Kihara Minoru: きはら みのる; Hepburn as used
by the government shows no long vowels, so Kono may be こうの), or from a source document that
gives it in brackets after the name (朴安洙(パクアンス)); an editor may type one, and a reading
typed or taken from a source is never replaced. Readings are stored in hiragana.
"""
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Collate, NullIf, Replace
from django.utils.translation import gettext_lazy as _

from defrel.models import english_page

JAPAN = "JP"
KATAKANA_TO_HIRAGANA = {cp: cp - 0x60 for cp in range(0x30A1, 0x30F7)}  # ァ..ヶ (ヴ → ゔ)
# The sort key of a reading, in code point order (which puts each voiced kana right after
# its unvoiced one): the long vowel mark left out (まーるず as まるず), and ゔ, which Unicode
# puts after ん, read as a voiced う (U+309B, the voiced mark, sorts after every kana).
SORT_KEY = {"ー": "", "ゔ": "う\u309b"}
# Left out of a reading: the middle dots and equals signs between the parts of a foreign
# name (カマラ・ハリス), which a reader does not say.
SEPARATORS = re.compile(r"[・･=＝]")
SPACES = re.compile(r"\s+")
KANA = re.compile(r"^[\u3041-\u3096\u309d\u309eー ]+$")  # hiragana, ー, and spaces between parts

# Readings of the names of partners that are words of the language (from any Japanese
# dictionary), the formal and the usual forms both.
DICTIONARY = {
    "日本": "にほん", "米国": "べいこく", "アメリカ合衆国": "あめりかがっしゅうこく",
    "英国": "えいこく", "韓国": "かんこく", "大韓民国": "だいかんみんこく", "中国": "ちゅうごく",
    "国連": "こくれん", "国際連合": "こくさいれんごう",
    "NATO": "なとー", "北大西洋条約機構": "きたたいせいようじょうやくきこう",
    "EU": "いーゆー", "欧州連合": "おうしゅうれんごう",
    "ASEAN": "あせあん", "東南アジア諸国連合": "とうなんあじあしょこくれんごう",
    "太平洋島嶼国": "たいへいようとうしょこく", "アフリカ連合": "あふりかれんごう",
    "ソロモン諸島": "そろもんしょとう", "アラブ首長国連邦": "あらぶしゅちょうこくれんぽう",
}

# Hepburn syllables, the longest tried first.
HEPBURN = {
    "a": "あ", "i": "い", "u": "う", "e": "え", "o": "お",
    **{c + v: k for c, row in {
        "k": "かきくけこ", "g": "がぎぐげご", "s": "さ_すせそ", "z": "ざ_ずぜぞ", "t": "た__てと",
        "d": "だ__でど", "n": "なにぬねの", "h": "はひ_へほ", "b": "ばびぶべぼ", "p": "ぱぴぷぺぽ",
        "m": "まみむめも", "r": "らりるれろ", "y": "や_ゆ_よ", "w": "わ___を"}.items()
       for v, k in zip("aiueo", row) if k != "_"},
    "shi": "し", "ji": "じ", "chi": "ち", "tsu": "つ", "fu": "ふ",
    **{c + "y" + v: k + small for c, k in {"k": "き", "g": "ぎ", "n": "に", "h": "ひ", "b": "び",
                                           "p": "ぴ", "m": "み", "r": "り"}.items()
       for v, small in zip("auo", "ゃゅょ")},
    **{c + v: k + small for c, k in {"sh": "し", "ch": "ち", "j": "じ"}.items()
       for v, small in zip("auo", "ゃゅょ")},
}
LONGEST = max(map(len, HEPBURN))


class Known(models.TextChoices):
    """How a reading is known."""

    KANA = "kana", _("the name's kana")
    DICTIONARY = "dictionary", _("a dictionary (the name is a word of the language)")
    ROMANISED = "romanised", _("the romanised name (long vowels not shown: Kono may be こうの)")
    EDITOR = "editor", _("an editor")
    SOURCE = "source", _("the source document (its reading in brackets)")


# Taken again when the name changes; an editor's reading and a source's are kept as typed.
DERIVED = {Known.KANA, Known.DICTIONARY, Known.ROMANISED}


def hiragana(text):
    """``text`` with katakana (full or half width) as hiragana, separators left out and
    spaces made one."""
    text = unicodedata.normalize("NFKC", text or "").translate(KATAKANA_TO_HIRAGANA)
    return SPACES.sub(" ", SEPARATORS.sub("", text)).strip()


def from_kana(name):
    """The reading of a name written in kana (the name itself, spaces left out); "" when
    the name is not all kana."""
    reading = hiragana(name).replace(" ", "")
    return reading if reading and KANA.match(reading) else ""


def from_romanised(name):
    """The hiragana of a Hepburn romanisation, one word a part (Kihara Minoru: きはら
    みのる); "" when a word is not Hepburn. Macrons are left out like the long vowels the
    government's romanisation does not show."""
    words = []
    for word in re.split(r"[\s\-]+", unicodedata.normalize("NFKD", name or "").lower()):
        word = "".join(c for c in word if not unicodedata.combining(c))
        kana = syllables(word)
        if not kana:
            return ""
        words.append(kana)
    return " ".join(words)


def syllables(word):
    """The hiragana of one Hepburn word, the longest syllable first; "" if one is not Hepburn."""
    kana, i = [], 0
    while i < len(word):
        rest = word[i:]
        if rest[0] == "'":  # Shin'ichi
            i += 1
            continue
        if (len(rest) > 1 and rest[0] == rest[1] and rest[0] in "kgsztdbpfhcj") or rest.startswith("tch"):
            kana.append("っ")  # Hattori, Matcha
            i += 1
            continue
        for size in range(min(LONGEST, len(rest)), 0, -1):
            if rest[:size] in HEPBURN:
                kana.append(HEPBURN[rest[:size]])
                i += size
                break
        else:
            if rest[0] == "n" or (rest[0] == "m" and rest[1:2] in ("b", "p", "m")):  # Namba
                kana.append("ん")
                i += 1
            else:
                return ""
    return "".join(kana)


def derived(name_ja, name_en, japanese_name=lambda: False):
    """(reading, how it is known) from the names, or ("", "") when they give none;
    ``japanese_name()`` says whether name_en romanises a Japanese name (asked last: it may
    read the official's country)."""
    kana = from_kana(name_ja)
    if kana:
        return kana, Known.KANA
    if name_ja.strip() in DICTIONARY:
        return DICTIONARY[name_ja.strip()], Known.DICTIONARY
    if japanese_name():
        romanised = from_romanised(name_en)
        if romanised:
            return romanised, Known.ROMANISED
    return "", ""


def settle(record):
    """The one rule, on every save: a reading given by hand (an editor's, or any other
    than the name gives) is kept, in hiragana; a derived one, or none, is taken from the
    names again, so that it follows a renamed record."""
    given = hiragana(record.reading)
    if given and record.reading_from not in DERIVED:
        record.reading, record.reading_from = given, record.reading_from or Known.EDITOR
        return
    reading, known = derived(record.name_ja, record.name_en, record.has_japanese_name)
    if given and given not in (hiragana(record._loaded_reading), reading):
        # Typed over a derived reading (the form still said how the old one was known).
        record.reading, record.reading_from = given, Known.EDITOR
    else:
        record.reading, record.reading_from = reading, known


def check(reading):
    """A reading in kana, or a field error."""
    if reading and not KANA.match(hiragana(reading)):
        raise ValidationError({"reading": _("Write the reading in hiragana or katakana.")})


class Read(models.Model):
    """A record listed by the reading of its name on Japanese pages (Country, Official)."""

    reading = models.CharField(
        _("reading"), max_length=200, blank=True,
        help_text=_("The name's reading in kana, family name first for Japanese names "
                    "(きはら みのる); Japanese pages list names in 五十音 order by it. Left blank, "
                    "it is taken from the name when the name is in kana or a dictionary word, or "
                    "from the romanised name of a Japanese official. A reading typed is kept."),
    )
    reading_from = models.CharField(
        _("reading known from"), max_length=20, choices=Known, blank=True,
        help_text=_("How the reading is known. To confirm a reading taken from the romanised "
                    "name against public record, choose “an editor”."),
    )

    class Meta:
        abstract = True

    _loaded_reading = ""

    @classmethod
    def from_db(cls, db, field_names, values):
        record = super().from_db(db, field_names, values)
        record._loaded_reading = record.__dict__.get("reading", "")  # to tell a reading typed over it
        return record

    def save(self, *args, **kwargs):
        settle(self)
        super().save(*args, **kwargs)
        self._loaded_reading = self.reading

    def clean(self):
        super().clean()
        check(self.reading)

    def has_japanese_name(self):
        """Whether the English name is the official romanisation of a Japanese name."""
        return False


def japanese_page():
    return not english_page()


class CodePoints(Collate):
    """Text compared character by character (code point order), which puts hiragana in
    五十音 order with each voiced kana after its unvoiced one: PostgreSQL's "C" collation
    (a database's own, en_US or ja_JP, may order kana its own way); SQLite's BINARY, its
    default."""

    def __init__(self, expression):
        super().__init__(expression, "C")

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, collation="BINARY", **extra_context)


def name_order(prefix=""):
    """The order of names on the page being drawn, for order_by() (``prefix``: the path
    to the named record, "country__"): by reading on Japanese pages (by SORT_KEY; records
    without a reading last, by their written name), by English name on English pages."""
    if not japanese_page():
        return [f"{prefix}name_en"]
    key = F(f"{prefix}reading")
    for old, new in SORT_KEY.items():
        key = Replace(key, Value(old), Value(new))
    return [CodePoints(NullIf(key, Value(""))).asc(nulls_last=True), f"{prefix}name_ja"]


def name_sort_key(record):
    """``name_order`` for records in memory (same order: Python compares code points)."""
    if not japanese_page():
        return (record.name_en, record.pk)
    key = record.reading
    for old, new in SORT_KEY.items():
        key = key.replace(old, new)
    return (not key, key, record.name_ja, record.pk)


class NameOrderQuerySet(models.QuerySet):
    def in_name_order(self):
        return self.order_by(*name_order(), "pk")
