"""The form renderer (settings.FORM_RENDERER): Django's own form and widget templates drawn by
Jinja2, from the copies Django ships for it (django/forms/jinja2), and every other template a
form asks for (the admin's widgets) by the Django engine as before.

An admin change form draws some 75 widgets, a public list's filters a dozen; the same HTML
through Jinja2 takes the admin's change form from 80 to 68 ms of processor time
(bench/NOTES.md, "Widgets drawn by Jinja2")."""
from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class WidgetsInJinja2(BaseRenderer):
    def __init__(self):
        self.jinja2, self.django = Jinja2(), DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
