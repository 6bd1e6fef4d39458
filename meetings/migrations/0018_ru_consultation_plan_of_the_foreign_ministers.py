"""The plan signed at the Japan–Russia foreign ministers' meeting of March 2018 is, in its
source (ru-2018-2plus2, Minister for Foreign Affairs Kono's statement), 「3月の日露外相会談の際に
署名された2018年から2019年の日露外務相間協議計画」: a plan of consultations between the foreign
ministers (外務相), not the foreign ministries (外務省), as the meeting 2018-03-ru-fm and the plan's
own record wrote it. A database loaded before gets the source's wording here, only in the values
still exactly as curated (meetings.corrections)."""
from django.db import migrations

from meetings.corrections import correct

MEETINGS = {
    "2018-03-ru-fm": {
        "summary_ja": (
            "河野外務大臣がラヴロフ外務大臣を東京に迎えて日露外相会談を行い、その際に2018年から2019年の日露外務省間協議計画が署名された。",
            "河野外務大臣がラヴロフ外務大臣を東京に迎えて日露外相会談を行い、その際に2018年から2019年の日露外務相間協議計画が署名された。",
        ),
        "summary_en": (
            "Foreign Minister Kono hosted Foreign Minister Lavrov in Tokyo for a foreign ministers' meeting, at which the 2018–2019 consultation plan between the two foreign ministries was signed.",
            "Minister for Foreign Affairs Kono hosted Minister of Foreign Affairs Lavrov in Tokyo for a Japan–Russia foreign ministers' meeting, at which the 2018–2019 Japan–Russia consultation plan between the foreign ministers was signed.",
        ),
        "outcomes_ja": (
            "2018年から2019年の日露外務省間協議計画に署名。",
            "2018年から2019年の日露外務相間協議計画に署名。",
        ),
        "outcomes_en": (
            "Signed the 2018–2019 consultation plan between the foreign ministries.",
            "Signed the 2018–2019 Japan–Russia consultation plan between the foreign ministers.",
        ),
    },
}
AGREEMENTS = {
    "ru-mofa-consultation-plan-2018-2019": {
        "title_ja": (
            "2018年から2019年の日露外務省間協議計画",
            "2018年から2019年の日露外務相間協議計画",
        ),
        "title_en": (
            "Japan–Russia Foreign Ministries' Consultation Plan for 2018–2019",
            "Japan–Russia Consultation Plan between the Foreign Ministers for 2018–2019",
        ),
        "summary_ja": (
            "2018年3月の日露外相会談の際に署名された、2018年から2019年の日露外務省間の協議計画。シリアにおける人道支援に関する日露間協議はこの枠内で行われることが想定されている。",
            "2018年3月の日露外相会談の際に署名された、2018年から2019年の日露外務相間の協議計画。シリアにおける人道支援に関する日露間協議はこの枠内で行われることが想定されている。",
        ),
        "summary_en": (
            "Consultation plan between the Japanese and Russian foreign ministries for 2018–2019, signed at the March 2018 foreign ministers' meeting; the Japan–Russia consultations on humanitarian assistance in Syria were to be held within its framework.",
            "Consultation plan between the Japanese and Russian foreign ministers for 2018–2019, signed at the March 2018 foreign ministers' meeting; the Japan–Russia consultations on humanitarian assistance in Syria were to be held within its framework.",
        ),
    },
}


def name_the_plan_as_the_source_does(apps, schema_editor):
    correct(apps, schema_editor, "meetings.Meeting", MEETINGS)
    correct(apps, schema_editor, "meetings.Agreement", AGREEMENTS)


class Migration(migrations.Migration):

    dependencies = [
        ("defrel", "0010_history_names"),
        ("meetings", "0017_history_names"),
    ]

    operations = [
        migrations.RunPython(name_the_plan_as_the_source_does, migrations.RunPython.noop, elidable=False),
    ]
