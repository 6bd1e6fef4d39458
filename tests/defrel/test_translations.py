"""The site and the admin speak Japanese by default and English under /en/.

The catalogue (defrel/locale/ja/LC_MESSAGES/django.po) must translate every string the code
and the templates mark, with no fuzzy guess left in it, and django.mo must be compiled from it.
When a test here fails after adding a string: `make messages`, translate the new entries in the
.po (terms from shared/GLOSSARY.md), then `make messages` again to compile.
"""
import ast
import gettext
import html
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from defrel.models import colon, noted, spaced
from tests.meetings.factories import AgreementEventFactory, AgreementFactory, MeetingFactory
from tests.partners.factories import CountryFactory

PO = Path(settings.BASE_DIR) / "defrel" / "locale" / "ja" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
# What `make messages` leaves out of the catalogue.
NOT_SOURCES = {".venv", "bench", "tests", "backups", "staticfiles", "node_modules"}


@pytest.fixture(autouse=True)
def back_to_japanese():
    """A request to /en/… leaves English active in the thread; later tests would see it."""
    yield
    translation.activate("ja")


# --- the catalogue --------------------------------------------------------------------------

def parse_po(text):
    """The live entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr or
    msgstr[N], and flags. Obsolete entries (#~) are left out."""
    entries, entry, key = [], None, None
    for line in text.splitlines():
        line = line.strip()
        if not line:
            entry = key = None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"flags": set()}
            entries.append(entry)
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return [e for e in entries if "msgid" in e]


def translations(entry):
    return [v for k, v in entry.items() if k == "msgstr" or k.startswith("msgstr[")]


def label(entry):
    context = f" (context {entry['msgctxt']!r})" if "msgctxt" in entry else ""
    return f"{entry['msgid']!r}{context}"


def problems(entries):
    """Entries a Japanese reader would see in English, or with a guessed translation."""
    found = []
    for entry in entries:
        if entry["msgid"] == "":
            continue
        if "fuzzy" in entry["flags"]:
            found.append(f"fuzzy: {label(entry)}")
        elif not translations(entry) or not all(s.strip() for s in translations(entry)):
            found.append(f"untranslated: {label(entry)}")
    return found


@pytest.fixture(scope="module")
def catalogue():
    return parse_po(PO.read_text(encoding="utf-8"))


def test_the_catalogue_is_japanese_with_one_plural_form(catalogue):
    header = next(e for e in catalogue if e["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: ja\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]


def test_every_string_is_translated_and_none_is_fuzzy(catalogue):
    assert len(catalogue) > 400  # the whole catalogue was read, not a stub
    assert problems(catalogue) == []


def test_plural_entries_fill_the_one_japanese_form(catalogue):
    plurals = [e for e in catalogue if "msgid_plural" in e]
    assert plurals
    for entry in plurals:
        assert entry.get("msgstr[0]", "").strip(), label(entry)
        assert "msgstr[1]" not in entry, label(entry)


def test_translations_keep_the_placeholders(catalogue):
    for entry in catalogue:
        if entry["msgid"] == "":
            continue
        wanted = set(PLACEHOLDER.findall(entry["msgid"] + entry.get("msgid_plural", "")))
        for text in translations(entry):
            assert set(PLACEHOLDER.findall(text)) == wanted, label(entry)


def test_the_compiled_catalogue_matches_the_po_file(catalogue):
    """django.mo is what Django reads: a .po edited but not compiled changes nothing."""
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = []
    for entry in catalogue:
        if entry["msgid"] == "" or "fuzzy" in entry["flags"]:
            continue
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            got = (compiled.npgettext(context, entry["msgid"], entry["msgid_plural"], 1) if context
                   else compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1))
            expected = entry["msgstr[0]"]
        else:
            got = (compiled.pgettext(context, entry["msgid"]) if context
                   else compiled.gettext(entry["msgid"]))
            expected = entry["msgstr"]
        if got != expected:
            stale.append(label(entry))
    assert stale == [], "django.mo is out of date: run `make messages`"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_no_marked_string_is_missing_from_the_catalogue(tmp_path, settings, monkeypatch):
    """Extract the strings afresh from a copy of the sources (as `make messages` would) into a
    copy of the catalogue: a string added to the code or a template without a translation
    shows up as untranslated."""
    root = Path(settings.BASE_DIR)
    for path in root.iterdir():
        if path.name.startswith(".") or path.name in NOT_SOURCES:
            continue
        if path.is_dir():
            shutil.copytree(path, tmp_path / path.name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "static"))
        elif path.suffix in (".py", ".html", ".txt"):
            shutil.copy2(path, tmp_path / path.name)
    locale = tmp_path / "defrel" / "locale"
    settings.LOCALE_PATHS = [locale]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["ja"], verbosity=0, no_obsolete=True)
    extracted = parse_po((locale / "ja" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    assert problems(extracted) == [], "new strings: run `make messages` and translate them"


# --- the pages --------------------------------------------------------------------------------

def page_text(response):
    """The page as a reader sees it: tags dropped, entities decoded, whitespace collapsed."""
    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text))


def nav(response):
    """The words of the site's main menu."""
    content = response.content.decode()
    menu = re.search(r'<nav class="site-nav".*?</nav>', content, re.S).group(0)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", menu))).strip()


@pytest.mark.django_db
def test_home_page_is_japanese_by_default_and_english_under_en(client):
    ja = client.get("/")
    assert '<html lang="ja">' in ja.content.decode()
    assert nav(ja) == "会談 国・機関 人物 協定 協定一覧表 訓練 その他の交流 年表"
    text = page_text(ja)
    assert "日本の防衛協力・交流" in text and "本文へ移動" in text and "最新の記録" in text
    assert "Japan's defence relations" not in text and "Skip to content" not in text

    en = client.get("/en/")
    assert '<html lang="en">' in en.content.decode()
    assert nav(en) == "Meetings Countries Officials Agreements Agreements matrix Exercises Engagements Timeline"
    text = page_text(en)
    assert "Japan's defence relations" in text and "Latest on record" in text
    assert "日本の防衛協力・交流" not in text


@pytest.mark.django_db
def test_meeting_list_shows_labels_and_choices_in_the_language_of_the_page(client):
    MeetingFactory(countries=[CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")],
                   kind="courtesy_call", level="ministerial", format="video")

    text = page_text(client.get("/meetings/"))
    for word in ("会談1件", "絞り込み", "検索結果", "相手国・機関", "レベル", "形式", "大臣級",
                 "テレビ会談", "表敬", "新しい順", "この条件の会談をCSVでエクスポート"):
        assert word in text, word
    assert "Filters" not in text and "ministerial" not in text

    text = page_text(client.get("/en/meetings/"))
    for word in ("1 meeting", "Filters", "Results", "Partners", "Level", "Format", "ministerial",
                 "video", "courtesy call", "newest first", "Export CSV of these meetings"):
        assert word in text, word
    assert "絞り込み" not in text and "大臣級" not in text


@pytest.mark.django_db
def test_agreement_matrix_shows_kinds_and_statuses_in_the_language_of_the_page(client):
    philippines = CountryFactory(code="PH", name_ja="フィリピン", name_en="Philippines", region="southeast_asia")
    raa = AgreementFactory(kind="raa", short_name="RAA", title_ja="日比円滑化協定",
                           title_en="Japan–Philippines Reciprocal Access Agreement", parties=[philippines])
    AgreementEventFactory(agreement=raa, kind="signed", date="2024-07-08")
    AgreementEventFactory(agreement=raa, kind="entered_into_force", date="2025-09-11")

    text = page_text(client.get("/agreements/matrix/?as_of=2025-12-01"))
    for word in ("協定一覧表", "状況の基準日", "状況の区分", "円滑化協定", "発効済み", "交渉中",
                 "実質合意", "発効済み（終了通告あり）", "相手国・機関"):
        assert word in text, word
    assert "Reciprocal Access Agreement" not in text.replace(raa.title_en, "")
    assert "in force" not in text

    text = page_text(client.get("/en/agreements/matrix/?as_of=2025-12-01"))
    for word in ("Agreements matrix", "Status as of", "Statuses", "Reciprocal Access Agreement",
                 "in force", "negotiating", "agreed in substance", "in force, termination notified"):
        assert word in text, word
    assert "発効済み" not in text


@pytest.mark.django_db
def test_admin_login_is_japanese_by_default(client):
    text = page_text(client.get(reverse("admin:login")))
    assert "ユーザー名" in text and "パスワード" in text and "Username" not in text


@pytest.mark.django_db
def test_admin_shows_apps_models_fields_and_choices_in_japanese(admin_client):
    text = page_text(admin_client.get(reverse("admin:index")))
    for word in ("会談・協定・訓練", "相手国・機関及び人物", "出典", "協定の経過", "在任期間",
                 "データ品質", "データの要修正箇所"):
        assert word in text, word

    text = page_text(admin_client.get(reverse("admin:meetings_meeting_add")))
    for word in ("会談 を追加", "名称（日本語）", "出典の抜粋", "出典情報", "首脳会談", "「2+2」",
                 "表敬", "懇談", "副大臣・次官級", "実務者レベル", "対面", "電話会談", "回次（第N回）"):
        assert word in text, word
    assert "courtesy call" not in text and "informal meeting" not in text
    # The form's hidden fields, which a page read aloud or without its styles shows too.
    assert "Seen version" not in text and "Seen at" not in text and "開いた版" in text

    text = page_text(admin_client.get(reverse("admin:meetings_agreement_add")))
    for word in ("物品役務相互提供協定", "情報保護協定", "円滑化協定", "意図表明文書", "交換公文",
                 "交渉開始", "実質合意", "発効", "終了通告", "終了通告の効力停止", "終了通告の撤回"):
        assert word in text, word

    text = page_text(admin_client.get(reverse("admin:partners_country_add")))
    for word in ("国・機関 を追加", "大洋州", "太平洋島嶼国", "中南米", "国際機関"):
        assert word in text, word


@pytest.mark.django_db
def test_admin_is_english_when_the_editor_chooses_it(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = page_text(admin_client.get(reverse("admin:index")))
    assert "Meetings, agreements and exercises" in text and "Data quality" in text
    text = page_text(admin_client.get(reverse("admin:meetings_meeting_add")))
    assert "courtesy call" in text and "informal meeting" in text and "表敬" not in text


@pytest.mark.django_db
def test_admin_import_export_and_history_screens_are_japanese(admin_client):
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
    meeting.title_ja = "改めた名称"
    meeting.save()
    history = meeting.history.order_by("history_id").first()
    pages = {
        "history": reverse("admin:meetings_meeting_history", args=[meeting.pk]),
        "revert": reverse("admin:meetings_meeting_simple_history", args=[meeting.pk, history.pk]),
        "export": reverse("admin:meetings_meeting_export"),
        "import": reverse("admin:meetings_meeting_import"),
    }
    text = {name: page_text(admin_client.get(url)) for name, url in pages.items()}
    english = ["Change history", "Choose a date", "Changed by", "Press the 'Revert'", "Revert ",
               "This exporter will export", "Select all", "This importer will import", "Submit",
               "Import", "Export", "Format"]
    for name, page in text.items():
        found = [word for word in english if word in page.replace("import_export", "")]
        assert not found, (name, found)
    assert "以前の版に戻すには" in text["history"] and "変更者" in text["history"]
    assert "この版に戻すには" in text["revert"]
    assert "すべて選択" in text["export"]


@pytest.mark.django_db
def test_the_import_success_message_is_japanese(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from meetings.models import Occasion

    url = reverse("admin:meetings_occasion_import")
    data = "key,name_ja,name_en\nsld,シャングリラ会合,Shangri-La Dialogue\n".encode()
    preview = admin_client.post(url, {"resource": "0", "format": "0",
                                      "import_file": SimpleUploadedFile("o.csv", data)})
    form = preview.context["confirm_form"]
    done = admin_client.post(reverse("admin:meetings_occasion_process_import"),
                             {name: form[name].value() or "" for name in form.fields}, follow=True)
    assert Occasion.objects.filter(key="sld").exists()
    text = page_text(done)
    assert "インポートが完了しました：新規1件" in text and "Import finished" not in text


# --- Japanese typography ----------------------------------------------------------------------

def test_japanese_sentences_follow_each_other_with_no_space_and_english_ones_with_one():
    with translation.override("ja"):
        assert spaced() == ""
        assert Template("{% load defrel_i18n %}A。{% space %}B").render(Context()) == "A。B"
    with translation.override("en"):
        assert spaced() == " "
        assert Template("{% load defrel_i18n %}A.{% space %}B").render(Context()) == "A. B"


@pytest.mark.django_db
def test_pages_join_their_sentences_and_notes_as_each_language_writes_them(client):
    # Sentences translated one by one: a space after 。 or before （ shows as a gap in Japanese.
    ja = client.get("/search/").content.decode()
    assert "表示します。日付はページの表記" in ja  # two sentences of the search page's lead
    assert "引用しています。<a href" in ja  # the footer, on every page
    en = client.get("/en/search/").content.decode()
    assert "every word must be found. Dates are found" in en
    assert "the document it comes from. <a href" in en

    MeetingFactory(count=3, date="2024-05", title_ja="陸幕長と豪陸軍本部長の懇談", title_en="Army chiefs' talks")
    ja = client.get("/timeline/").content.decode()
    assert "懇談</a><span class=\"muted\">（3回）</span>" in ja
    en = html.unescape(client.get("/en/timeline/").content.decode())
    assert "Army chiefs' talks</a> <span class=\"muted\">(3 encounters)</span>" in en


def test_a_note_in_brackets_is_full_width_with_no_space_in_japanese_and_spaced_in_english():
    template = Template("{% load defrel_i18n %}協定{% noted %}{{ short }}{% endnoted %}")
    with translation.override("ja"):
        assert noted("ACSA") == "（ACSA）" and noted("") == ""
        assert template.render(Context({"short": "A&B"})) == "協定（A&amp;B）"  # escaped
        assert template.render(Context({"short": ""})) == "協定"  # no empty brackets
    with translation.override("en"):
        assert noted("ACSA") == " (ACSA)"
        assert template.render(Context({"short": "ACSA"})) == "協定 (ACSA)"


@pytest.mark.django_db
def test_pages_write_their_notes_in_brackets_as_each_language_does(client):
    agreement = AgreementFactory(title_ja="日豪物品役務相互提供協定", title_en="Japan–Australia ACSA",
                                 short_name="ACSA")
    meeting = MeetingFactory(date="2024-05", title_ja="日豪防衛相会談", title_en="Japan–Australia talks")
    with translation.override("ja"):
        agreement_url, meeting_url = agreement.get_absolute_url(), meeting.get_absolute_url()
    ja = client.get(agreement_url).content.decode()
    assert "<h1>日豪物品役務相互提供協定（ACSA）</h1>" in ja
    en = client.get("/en" + agreement_url).content.decode()
    assert "<h1>Japan–Australia ACSA (ACSA)</h1>" in en
    assert "<title>日豪防衛相会談（2024年5月）" in client.get(meeting_url).content.decode()
    with translation.override("ja"):
        assert str(meeting) == "日豪防衛相会談（2024年5月）"  # the admin's, and its messages'
    with translation.override("en"):
        assert str(meeting) == "Japan–Australia talks (May 2024)"


@pytest.mark.django_db
def test_a_milestone_is_named_then_said_with_a_full_width_colon_in_japanese(client):
    meeting = MeetingFactory(date="2024-07")
    AgreementEventFactory(meeting=meeting, agreement__title_ja="日比円滑化協定", agreement__title_en="Japan–Philippines RAA",
                          agreement__short_name="RAA")
    with translation.override("ja"):
        assert colon() == "："
        url = meeting.get_absolute_url()
    assert "</a>（RAA）：署名" in client.get(url).content.decode()
    assert "</a> (RAA): signed" in client.get("/en" + url).content.decode()
