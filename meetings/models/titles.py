"""The title at the time: each participation stores the position its official held on its
meeting's dates, as partners.models.held_during chooses it, derived in the same transaction
as every write that can change it: the participation's own (before it is written), a tenure's,
a position's (its level ranks it), a meeting's date, officials linked through
Meeting.participants, fixtures loaded raw, and imports written in bulk (rows_written).
A restore copies the tables, the stored column with them.

The functions take the models from the querysets they are given, so that a migration can
call them with its historical models."""
from django.db.models import F, OuterRef, Q, Subquery

from defrel.derived import deriving_at_the_end
from defrel.models import loaded_parents
from defrel.queries import among
from partners.models import Position, Tenure, position_held, tenure_held


def tenure_model(participation_model):
    official = participation_model._meta.get_field("official").related_model
    return official._meta.get_field("tenures").related_model


def with_held_position(participations, without=None):
    """``participations`` (a queryset) each with ``held``: the id of the position held on its
    meeting's dates (None when no tenure covers them); the tenures ``without`` (a queryset,
    about to be deleted) left out of the choice."""
    tenures = tenure_model(participations.model)._base_manager.filter(official=OuterRef("official"))
    if without is not None:
        tenures = tenures.exclude(pk__in=without.values("pk"))
    return participations.annotate(
        held=position_held(tenures, OuterRef("meeting__date_lower"), OuterRef("meeting__date_upper")))


def titled_otherwise(participations, without=None):
    """Of ``participations`` (a queryset), with ``held`` as with_held_position gives it, those
    whose stored title is not the held one: either may be none."""
    return with_held_position(participations, without).filter(
        Q(position__isnull=True, held__isnull=False) | Q(position__isnull=False, held__isnull=True)
        | (Q(position__isnull=False, held__isnull=False) & ~Q(position=F("held"))))


def retitled_by_deleting(tenures):
    """The participations whose title at the time a delete of ``tenures`` (a queryset) would
    store anew (tenure_deleted), each with ``held``: the position it would then store. Only the
    tenures' officials' participations read them."""
    from meetings.models import Participation

    return titled_otherwise(Participation.objects.filter(official__in=tenures.values("official")), without=tenures)


def with_tenure(participations):
    """``participations`` (a queryset) each with ``tenure``: the id of the tenure in which the
    stored title was held (an official may hold one office twice), chosen by the same rule
    among the official's tenures of that office."""
    tenures = tenure_model(participations.model)._base_manager.filter(
        official=OuterRef("official"), position=OuterRef("position"))
    return participations.annotate(
        tenure=tenure_held(tenures, OuterRef("meeting__date_lower"), OuterRef("meeting__date_upper")))


def store_titles(participations):
    """Store in each of ``participations`` (a queryset) the position held on its meeting's
    dates: one UPDATE, whatever their number. The subquery reads each row's meeting (an
    UPDATE may not join it)."""
    model = participations.model
    held = with_held_position(model._base_manager.filter(pk=OuterRef("pk")).order_by()).values("held")
    return participations.update(position=Subquery(held))


def position_for(participation):
    """The id of the position held on the meeting's dates by a participation about to be
    saved (its meeting as the database holds it), in one query."""
    model = type(participation)
    meeting = model._meta.get_field("meeting").related_model
    tenures = tenure_model(model)._base_manager.filter(official=participation.official_id)
    return (meeting._base_manager.using(participation._state.db).filter(pk=participation.meeting_id)
            .values_list(position_held(tenures, OuterRef("date_lower"), OuterRef("date_upper")), flat=True)
            .first())


def affected(instances, using=None):
    """The participations whose title a write of ``instances`` (records of one model: meetings,
    participations, tenures or positions) may change; None for other models."""
    from meetings.models import Meeting, Participation

    model = type(instances[0])
    participations = Participation._base_manager.using(using)
    if model is Meeting:
        return participations.filter(among([i.pk for i in instances], "meeting"))
    if model is Participation:
        return participations.filter(among([i.pk for i in instances]))
    if model is Tenure:  # its official now, and the one it belonged to when read (InlineRow)
        officials = {i.official_id for i in instances}
        officials |= {getattr(i, "_officials_before", None)
                      or getattr(i, "_loaded_parents", {}).get("official") for i in instances}
        # One parameter, however many: an import of tenures names thousands of officials.
        return participations.filter(among(officials - {None}, "official"))
    if model is Position:
        return participations.filter(official__tenures__position__in=[i.pk for i in instances])
    return None


def written(sender, instances, using=None, **kwargs):
    """After records were written without save() (rows_written)."""
    if instances and (participations := affected(instances, using)) is not None:
        store_titles(participations)


def participation_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    """A participation about to be saved is titled first, as its row is written."""
    if deriving_at_the_end():
        return
    if not raw and (update_fields is None or "position" in update_fields):
        instance.position_id = position_for(instance)


def saved(sender, instance, created=False, raw=False, using=None, update_fields=None, **kwargs):
    """After a meeting, participation, tenure or position was saved (a fixture loaded raw:
    always, as it may arrive before or after what it depends on)."""
    from meetings.models import Meeting, Participation

    if deriving_at_the_end():
        return
    if not raw:
        if sender is Participation and (update_fields is None or "position" in update_fields):
            return  # titled as it was written (participation_saving)
        if created and sender in (Meeting, Position):
            return  # nothing refers to a new meeting or position yet
        if sender is Meeting and instance._saved_date == instance.date:
            return  # its date as read (Dated.from_db): its titles stand
    store_titles(affected([instance], using))


def tenure_saving(sender, instance, raw=False, using=None, **kwargs):
    # The official the tenure had when read (InlineRow keeps it): moved to another, the
    # titles of both change. Kept here, as InlineRow renews its own after the save.
    instance._officials_before = None if raw else loaded_parents(instance, using).get("official")


def tenure_deleted(sender, instance, using=None, **kwargs):
    store_titles(affected([instance], using))


def linked(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    """Officials linked to a meeting through Meeting.participants (add() writes the rows
    without save())."""
    from meetings.models import Participation

    if action != "post_add" or not pk_set or deriving_at_the_end():
        return
    mine, theirs = ("official", "meeting") if reverse else ("meeting", "official")
    store_titles(Participation._base_manager.using(using).filter(
        **{mine: instance.pk, f"{theirs}__in": pk_set}))


def connect_titles():
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

    from defrel.models import rows_written
    from meetings.models import Meeting, Participation

    for model in (Meeting, Participation, Tenure, Position):
        post_save.connect(saved, sender=model, dispatch_uid=f"titles-saved-{model._meta.label}")
    pre_save.connect(participation_saving, sender=Participation, dispatch_uid="titles-participation-saving")
    pre_save.connect(tenure_saving, sender=Tenure, dispatch_uid="titles-tenure-saving")
    post_delete.connect(tenure_deleted, sender=Tenure, dispatch_uid="titles-tenure-deleted")
    m2m_changed.connect(linked, sender=Meeting.participants.through, dispatch_uid="titles-linked")
    rows_written.connect(written, dispatch_uid="titles-written")
