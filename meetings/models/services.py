"""The SDF services a record names (exercises, engagements): one “|”-joined field, read,
shown, checked and filtered the same way everywhere."""
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from defrel.models import listed, noted

SERVICES = {"joint": _("joint"), "gsdf": _("GSDF"), "msdf": _("MSDF"), "asdf": _("ASDF")}


def has_service(service, field="services"):
    """Records whose “|”-joined ``field`` holds ``service`` as one of its values."""
    return (Q(**{field: service}) | Q(**{f"{field}__startswith": f"{service}|"})
            | Q(**{f"{field}__endswith": f"|{service}"}) | Q(**{f"{field}__contains": f"|{service}|"}))


class WithServices(models.Model):
    services = models.CharField(
        _("services"), max_length=40, blank=True,
        help_text=_("joint, gsdf, msdf, asdf — joined by “|”."),
    )

    class Meta:
        abstract = True

    @property
    def service_list(self):
        return [s for s in self.services.split("|") if s]

    @property
    def services_display(self):
        return listed(str(SERVICES.get(s, s)) for s in self.service_list)

    def clean(self):
        super().clean()
        # As an editor types them in a form or a spreadsheet ("MSDF | asdf", "msdf|msdf",
        # "msdf|"): spaces, capitals, a repeat or an empty value are slips, not facts.
        self.services = "|".join(dict.fromkeys(s.strip().lower() for s in self.services.split("|") if s.strip()))
        unknown = [s for s in self.service_list if s not in SERVICES]
        if unknown:
            raise ValidationError({"services": _("Unknown service: %(s)s (the services are %(known)s, joined by “|”)") % {
                "s": listed(unknown), "known": listed(f"{key}{noted(label)}" for key, label in SERVICES.items())}})
