"""A status stated without a date may be "signed": the 2025 White Paper says two documents
that are not treaties were signed and dates neither — 「インドとの間では、「日印間の安全保障協力に
関する共同宣言」が署名され」 and 「日伊防衛協力・交流に関する覚書、日伊ACSAへの署名など」 — and
never that they entered into force; they were curated "in force", the only undated status there
was. A database loaded before gets "signed" for them here, only where the status is still as
curated (meetings.corrections)."""
from django.db import migrations, models

from meetings.corrections import correct

AGREEMENTS = {
    "in-joint-declaration-security-cooperation": {"stated_status": ("in_force", "signed")},
    "it-defense-mou": {"stated_status": ("in_force", "signed")},
}


def signed_as_the_source_says(apps, schema_editor):
    correct(apps, schema_editor, "meetings.Agreement", AGREEMENTS)


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0020_participants_known_from_not_in_summaries'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agreement',
            name='stated_status',
            field=models.CharField(blank=True, choices=[('', 'no record'), ('in_force', 'in force'), ('signed', 'signed')], help_text='When the source says the agreement is in force, or that it was signed, but gives no date.', max_length=20, verbose_name='status stated without a date'),
        ),
        migrations.AlterField(
            model_name='historicalagreement',
            name='stated_status',
            field=models.CharField(blank=True, choices=[('', 'no record'), ('in_force', 'in force'), ('signed', 'signed')], help_text='When the source says the agreement is in force, or that it was signed, but gives no date.', max_length=20, verbose_name='status stated without a date'),
        ),
        migrations.RunPython(signed_as_the_source_says, migrations.RunPython.noop, elidable=False),
    ]
