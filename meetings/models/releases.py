from django.db import models
from django.utils.translation import gettext_lazy as _


class Release(models.Model):
    """A versioned data release that ``manage.py release`` wrote: the file the site serves as
    the latest, and the moment the next release's changelog starts from."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    # A bare file name in settings.RELEASES_DIR, written by the command: the site serves
    # only these, never a path from a request.
    filename = models.CharField(_("file name"), max_length=100, unique=True)
    # The history read for the changelog ends here; the next release's starts here.
    created_at = models.DateTimeField(_("created at"), db_index=True)
    records = models.PositiveIntegerField(_("records"), default=0)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        verbose_name = _("data release")
        verbose_name_plural = _("data releases")

    def __str__(self):
        return f"defrel {self.version}"
