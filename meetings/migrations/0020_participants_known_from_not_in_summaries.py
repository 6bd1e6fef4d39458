"""Three meeting summaries closed with an editor's note that the text names no participant and
that they are recorded as the office-holders of the day (2024-05-us-au-defmin,
2024-05-us-au-ph-defmin, 2024-08-in-defmin). Each participant's ``known_from`` already says
so ("identified from public record"), and the meeting's page, the exports and the API give it:
the notes leave the summaries, which keep what the source says. A database loaded before gets
the same here, only in the summaries still exactly as curated (meetings.corrections).

The other notes in summaries (how a date or place is known, what the text describes together)
have no field of their own to go to and stay as they are."""
from django.db import migrations

from meetings.corrections import correct

MEETINGS = {
    "2024-05-us-au-defmin": {
        "summary_ja": (
            "木原防衛大臣は、ハワイにおいて日米豪防衛相会談を行った。3か国の深い戦略的整合性および共通の価値観を強調するとともに、中国による南シナ海・東シナ海における力または威圧によるあらゆる一方的な現状変更の試みに強い反対の意を改めて表明した。(米豪の参加者は本文に名前がなく、当時の国防長官・国防大臣として記録。)",
            "木原防衛大臣は、ハワイにおいて日米豪防衛相会談を行った。3か国の深い戦略的整合性および共通の価値観を強調するとともに、中国による南シナ海・東シナ海における力または威圧によるあらゆる一方的な現状変更の試みに強い反対の意を改めて表明した。",
        ),
        "summary_en": (
            "Minister of Defense Kihara held the Japan–Australia–U.S. Defense Ministers' Meeting in Hawaii. The ministers stressed the three countries' deep strategic alignment and shared values and reiterated their strong opposition to any unilateral attempts by China to change the status quo by force or coercion in the South and East China Seas. (The text does not name the U.S. and Australian ministers; they are recorded as the office-holders at the time.)",
            "Minister of Defense Kihara held the Japan–Australia–U.S. Defense Ministers' Meeting in Hawaii. The ministers stressed the three countries' deep strategic alignment and shared values and reiterated their strong opposition to any unilateral attempts by China to change the status quo by force or coercion in the South and East China Seas.",
        ),
    },
    "2024-05-us-au-ph-defmin": {
        "summary_ja": (
            "2度目となる日米豪比防衛相会談が行われ、4大臣は、自由で開かれ安全で繁栄したインド太平洋という共通のビジョンを進めるための重要な連携について強調した。(参加者は本文に名前がなく、当時の4か国の国防担当大臣として記録。)",
            "2度目となる日米豪比防衛相会談が行われ、4大臣は、自由で開かれ安全で繁栄したインド太平洋という共通のビジョンを進めるための重要な連携について強調した。",
        ),
        "summary_en": (
            "The second Japan–Australia–Philippines–U.S. Defense Ministers' Meeting was held; the four ministers stressed their important cooperation to advance the shared vision of a free, open, secure and prosperous Indo-Pacific. (The text names no minister; they are recorded as the four countries' defence ministers at the time.)",
            "The second Japan–Australia–Philippines–U.S. Defense Ministers' Meeting was held; the four ministers stressed their important cooperation to advance the shared vision of a free, open, secure and prosperous Indo-Pacific.",
        ),
    },
    "2024-08-in-defmin": {
        "summary_ja": (
            "2024年8月に日印防衛相会談が行われた(本文は陸幕長の会談の記述の中で言及するのみ)。(参加者は本文に名前がなく、当時の両国防衛大臣として記録。)",
            "2024年8月に日印防衛相会談が行われた(本文は陸幕長の会談の記述の中で言及するのみ)。",
        ),
        "summary_en": (
            "A Japan–India Defense Ministerial Meeting was held in August 2024 (the text mentions it only in passing, in the account of the GSDF Chief of Staff's meeting). (The text names no participant; they are recorded as the two defence ministers at the time.)",
            "A Japan–India Defense Ministerial Meeting was held in August 2024 (the text mentions it only in passing, in the account of the GSDF Chief of Staff's meeting).",
        ),
    },
}


def leave_the_participants_to_known_from(apps, schema_editor):
    correct(apps, schema_editor, "meetings.Meeting", MEETINGS)


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0019_ru_2017_2018_read_against_the_source"),
    ]

    operations = [
        migrations.RunPython(leave_the_participants_to_known_from, migrations.RunPython.noop, elidable=False),
    ]
