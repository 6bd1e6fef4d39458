"""The title at the time is stored with each participation and kept true to the title rule
(partners.models.held_during) by every kind of write."""
import datetime
import json
import random

import pytest
import tablib
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from meetings import quality
from meetings.models import Meeting, Participation
from meetings.models.titles import store_titles, with_held_position
from meetings.resources import MeetingResource, ParticipationResource
from partners.models import Tenure
from tests.meetings.factories import MeetingFactory, ParticipationFactory
from tests.pages import form_fields
from tests.partners.factories import CountryFactory, OfficialFactory, PositionFactory, TenureFactory

pytestmark = [pytest.mark.django_db]

LEVELS = ["minister", "vice_minister", "other"]


def partial(rng, day):
    """``day`` written as a year, a month or a day."""
    return rng.choice([f"{day:%Y}", f"{day:%Y-%m}", day.isoformat()])


def period(rng, unknown_start=False):
    """A partial date of 2016–2020: a day, month or year, a closed interval of those (of
    mixed precision), an open end, or (tenures) an unknown start."""
    a, b = sorted(datetime.date(2016, 1, 1) + datetime.timedelta(days=rng.randrange(5 * 365)) for _ in "ab")
    forms = ["single", "interval", "interval", "since"] + (["until"] if unknown_start else [])
    form = rng.choice(forms)
    if form == "single":
        return partial(rng, a)
    if form == "since":
        return f"{partial(rng, a)}/.."
    if form == "until":
        return f"/{partial(rng, b)}"
    return f"{partial(rng, a)}/{partial(rng, b)}"


def disagreements():
    """(participation, stored position, the rule's position) wherever they differ."""
    rows = with_held_position(Participation.objects.all()).values_list("pk", "position", "held")
    return [row for row in rows if row[1] != row[2]]


class Careers:
    """Officials of one country with several tenures each, meetings, and random writes."""

    def __init__(self, seed):
        self.rng = rng = random.Random(seed)
        country = CountryFactory()
        self.positions = [PositionFactory(country=country, level=rng.choice(LEVELS)) for _ in range(4)]
        self.officials = [OfficialFactory(country=country) for _ in range(3)]
        for official in self.officials:
            for _ in range(rng.randint(1, 4)):
                self.add_tenure(official)
        self.meetings = [MeetingFactory(date=period(rng)) for _ in range(5)]
        for meeting in self.meetings:
            for official in rng.sample(self.officials, rng.randint(1, 3)):
                ParticipationFactory(meeting=meeting, official=official)

    def add_tenure(self, official=None):
        Tenure(official=official or self.rng.choice(self.officials), position=self.rng.choice(self.positions),
               date=period(self.rng, unknown_start=True)).save()

    def change_tenure(self):
        tenure = self.rng.choice(list(Tenure.objects.all()))
        tenure.date = period(self.rng, unknown_start=True)
        tenure.position = self.rng.choice(self.positions)
        if self.rng.random() < 0.5:  # handed to another official: both careers change
            tenure.official = self.rng.choice(self.officials)
        tenure.save()

    def delete_tenure(self):
        self.rng.choice(list(Tenure.objects.all())).delete()

    def change_meeting_date(self):
        meeting = Meeting.objects.get(pk=self.rng.choice(self.meetings).pk)
        meeting.date = period(self.rng)
        meeting.save()

    def add_participation(self):
        meeting = self.rng.choice(self.meetings)
        absent = [o for o in self.officials if not meeting.participations.filter(official=o).exists()]
        if not absent:
            meeting.participations.all().delete()
            absent = self.officials
        if self.rng.random() < 0.5:
            Participation(meeting=meeting, official=self.rng.choice(absent)).save()
        else:  # the many-to-many manager writes the row without save()
            meeting.participants.add(self.rng.choice(absent))

    def change_level(self):
        position = self.rng.choice(self.positions)
        position.level = next(level for level in LEVELS if level != position.level)
        position.save()

    def import_meeting(self):
        """A meeting's row exported, given another date and participants, and imported
        (the import writes rows and links in bulk, without save())."""
        meeting = self.rng.choice(self.meetings)
        exported = MeetingResource().export(queryset=Meeting.objects.filter(pk=meeting.pk))
        row = exported.dict[0]
        row["date"] = period(self.rng)
        row["participants"] = "|".join(o.slug for o in self.rng.sample(self.officials, self.rng.randint(1, 3)))
        data = tablib.Dataset(headers=exported.headers)
        data.append([row[h] for h in exported.headers])
        result = MeetingResource().import_data(data, dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows


WRITES = ["add_tenure", "change_tenure", "delete_tenure", "change_meeting_date", "add_participation",
          "change_level", "import_meeting"]


@pytest.mark.parametrize("seed", range(4))
def test_after_every_kind_of_write_the_stored_title_is_the_one_the_rule_gives(seed):
    careers = Careers(seed)
    assert disagreements() == []
    writes = WRITES * 3
    careers.rng.shuffle(writes)
    for step, write in enumerate(writes):
        if write in ("change_tenure", "delete_tenure") and not Tenure.objects.exists():
            careers.add_tenure()
        getattr(careers, write)()
        assert disagreements() == [], (seed, step, write)
    # and the titles are not all empty: the careers do cover meetings
    assert Participation.objects.filter(position__isnull=False).exists()


def test_a_title_that_disagrees_with_the_rule_is_listed_on_the_data_quality_page(editor_client):
    tenure = TenureFactory(date="2023-09-13/2024-10-01", official__name_ja="木原稔", position__title_ja="防衛大臣")
    participation = ParticipationFactory(official=tenure.official, meeting=MeetingFactory(key="m", date="2024-05"))
    assert quality.problems()["stale_title"] == []
    with connection.cursor() as cursor:  # a write that goes round the models
        cursor.execute(f"UPDATE {Participation._meta.db_table} SET position_id = NULL WHERE id = %s",
                       [participation.pk])
    [problem] = quality.problems()["stale_title"]
    assert problem.record.key == "m" and "防衛大臣" in problem.detail
    page = editor_client.get(reverse("data-quality")).content.decode()
    assert "木原稔 — 2024年5月：— → 防衛大臣" in page
    assert reverse("admin:meetings_meeting_change", args=[participation.meeting.pk]) in page
    with connection.cursor() as cursor:  # another office than the one held then
        cursor.execute(f"UPDATE {Participation._meta.db_table} SET position_id = %s WHERE id = %s",
                       [PositionFactory(title_ja="外務大臣").pk, participation.pk])
    [problem] = quality.problems()["stale_title"]
    assert problem.detail.endswith("：外務大臣 → 防衛大臣")


def test_fixtures_loaded_raw_get_their_titles(tmp_path):
    official = OfficialFactory()
    early = TenureFactory(official=official, date="2019/2020", position__title_ja="外務大臣")
    late = TenureFactory(official=official, date="2021/2022", position__title_ja="防衛大臣")
    participation = ParticipationFactory(official=official, meeting=MeetingFactory(date="2021-05"))
    assert participation.title == "防衛大臣"
    # loaddata saves rows as they are, round save(): a tenure moved, a participation without its title
    late.date = "2023/2024"
    late.fill_date_bounds()  # a fixture carries its bounds, as dumpdata writes them
    fixture = json.loads(serializers.serialize("json", [late, participation]))
    fixture[1]["fields"]["position"] = None
    path = tmp_path / "moved.json"
    path.write_text(json.dumps(fixture))
    call_command("loaddata", str(path), verbosity=0)
    assert Participation.objects.get().position is None  # 2021: neither office now
    early.date = "2019/2021"
    early.fill_date_bounds()
    path.write_text(serializers.serialize("json", [early]))
    call_command("loaddata", str(path), verbosity=0)
    assert Participation.objects.get().position.title_ja == "外務大臣"


def test_an_editor_changing_a_meeting_date_or_a_tenure_in_the_admin_changes_the_title(editor_client):
    official = OfficialFactory()
    TenureFactory(official=official, date="2019/2020", position__title_ja="外務大臣")
    TenureFactory(official=official, date="2021/2022", position__title_ja="防衛大臣")
    meeting = MeetingFactory(date="2021-05")
    ParticipationFactory(official=official, meeting=meeting)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    form = form_fields(editor_client.get(url))
    form["date"] = ["2020-05"]
    assert editor_client.post(url, form).status_code == 302
    assert Participation.objects.get().title == "外務大臣"

    url = reverse("admin:partners_official_change", args=[official.pk])
    form = form_fields(editor_client.get(url))
    first = next(name for name, value in form.items() if name.endswith("-date") and value == ["2019/2020"])
    form[first] = ["2019/2019-12"]
    response = editor_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Participation.objects.get().position is None


def test_participations_imported_in_bulk_get_their_titles():
    tenure = TenureFactory(date="2019/2020", position__title_ja="防衛大臣")
    meeting = MeetingFactory(date="2019-05")

    class BulkParticipations(ParticipationResource):
        class Meta(ParticipationResource.Meta):
            use_bulk = True
            batch_size = None

    dataset = tablib.Dataset(headers=["meeting", "official", "role", "known_from"])
    dataset.append([meeting.key, tenure.official.slug, "principal", "excerpt"])
    result = BulkParticipations().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Participation.objects.select_related("position").get().title == "防衛大臣"


def test_a_meeting_saved_on_a_date_no_tenure_covers_says_so(editor_client):
    official = OfficialFactory(name_ja="中谷元")
    TenureFactory(official=official, date="2024-10-01/2025-10-21", position__title_ja="防衛大臣")
    meeting = MeetingFactory(date="2025-03")
    ParticipationFactory(official=official, meeting=meeting)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    form = form_fields(editor_client.get(url))
    form["date"] = ["2025-03"]
    said = editor_client.post(url, form, follow=True)
    assert "在任期間" not in " ".join(str(m) for m in said.context["messages"])  # covered: no word
    form = form_fields(editor_client.get(url))
    form["date"] = ["2024-05"]  # before the tenure
    said = editor_client.post(url, form, follow=True)
    assert said.status_code == 200 and Meeting.objects.get().date == "2024-05"  # saved all the same
    warned = [str(m) for m in said.context["messages"] if m.level_tag == "warning"]
    assert len(warned) == 1 and "中谷元" in warned[0]


def test_a_tenure_moved_to_another_official_leaves_the_first_without_its_title():
    tenure = TenureFactory(date="2019/2020", position__title_ja="防衛大臣")
    first = ParticipationFactory(official=tenure.official, meeting=MeetingFactory(date="2019-05"))
    other = OfficialFactory(country=tenure.official.country)
    second = ParticipationFactory(official=other, meeting=MeetingFactory(date="2019-06"))
    tenure = Tenure.objects.get(pk=tenure.pk)  # as an editor's form reads it
    tenure.official = other
    tenure.save()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.title, second.title) == ("", "防衛大臣")


def test_a_tenure_write_stores_the_titles_in_queries_that_do_not_grow_with_rows():
    def queries_for(n):
        official = OfficialFactory()
        tenure = TenureFactory(official=official, date="2019/2020")
        for _ in range(n):
            ParticipationFactory(official=official, meeting=MeetingFactory(date="2019-05"))
        tenure.date = "2021/2022"
        with connection.execute_wrapper(counted := Counter()):
            tenure.save()
        assert Participation.objects.filter(official=official, position__isnull=False).count() == 0
        return counted.n

    assert queries_for(1) == queries_for(20)


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def test_storing_the_titles_of_every_participation_is_one_query(django_assert_num_queries):
    careers = Careers(seed=7)
    Participation.objects.update(position=None)
    with django_assert_num_queries(1):
        store_titles(Participation.objects.all())
    assert disagreements() == []
    assert len(careers.meetings) == Meeting.objects.count()

