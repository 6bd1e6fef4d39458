"""The Japan–Russia records of 2017 and 2018, read again, whole, against their one source, the
summary of the joint press conference of the third Japan–Russia "2+2" (日露外務・防衛閣僚会合共同
記者発表概要, ru-2018-2plus2): each minister there speaks of more than one meeting of the day, and
the records had drawn on scattered parts of it. A database loaded before gets what the source
says here, only in the values still exactly as curated (meetings.corrections):

- no place for the meetings of 31 July 2018: the source gives the place of the press conference
  alone (ロシア外務省別館), and Moscow only for the May summit and the next consultations;
- the defence ministers' meeting 2018-07-31-ru-defmin is of July 2018: Minister of Defense
  Onodera reports 「今回…ロシアを訪問し、日露防衛大臣会談及び第三回「2 + 2」を実施いたしました」
  and gives it no day (the day of the foreign ministers' meeting and of the "2+2" is 「本日」);
- what Onodera and Minister of Defence Shoigu say of both meetings together, and what Onodera
  gives as the outcomes of his visit (「今回の訪露の成果として」), is told as theirs, not as the
  outcome of one meeting: in the "2+2", the defence ministers' meeting, the visits of 2017, the
  Hakodate port call and SAREX;
- the names the text gives: 日露外務・防衛閣僚級協議 (the "2+2"s of 2017 and 2018), 日露防衛大臣会談;
- 「諸般の事情が許せば」 (the September summit), 「次はモスクワで開催する予定」 (planned, not agreed),
  and the titles of the Glossary in English (Minister for Foreign Affairs, Minister of Defense)."""
from django.db import migrations

from meetings.corrections import correct

MEETINGS = {
    "2018-07-31-ru-2plus2": {
        "title_ja": (
            "第3回日露外務・防衛閣僚協議(「2+2」)",
            "第3回日露外務・防衛閣僚級協議(「2+2」)",
        ),
        "title_en": (
            "3rd Japan–Russia Foreign and Defense Ministerial Consultations (\"2+2\")",
            "3rd Japan–Russia Foreign and Defense Ministerial-Level Consultations (\"2+2\")",
        ),
        "location_ja": (
            "モスクワ",
            "",
        ),
        "location_en": (
            "Moscow",
            "",
        ),
        "summary_ja": (
            "河野外務大臣と小野寺防衛大臣がラヴロフ外務大臣、ショイグ国防大臣と、1年4ヶ月ぶりとなる第3回日露「2+2」を17時35分から約1時間半行い、安全保障の問題や北朝鮮を始めとする国際情勢について率直な意見交換を行った。北朝鮮の非核化に向けた連携、拉致問題の早期解決への支持と協力の呼びかけ、シリア情勢、露参謀本部と統合幕僚監部の対話の継続、海軍分野での協力強化、SAREXの実施結果などが取り上げられ、ロシア側は米国の弾道ミサイル防衛システムへの懸念を表明した。",
            "河野外務大臣と小野寺防衛大臣がラヴロフ外務大臣、ショイグ国防大臣と、1年4ヶ月ぶりとなる第3回日露「2+2」を17時35分から約1時間半行い、安全保障の問題や北朝鮮を始めとする喫緊の国際情勢について率直な意見交換を行った。北朝鮮の核・ミサイル、拉致問題について突っ込んだ議論を行い、北朝鮮の非核化に向け引き続き連携していくことで一致し、日本側は拉致問題の早期解決に向けてロシア側に支持と協力を呼びかけ、理解を得た。中東、とりわけシリア情勢について意見交換を行い、ロシア側はアジア太平洋地域に展開されている米国のグローバルな弾道ミサイル防衛システムに対する懸念を再度表明した。ショイグ国防大臣は、小野寺防衛大臣との会談及び「2+2」について、露参謀本部と統合幕僚監部の対話を継続することで一致し、海軍分野における協力を強化し、SAREXの実施結果を高く評価したと述べた。",
        ),
        "summary_en": (
            "Foreign Minister Kono and Defense Minister Onodera held the third Japan–Russia \"2+2\", the first in one year and four months, with Foreign Minister Lavrov and Defence Minister Shoigu for about an hour and a half from 17:35, candidly exchanging views on security issues and the international situation, starting with North Korea. They agreed to cooperate toward North Korea's denuclearization, Japan sought Russian support on the abductions issue, they discussed Syria, agreed to continue dialogue between the Russian General Staff and Japan's Joint Staff, to strengthen naval cooperation and praised the results of SAREX; Russia restated its concern about the US ballistic missile defense system.",
            "Minister for Foreign Affairs Kono and Minister of Defense Onodera held the third Japan–Russia \"2+2\", the first in one year and four months, with Minister of Foreign Affairs Lavrov and Minister of Defence Shoigu for about an hour and a half from 17:35, candidly exchanging views on security issues and the pressing international situation, starting with North Korea. They discussed North Korea's nuclear weapons and missiles and the abductions issue in depth and agreed to continue to cooperate toward North Korea's denuclearization; Japan called on Russia for support and cooperation toward an early resolution of the abductions issue and gained its understanding. They exchanged views on the Middle East, in particular Syria, and Russia again expressed its concern about the U.S. global ballistic missile defense system deployed in the Asia-Pacific region. Minister of Defence Shoigu said of his meeting with Minister of Defense Onodera and of the \"2+2\" that they agreed to continue the dialogue between the Russian General Staff and Japan's Joint Staff, and that naval cooperation would be strengthened and the results of SAREX were highly valued.",
        ),
        "outcomes_ja": (
            "「2+2」の準備会合として外務防衛当局が参加する次官級の日露安保協議を概ね年一回定期的に実施すること、シリアにおける人道支援に関する日露間協議の実施、露参謀本部と統合幕僚監部の対話の継続で一致。",
            "「2+2」の準備会合として日露外務防衛当局が参加する次官級の日露安保協議を概ね年一回定期的に実施すること、シリアにおける人道支援に関する日露間協議の実施、北朝鮮の非核化に向けた引き続きの連携で一致。",
        ),
        "outcomes_en": (
            "Agreed to hold vice-ministerial Japan–Russia security consultations with foreign and defense authorities roughly once a year as the preparatory meeting for the \"2+2\", to hold consultations on humanitarian assistance in Syria, and to continue dialogue between the Russian General Staff and the Joint Staff.",
            "Agreed to hold vice-ministerial Japan–Russia security consultations with the foreign and defense authorities regularly, roughly once a year, as the preparatory meeting for the \"2+2\", to hold Japan–Russia consultations on humanitarian assistance in Syria, and to continue to cooperate toward North Korea's denuclearization.",
        ),
    },
    "2018-07-31-ru-fm": {
        "location_ja": (
            "モスクワ",
            "",
        ),
        "location_en": (
            "Moscow",
            "",
        ),
        "summary_ja": (
            "河野外務大臣がラヴロフ外務大臣と16時から1時間30分、今年三度目となる日露外務大臣会談を行った。9月に安倍総理が訪露しウラジオストクでプーチン大統領と会談することを確認し、首脳会談に向けた準備の加速、四島における共同経済活動のビジネスミッション、日露次官級協議の実施などで一致した。",
            "河野外務大臣がラヴロフ外務大臣と16時から1時間30分、今年三度目となる日露外務大臣会談を行った。諸般の事情が許せば9月に安倍総理が訪露しウラジオストクでプーチン大統領と会談することを確認し、首脳会談に向けた準備の加速、四島における共同経済活動のビジネスミッション、日露次官級協議の実施などで一致した。",
        ),
        "summary_en": (
            "Foreign Minister Kono held his third Japan–Russia foreign ministers' meeting of the year with Foreign Minister Lavrov for an hour and a half from 16:00; they confirmed Prime Minister Abe's planned September visit to Vladivostok for talks with President Putin, and agreed to accelerate summit preparations, send a business mission on joint economic activities on the four islands and hold vice-ministerial consultations.",
            "Minister for Foreign Affairs Kono held his third Japan–Russia foreign ministers' meeting of the year with Minister of Foreign Affairs Lavrov for an hour and a half from 16:00; they confirmed that, circumstances permitting, Prime Minister Abe would visit Russia in September and meet President Putin in Vladivostok, and agreed to accelerate preparations for the summit, send a business mission on joint economic activities on the four islands and hold vice-ministerial consultations.",
        ),
    },
    "2018-07-31-ru-defmin": {
        "date": (
            "2018-07-31",
            "2018-07",
        ),
        "title_ja": (
            "日露防衛相会談",
            "日露防衛大臣会談",
        ),
        "location_ja": (
            "モスクワ",
            "",
        ),
        "location_en": (
            "Moscow",
            "",
        ),
        "summary_ja": (
            "小野寺防衛大臣が防衛大臣として初めて、防衛当局のトップとしては12年ぶりにロシアを訪問し、ショイグ国防大臣と会談した。北朝鮮の非核化が日露共通の目標であることを確認し、わが国のミサイル防衛がロシアに脅威を与えるものではない旨説明し、北方四島の軍備強化やロシア軍機の活発な活動、極東での演習についてロシア側に冷静な対応を求めた。昨年のゲラシモフ参謀総長及びサリコフ地上軍総司令官の訪日を歓迎し、防衛当局間の交流を続けることを確認した。",
            "小野寺防衛大臣が、防衛大臣としては初めて、防衛当局のトップとしては12年ぶりにロシアを訪問し、ショイグ国防大臣と日露防衛大臣会談を行った。小野寺防衛大臣は、同会談及び第3回「2+2」について、北朝鮮の非核化が日露共通の目標であることを確認し、わが国のミサイルディフェンスがロシアに脅威を与えるものではない旨を説明し、北方四島の軍備強化、日本周辺におけるロシア軍機の活発な活動及び2018年夏に予定されている極東での演習に関してロシア側に冷静な対応を求めたと述べた。また、2017年のゲラシモフ参謀総長及びサリコフ地上軍総司令官の訪日を歓迎し、引き続き防衛当局間の交流を実施していくことを確認したと述べた。",
        ),
        "summary_en": (
            "Defense Minister Onodera visited Russia, the first Japanese defense minister to do so and the first head of Japan's defense authorities in 12 years, and held talks with Defence Minister Shoigu. They confirmed North Korea's denuclearization as a common goal; Onodera explained that Japan's missile defense poses no threat to Russia and asked Russia to respond calmly regarding its military build-up on the Northern Territories, active Russian military flights and its planned Far East exercise. They welcomed last year's visits to Japan by Chief of the General Staff Gerasimov and Ground Forces Commander-in-Chief Salyukov and confirmed continued defense exchanges.",
            "Minister of Defense Onodera visited Russia, the first Minister of Defense to do so and the first head of Japan's defense authorities in twelve years, and held a Japan–Russia defense ministerial meeting with Minister of Defence Shoigu. Of that meeting and the third \"2+2\", Onodera said that North Korea's denuclearization was confirmed as a common goal of Japan and Russia, that he explained that Japan's missile defense poses no threat to Russia, and that he asked Russia to respond calmly regarding its military build-up on the Northern Territories, the active flights of Russian military aircraft around Japan and the exercise planned in the Far East in summer 2018. He said that the visits to Japan in 2017 by Chief of the General Staff Gerasimov and Commander-in-Chief of the Ground Forces Salyukov were welcomed and that defense exchanges would continue.",
        ),
        "outcomes_ja": (
            "本年後半の河野統合幕僚長の訪露と、本年10月のロシア太平洋艦隊の函館寄港を調整していくことで一致。",
            "小野寺防衛大臣の訪露の成果として、2018年後半に河野統合幕僚長を訪露させる方向で調整していくこと、部隊間交流の一環として2018年10月のロシア太平洋艦隊の函館寄港を調整していくことで一致。",
        ),
        "outcomes_en": (
            "Agreed to arrange a visit to Russia by Chief of Staff, Joint Staff Kawano later in the year and a Russian Pacific Fleet port call at Hakodate in October.",
            "As outcomes of Onodera's visit to Russia, agreed to arrange a visit to Russia by Chief of Staff, Joint Staff Kawano in the latter half of 2018 and, as part of unit-to-unit exchanges, a Russian Pacific Fleet port call at Hakodate in October 2018.",
        ),
    },
    "2018-07-04-ru-security-consultation": {
        "summary_ja": (
            "日露外務防衛当局が参加する次官級の日露安保協議が7月4日に東京で開催された。第3回「2+2」では、同協議を「2+2」の準備会合として概ね年一回定期的に実施し、次回はモスクワで開催することで一致した。",
            "日露外務防衛当局が参加する次官級の日露安保協議が7月4日に東京で開催された。第3回「2+2」では、同協議を「2+2」の準備会合として概ね年一回定期的に実施することで一致し、次はモスクワで開催する予定とされた。",
        ),
        "summary_en": (
            "Vice-ministerial Japan–Russia security consultations involving the foreign and defense authorities were held in Tokyo on 4 July; at the third \"2+2\" the sides agreed to hold them roughly once a year as the preparatory meeting for the \"2+2\", the next in Moscow.",
            "Vice-ministerial Japan–Russia security consultations involving the foreign and defense authorities were held in Tokyo on 4 July 2018; at the third \"2+2\" the sides agreed to hold them regularly, roughly once a year, as the preparatory meeting for the \"2+2\", and the next was planned in Moscow.",
        ),
    },
    "2017-03-ru-2plus2": {
        "title_ja": (
            "第2回日露外務・防衛閣僚協議(「2+2」)",
            "第2回日露外務・防衛閣僚級協議(「2+2」)",
        ),
        "title_en": (
            "2nd Japan–Russia Foreign and Defense Ministerial Consultations (\"2+2\")",
            "2nd Japan–Russia Foreign and Defense Ministerial-Level Consultations (\"2+2\")",
        ),
    },
    "2017-ru-cgs-visit": {
        "summary_ja": (
            "ゲラシモフ・ロシア参謀総長が訪日した。2018年7月の日露防衛相会談でこれを歓迎した。",
            "ゲラシモフ・ロシア参謀総長が訪日した。2018年7月の小野寺防衛大臣の訪露の際に、この訪日が歓迎された。",
        ),
        "summary_en": (
            "Valery Gerasimov, Chief of the General Staff of the Russian Armed Forces, visited Japan; the July 2018 defense ministerial meeting welcomed the visit.",
            "Valery Gerasimov, Chief of the General Staff of the Russian Armed Forces, visited Japan; the visit was welcomed during Minister of Defense Onodera's visit to Russia in July 2018.",
        ),
    },
    "2017-ru-ground-forces-visit": {
        "summary_ja": (
            "サリコフ・ロシア地上軍総司令官が訪日した。2018年7月の日露防衛相会談でこれを歓迎した。",
            "サリコフ・ロシア地上軍総司令官が訪日した。2018年7月の小野寺防衛大臣の訪露の際に、この訪日が歓迎された。",
        ),
        "summary_en": (
            "Oleg Salyukov, Commander-in-Chief of the Russian Ground Forces, visited Japan; the July 2018 defense ministerial meeting welcomed the visit.",
            "Oleg Salyukov, Commander-in-Chief of the Russian Ground Forces, visited Japan; the visit was welcomed during Minister of Defense Onodera's visit to Russia in July 2018.",
        ),
    },
}
ENGAGEMENTS = {
    "2018-10-ru-pacific-fleet-hakodate-port-call": {
        "summary_ja": (
            "2018年7月31日の日露防衛相会談(小野寺防衛大臣の訪露)の成果として、部隊間交流の一環として、本年10月のロシア太平洋艦隊の函館寄港を調整していくことで一致した。実施されたかは本文(2018年8月の発表)にない(予定)。",
            "2018年7月の小野寺防衛大臣の訪露の成果として、部隊間交流の一環として、本年10月のロシア太平洋艦隊の函館寄港を調整していくことで一致した。実施されたかは本文(2018年8月の発表)にない(予定)。",
        ),
        "summary_en": (
            "As an outcome of Defense Minister Onodera's visit to Russia and the Japan–Russia defense ministerial meeting of 31 July 2018, the two sides agreed to arrange, as part of unit-to-unit exchanges, a port call by the Russian Pacific Fleet at Hakodate in October 2018. The text (an August 2018 statement) does not say whether it took place (planned).",
            "As an outcome of Minister of Defense Onodera's visit to Russia in July 2018, the two sides agreed to arrange, as part of unit-to-unit exchanges, a port call by the Russian Pacific Fleet at Hakodate in October 2018. The text (an August 2018 statement) does not say whether it took place (planned).",
        ),
    },
}
EXERCISES = {
    "undated-ru-sarex": {
        "summary_ja": (
            "2018年の日露「2+2」で、海軍分野の協力強化とともにSAREXの実施結果が高く評価された。本文は実施時期を記していない。",
            "ショイグ国防大臣は、2018年7月の小野寺防衛大臣との会談及び第3回日露「2+2」について、海軍分野における協力を強化し、SAREXの実施結果を高く評価したと述べた。本文は実施時期を記していない。",
        ),
        "summary_en": (
            "At the Japan–Russia \"2+2\" of 2018 the results of SAREX were highly appreciated, along with stronger naval cooperation. The text gives no date for it.",
            "Minister of Defence Shoigu said of his meeting with Minister of Defense Onodera and of the third Japan–Russia \"2+2\" in July 2018 that naval cooperation would be strengthened and that the results of SAREX were highly valued. The text gives no date for it.",
        ),
    },
}


def read_again_against_the_source(apps, schema_editor):
    correct(apps, schema_editor, "meetings.Meeting", MEETINGS)
    correct(apps, schema_editor, "meetings.Engagement", ENGAGEMENTS)
    correct(apps, schema_editor, "meetings.Exercise", EXERCISES)


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0018_ru_consultation_plan_of_the_foreign_ministers"),
    ]

    operations = [
        migrations.RunPython(read_again_against_the_source, migrations.RunPython.noop, elidable=False),
    ]
