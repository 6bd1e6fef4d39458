import re

from django.db import migrations, models

KANJI_NAME = re.compile(r"[\u4e00-\u9fff]{3,}\Z")


def names_of(name_ja):
    """The forms the documents write a name in: whole, each part of a katakana name
    (マールズ, ファン・ヴァン・ザン → ザン), the family name of a kanji name (木原稔 → 木原)."""
    forms = {name_ja, *(part for part in name_ja.split("・") if len(part) >= 2)}
    if KANJI_NAME.match(name_ja):
        forms.add(name_ja[:2])
    return {f for f in forms if f}


def fill(apps, schema_editor):
    """Rows written before the field: "excerpt" when the official's name is in the meeting's
    quoted sentence, otherwise "public_record" (the source texts are not at hand here, so a
    row claims no more than the excerpt shows; an editor may raise it to "source")."""
    Participation = apps.get_model("meetings", "Participation")
    Participation.objects.update(known_from="public_record")
    rows = Participation.objects.values_list("pk", "meeting__source_excerpt", "official__name_ja")
    named = [pk for pk, excerpt, name in rows.iterator(chunk_size=2000)
             if any(n in re.sub(r"\s", "", excerpt) for n in names_of(name))]
    # A few hundred keys a statement: SQLite takes at most 32,766 parameters in one.
    for start in range(0, len(named), 500):
        Participation.objects.filter(pk__in=named[start:start + 500]).update(known_from="excerpt")


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0007_engagement_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="participation",
            name="known_from",
            field=models.CharField(
                choices=[("excerpt", "named in the quoted sentence"),
                         ("source", "named elsewhere in the same source"),
                         ("public_record", "identified from public record")],
                default="", help_text="Whether the source names this official for this meeting, in its quoted sentence or elsewhere, or the official was identified from public record.",
                max_length=20, verbose_name="known from"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalparticipation",
            name="known_from",
            field=models.CharField(
                choices=[("excerpt", "named in the quoted sentence"),
                         ("source", "named elsewhere in the same source"),
                         ("public_record", "identified from public record")],
                default="", help_text="Whether the source names this official for this meeting, in its quoted sentence or elsewhere, or the official was identified from public record.",
                max_length=20, verbose_name="known from"),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="agreement",
            name="stated_status",
            field=models.CharField(blank=True, choices=[("", "no record"), ("in_force", "in force")], help_text="When the source says the agreement is in force but gives no date.", max_length=20, verbose_name="status stated without a date"),
        ),
        migrations.AlterField(
            model_name="historicalagreement",
            name="stated_status",
            field=models.CharField(blank=True, choices=[("", "no record"), ("in_force", "in force")], help_text="When the source says the agreement is in force but gives no date.", max_length=20, verbose_name="status stated without a date"),
        ),
    ]
