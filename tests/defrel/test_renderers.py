"""Forms draw Django's own widgets through Jinja2 and the admin's through the Django engine,
and every value a widget shows is escaped either way."""
import pytest
from django.forms.renderers import get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template
from django.urls import reverse

from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_djangos_widgets_come_from_jinja2_and_the_admins_from_the_django_engine():
    renderer = get_default_renderer()
    assert isinstance(renderer.get_template("django/forms/widgets/input.html"), Jinja2Template)
    assert isinstance(renderer.get_template("admin/widgets/related_widget_wrapper.html"), DjangoTemplate)


def test_the_change_form_shows_a_title_with_markup_escaped(editor_client):
    meeting = MeetingFactory(title_en='Talks "2+2" <script>alert(1)</script>')
    page = editor_client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).content.decode()
    assert 'value="Talks &#34;2+2&#34; &lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert "<script>alert(1)" not in page
