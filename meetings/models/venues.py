"""Where a meeting took place, as a reader asks it: by video or telephone, in Japan, in the
partner's country, in a third country, or at a multilateral venue. Derived and stored with
each meeting (as its date bounds are) from its format, occasion, host country and partners,
in the same transaction as every write that can change it: a meeting's save, its partners
set or changed, fixtures loaded raw and imports written in bulk (rows_written). A restore
copies the column with the table.

The functions take the models from the querysets they are given, so that a migration can
call them with its historical models."""
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.db.models.signals import m2m_changed, post_save
from django.utils.translation import gettext_lazy as _

from defrel.derived import deriving_at_the_end
from defrel.models import rows_written
from defrel.queries import among

JAPAN = "JP"


class Venue(models.TextChoices):
    REMOTE = "remote", _("by video or telephone")
    JAPAN = "japan", _("in Japan")
    PARTNER = "partner", _("in the partner's country")
    THIRD = "third", _("in a third country")
    MULTILATERAL = "multilateral", _("at a multilateral venue")
    UNKNOWN = "unknown", _("place not recorded")


def venue_rule(meetings):
    """The rule, as an expression over ``meetings``'s rows (no join, so that an UPDATE can
    use it): by video or telephone first, wherever the people sat; then a meeting on the
    margins of an occasion (Shangri-La Dialogue, ADMM-Plus) at its multilateral venue; then
    by the host country: Japan, one of the meeting's partners, another country; no host
    country recorded: not recorded."""
    model = meetings.model
    countries = model._meta.get_field("countries")
    links = countries.remote_field.through._base_manager.filter(
        **{countries.m2m_field_name(): OuterRef("pk"), countries.m2m_reverse_field_name(): OuterRef("host_country")})
    japan = countries.related_model._base_manager.filter(code=JAPAN).values("pk")
    return Case(
        When(format__in=["video", "phone"], then=Value(Venue.REMOTE)),
        When(occasion__isnull=False, then=Value(Venue.MULTILATERAL)),
        When(host_country__isnull=True, then=Value(Venue.UNKNOWN)),
        When(Q(host_country__in=japan), then=Value(Venue.JAPAN)),
        When(Exists(links), then=Value(Venue.PARTNER)),
        default=Value(Venue.THIRD),
        output_field=models.CharField(),
    )


def store_venues(meetings):
    """Store the venue of each of ``meetings`` (a queryset): one UPDATE, whatever their number."""
    return meetings.update(venue=venue_rule(meetings))


def saved(sender, instance, raw=False, using=None, **kwargs):
    if not deriving_at_the_end():
        store_venues(sender._base_manager.using(using).filter(pk=instance.pk))


def partners_changed(sender, instance, action, reverse, pk_set, using=None, model=None, **kwargs):
    """A meeting's partners set, added or removed, from either side of the relation."""
    if action not in ("post_add", "post_remove", "post_clear") or deriving_at_the_end():
        return
    meetings = sender._meta.get_field("meeting").related_model._base_manager.using(using)
    if reverse:  # country.meetings.add(…): the meetings named, or all of the country's
        meetings = meetings.filter(pk__in=pk_set) if pk_set else meetings.filter(countries=instance)
    else:
        meetings = meetings.filter(pk=instance.pk)
    store_venues(meetings)


def written(sender, instances, using=None, **kwargs):
    """Meetings written without save() (rows_written), their partners with them."""
    if instances and sender._meta.label == "meetings.Meeting":
        store_venues(sender._base_manager.using(using).filter(among([i.pk for i in instances])))


def connect_venues(Meeting):
    """Called with the Meeting model once the app is ready (this module is imported by it)."""
    post_save.connect(saved, sender=Meeting, dispatch_uid="venues-saved")
    m2m_changed.connect(partners_changed, sender=Meeting.countries.through, dispatch_uid="venues-partners")
    rows_written.connect(written, dispatch_uid="venues-written")
