"""Reverting a record from its history brings back the links its history keeps (a meeting's
partners and exercises, an agreement's parties, an engagement's partners and officials), on
the form and when saved."""
import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from meetings.models import Agreement, AgreementEvent, Meeting, Participation
from partners.models import Tenure
from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory,
    ParticipationFactory,
)
from tests.meetings.test_concurrent_edits import refused
from tests.meetings.test_version_checked_deletes import form_fields as confirmation_fields
from tests.pages import form_fields, text
from tests.partners.factories import CountryFactory, OfficialFactory, TenureFactory

pytestmark = [pytest.mark.django_db]


def chosen(response, name):
    """The labels of the options chosen in the form's select ``name``, as the editor sees them."""
    page = response.content.decode()
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return {html.unescape(label) for label in re.findall(r"<option [^>]*selected>(.*?)</option>", select)}


def partners():
    return (CountryFactory(code="US", name_ja="米国"), CountryFactory(code="AU", name_ja="豪州"),
            CountryFactory(code="PH", name_ja="フィリピン"))


def edited_meeting():
    """A meeting with the United States, Australia, the Philippines and an exercise, then
    edited: Australia and the exercise taken off, the English title changed. With the entry
    of its first version, partners and exercise included."""
    us, au, ph = partners()
    drill = ExerciseFactory(name_ja="タリスマン・セイバー", date="2025-07", countries=[us, au])
    meeting = MeetingFactory(title_en="Japan–U.S.–Australia–Philippines Defense Ministers' Meeting",
                             countries=[us, au, ph])
    meeting.exercises.set([drill])
    first = meeting.history.latest("history_date")
    meeting.countries.remove(au)
    meeting.exercises.clear()
    meeting.title_en = "Japan–U.S.–Philippines Defense Ministers' Meeting"
    meeting.save()
    return meeting, first


def revert_url(record, entry):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history",
                   args=[record.pk, entry.history_id])


def test_the_revert_form_shows_the_partners_and_exercises_of_the_chosen_version(editor_client):
    meeting, first = edited_meeting()

    page = editor_client.get(revert_url(meeting, first))

    assert chosen(page, "countries") == {"米国", "豪州", "フィリピン"}
    assert chosen(page, "exercises") == {"タリスマン・セイバー（2025年7月）"}


def test_reverting_a_meeting_restores_its_partners_and_exercises_and_records_them(editor_client):
    meeting, first = edited_meeting()
    url = revert_url(meeting, first)

    response = editor_client.post(url, form_fields(editor_client.get(url)))

    assert response.status_code == 302, text(response)[:3000]
    reverted = Meeting.objects.get()
    assert reverted.title_en == "Japan–U.S.–Australia–Philippines Defense Ministers' Meeting"
    assert {c.code for c in reverted.countries.all()} == {"US", "AU", "PH"}
    assert [e.name_ja for e in reverted.exercises.all()] == ["タリスマン・セイバー"]
    latest = reverted.history.latest("history_date")
    assert (latest.title_en, latest.history_user.username) == (reverted.title_en, "editor")
    assert {c.country.code for c in latest.countries.all()} == {"US", "AU", "PH"}
    assert [e.exercise.name_ja for e in latest.exercises.all()] == ["タリスマン・セイバー"]


def test_reverting_an_agreement_shows_and_restores_its_parties(editor_client):
    us, au, ph = partners()
    agreement = AgreementFactory(parties=[us, au])
    first = agreement.history.latest("history_date")
    agreement.parties.set([us, ph])
    url = revert_url(agreement, first)

    page = editor_client.get(url)
    assert chosen(page, "parties") == {"米国", "豪州"}
    response = editor_client.post(url, form_fields(page))

    assert response.status_code == 302, text(response)[:3000]
    assert {c.code for c in Agreement.objects.get().parties.all()} == {"US", "AU"}
    latest = agreement.history.latest("history_date")
    assert {c.country.code for c in latest.parties.all()} == {"US", "AU"}


def test_reverting_an_engagement_restores_its_partners_and_officials(editor_client):
    us, au, ph = partners()
    marles = OfficialFactory(country=au, slug="richard-marles", name_ja="マールズ")
    engagement = EngagementFactory(countries=[us, au], officials=[marles])
    first = engagement.history.latest("history_date")
    engagement.countries.set([ph])
    engagement.officials.clear()
    url = revert_url(engagement, first)

    page = editor_client.get(url)
    assert (chosen(page, "countries"), chosen(page, "officials")) == ({"米国", "豪州"}, {"マールズ"})
    response = editor_client.post(url, form_fields(page))

    assert response.status_code == 302, text(response)[:3000]
    engagement.refresh_from_db()
    assert {c.code for c in engagement.countries.all()} == {"US", "AU"}
    assert [o.slug for o in engagement.officials.all()] == ["richard-marles"]


def test_a_revert_that_would_restore_partners_is_refused_when_the_record_changed_since(editor_client):
    meeting, first = edited_meeting()
    url = revert_url(meeting, first)
    form = form_fields(editor_client.get(url))
    assert len(form["countries"]) == 3  # the revert would bring Australia back
    other = Meeting.objects.get()  # someone else saves the meeting meanwhile, as its form does
    other.summary_ja = "防衛協力について協議した。"
    other.save()
    other.countries.remove(CountryFactory(code="PH"))

    response = editor_client.post(url, form)

    refused(response)
    assert {c.code for c in Meeting.objects.get().countries.all()} == {"US"}
    assert Meeting.objects.get().title_en == "Japan–U.S.–Philippines Defense Ministers' Meeting"


def test_a_viewer_reads_a_past_version_as_values_with_no_field_to_edit_and_no_revert(viewer_client):
    meeting, first = edited_meeting()
    page = viewer_client.get(revert_url(meeting, first))

    assert set(form_fields(page)) == {"csrfmiddlewaretoken"}  # nothing to post but the token
    shown = html.unescape(text(page))
    assert "Japan–U.S.–Australia–Philippines Defense Ministers' Meeting" in shown  # the version's title
    assert "相手国・機関: 米国、豪州、フィリピン" in shown  # its partners, not today's
    assert "視察した訓練: タリスマン・セイバー" in shown
    assert "差し戻し" not in shown and "Revert" not in shown
    assert "を表示" in shown  # "View meeting", not "Revert meeting"


def test_an_editor_reads_a_past_version_as_the_form_to_revert_to(editor_client):
    meeting, first = edited_meeting()
    form = form_fields(editor_client.get(revert_url(meeting, first)))
    assert form["title_en"] == ["Japan–U.S.–Australia–Philippines Defense Ministers' Meeting"]


def test_a_viewer_can_neither_revert_a_record_nor_bring_a_deleted_one_back(editor_client, viewer):
    """The page hides the revert button from a viewer; posting the form anyway is refused."""
    viewer_client = Client()
    viewer_client.force_login(viewer)
    meeting, first = edited_meeting()
    url = revert_url(meeting, first)
    form = form_fields(editor_client.get(url))

    assert viewer_client.get(url).status_code == 200  # the version may be read
    assert viewer_client.post(url, form).status_code == 403
    assert Meeting.objects.get().title_en == "Japan–U.S.–Philippines Defense Ministers' Meeting"

    last = meeting.history.latest("history_date")
    url = revert_url(meeting, last)
    meeting.delete()
    assert viewer_client.post(url, form).status_code == 403
    assert not Meeting.objects.exists()
    # an editor may bring it back
    page = editor_client.get(url)
    assert page.status_code == 200, text(page)[:600]
    response = editor_client.post(url, form_fields(page))
    assert response.status_code == 302, text(response)[:600]
    assert Meeting.objects.get().title_en == last.title_en


def test_reverting_a_milestone_to_another_agreement_changes_the_one_it_leaves(editor_client):
    """An editor with the agreement open cannot then save the milestone back over the revert."""
    first, second = AgreementFactory(key="first"), AgreementFactory(key="second")
    milestone = AgreementEventFactory(agreement=first)
    under_first = milestone.history.latest("history_date")
    milestone = AgreementEvent.objects.get(pk=milestone.pk)  # as an editor's form reads it
    milestone.agreement = second
    milestone.save()
    left = Agreement.objects.get(pk=second.pk).version
    url = revert_url(milestone, under_first)

    response = editor_client.post(url, form_fields(editor_client.get(url)))

    assert response.status_code == 302, text(response)[:3000]
    assert AgreementEvent.objects.get().agreement == first
    assert Agreement.objects.get(pk=second.pk).version > left


def test_reverting_a_tenure_to_another_official_takes_the_title_from_the_one_it_leaves(editor_client):
    tenure = TenureFactory(date="2019/2020", position__title_ja="防衛大臣")
    first = ParticipationFactory(official=tenure.official, meeting=MeetingFactory(date="2019-05"))
    other = OfficialFactory(country=tenure.official.country)
    second = ParticipationFactory(official=other, meeting=MeetingFactory(date="2019-06"))
    of_first = tenure.history.latest("history_date")
    tenure = Tenure.objects.get(pk=tenure.pk)
    tenure.official = other
    tenure.save()
    url = revert_url(tenure, of_first)

    response = editor_client.post(url, form_fields(editor_client.get(url)))

    assert response.status_code == 302, text(response)[:3000]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.title, second.title) == ("防衛大臣", "")


def test_a_deleted_meeting_brought_back_brings_back_what_its_delete_took(editor_client):
    """Its participants, with their titles, and its place in the milestone reached at it;
    not a participant removed by someone else before, and the editor is told what came back."""
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")], date="2019-05")
    tenure = TenureFactory(date="2019/2020", position__title_ja="防衛大臣")
    ParticipationFactory(meeting=meeting, official=tenure.official)
    ParticipationFactory(meeting=meeting, official=OfficialFactory(name_ja="ウォン"))
    removed_before = ParticipationFactory(meeting=meeting, official=OfficialFactory(name_ja="先に外された人"))
    removed_before.delete()  # by a script, before the meeting's delete
    milestone = AgreementEventFactory(meeting=meeting)
    delete_url = reverse("admin:meetings_meeting_delete", args=[meeting.pk])
    assert editor_client.post(delete_url, confirmation_fields(editor_client.get(delete_url))).status_code == 302
    assert not Participation.objects.exists() and AgreementEvent.objects.get().meeting is None

    last = meeting.history.filter(history_type="~").latest("history_date")
    url = revert_url(meeting, last)
    response = editor_client.post(url, form_fields(editor_client.get(url)), follow=True)

    assert Meeting.objects.filter(pk=meeting.pk).exists()
    back = {p.official.name_ja: p.title for p in Participation.objects.select_related("official", "position")}
    assert back == {tenure.official.name_ja: "防衛大臣", "ウォン": ""}
    assert AgreementEvent.objects.get(pk=milestone.pk).meeting_id == meeting.pk
    told = " ".join(str(m) for m in response.context["messages"])
    assert "ウォン" in told and "先に外された人" not in told


def test_the_deleted_records_of_a_list_lead_to_their_history(editor_client):
    """Linked from the list; each with who deleted it and a link to its history, where it may
    be brought back; a record brought back is no longer listed."""
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")], title_ja="削除された会談")
    meeting.save()  # an entry with its partners, to bring it back from
    MeetingFactory(countries=[CountryFactory(code="US")], title_ja="残る会談")  # not deleted: not listed
    changelist = editor_client.get(reverse("admin:meetings_meeting_changelist")).content.decode()
    deleted_url = reverse("admin:meetings_meeting_deleted")
    assert f'href="{deleted_url}"' in changelist
    delete_url = reverse("admin:meetings_meeting_delete", args=[meeting.pk])
    assert editor_client.post(delete_url, confirmation_fields(editor_client.get(delete_url))).status_code == 302

    page = editor_client.get(deleted_url)
    shown = text(page)
    assert "削除された会談" in shown and "残る会談" not in shown and "editor" in shown
    history = reverse("admin:meetings_meeting_history", args=[meeting.pk])
    assert f'href="{history}"' in page.content.decode()
    assert editor_client.get(history).status_code == 200

    last = Meeting.history.filter(id=meeting.pk, history_type="~").latest("history_date")
    url = reverse("admin:meetings_meeting_simple_history", args=[meeting.pk, last.history_id])
    assert editor_client.post(url, form_fields(editor_client.get(url))).status_code == 302
    assert f'href="{history}"' not in editor_client.get(deleted_url).content.decode()


def test_every_editorial_list_has_its_deleted_records_page(admin_client):
    from django.contrib import admin

    from defrel.admin import EditorialAdmin

    lists = [model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, EditorialAdmin)]
    assert len(lists) >= 12
    for model in lists:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_deleted")
        assert admin_client.get(url).status_code == 200, url


def test_the_revert_page_is_named_in_the_editors_language(editor_client):
    meeting, first = edited_meeting()
    page = editor_client.get(revert_url(meeting, first)).content.decode()
    crumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', page, re.S).group(1)
    assert "会談・協定・訓練" in crumbs and ">会談<" in crumbs and "Historical" not in page and "Meetings" not in crumbs
    assert str(Meeting.history.model._meta.verbose_name) == "会談（履歴）"


def test_the_entry_of_a_delete_keeps_the_links_and_brings_the_record_back_whole(editor_client):
    """The newest entry of a deleted record, first on its history page, is its delete: it
    records the partners, exercises, parties and officials the record had, not none (the
    delete removes the links first), so the record can be brought back from it."""
    meeting, first = edited_meeting()
    agreement = AgreementFactory(parties=[CountryFactory(code="GB")])
    engagement = EngagementFactory(countries=[CountryFactory(code="NZ")], officials=[OfficialFactory()])
    for record in (meeting, agreement, engagement):
        url = reverse(f"admin:meetings_{record._meta.model_name}_delete", args=[record.pk])
        assert editor_client.post(url, confirmation_fields(editor_client.get(url))).status_code == 302

    deleted = meeting.history.latest("history_date")
    assert deleted.history_type == "-" and {link.country.code for link in deleted.countries.all()} == {"US", "PH"}
    assert [link.country.code for link in agreement.history.latest("history_date").parties.all()] == ["GB"]
    assert len(engagement.history.latest("history_date").officials.all()) == 1
    history = text(editor_client.get(reverse("admin:meetings_meeting_history", args=[meeting.pk])))
    assert "[米国, フィリピン] → []" not in history.replace("\xa0", " ")

    url = revert_url(meeting, deleted)
    assert editor_client.post(url, form_fields(editor_client.get(url))).status_code == 302
    assert {c.code for c in Meeting.objects.get(pk=meeting.pk).countries.all()} == {"US", "PH"}


def test_the_message_after_a_revert_says_which_version_came_back(editor_client):
    meeting, first = edited_meeting()
    url = revert_url(meeting, first)
    response = editor_client.post(url, form_fields(editor_client.get(url)), follow=True)

    told = [str(m) for m in response.context["messages"]]
    when = formats.date_format(timezone.localtime(first.history_date), "DATETIME_FORMAT")
    assert told == [f"会談「{Meeting.objects.get()}」を{when}の版に戻しました（新しい版として保存）。"]

    delete_url = reverse("admin:meetings_meeting_delete", args=[meeting.pk])
    assert editor_client.post(delete_url, confirmation_fields(editor_client.get(delete_url))).status_code == 302
    response = editor_client.post(url, form_fields(editor_client.get(url)), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"削除された会談「{Meeting.objects.get()}」を{when}の版で復元しました。"]
