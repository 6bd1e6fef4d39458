"""The fixed tables the synthetic data is drawn from: names, offices, levels, kinds, texts."""
import calendar
import datetime

PREFIX = "syn-"
# The marker of every synthetic country (databases built before it moved to bench/ carry it too).
SYNTH_NOTE = "Synthetic record made by manage.py synth for benchmarks."
FIRST_YEAR, LAST_YEAR = 1990, 2025
BATCH = 2000
# Officials who move on to another office of their country: the extra terms, as a share of
# the officials asked for, and the chance that a term goes to one of them when one is free.
CAREER_MOVES = 0.5
CAREER_SHARE = 0.6

SYLLABLES = [
    ("ka", "カ"), ("ri", "リ"), ("to", "ト"), ("na", "ナ"), ("mo", "モ"), ("sa", "サ"),
    ("ru", "ル"), ("ve", "ヴェ"), ("la", "ラ"), ("do", "ド"), ("ni", "ニ"), ("a", "ア"),
    ("be", "ベ"), ("shi", "シ"), ("ta", "タ"), ("ko", "コ"), ("mi", "ミ"), ("re", "レ"),
    ("po", "ポ"), ("gu", "グ"), ("no", "ノ"), ("e", "エ"), ("ha", "ハ"), ("zu", "ズ"),
]
ENDINGS = [("ria", "リア"), ("land", "ランド"), ("stan", "スタン"), ("nia", "ニア"), ("mar", "マール")]

# (key suffix, title ja, title en, level): Japan's offices, then every partner state's.
JAPAN_OFFICES = [
    ("pm", "内閣総理大臣", "Prime Minister", "leader"),
    ("mod", "防衛大臣", "Minister of Defense", "minister"),
    ("mofa", "外務大臣", "Minister for Foreign Affairs", "minister"),
    ("svm", "防衛副大臣", "State Minister of Defense", "vice_minister"),
    ("pvm", "防衛大臣政務官", "Parliamentary Vice-Minister of Defense", "vice_minister"),
    ("chod", "統合幕僚長", "Chief of Staff, Joint Staff", "chief_of_defence"),
    ("gsdf", "陸上幕僚長", "Chief of Staff, GSDF", "service_chief"),
    ("msdf", "海上幕僚長", "Chief of Staff, MSDF", "service_chief"),
    ("asdf", "航空幕僚長", "Chief of Staff, ASDF", "service_chief"),
    ("vmia", "防衛審議官", "Vice-Minister of Defense for International Affairs", "senior_official"),
    ("dgpol", "防衛政策局長", "Director General, Defense Policy Bureau", "senior_official"),
    ("atla", "防衛装備庁長官", "Commissioner, ATLA", "senior_official"),
]
PARTNER_OFFICES = [
    ("head", "首脳", "Head of Government", "leader"),
    ("mod", "国防大臣", "Minister of Defence", "minister"),
    ("mofa", "外務大臣", "Foreign Minister", "minister"),
    ("vm", "国防次官", "Vice-Minister of Defence", "vice_minister"),
    ("chod", "国防軍司令官", "Chief of Defence Force", "chief_of_defence"),
    ("army", "陸軍司令官", "Chief of Army", "service_chief"),
    ("navy", "海軍司令官", "Chief of Navy", "service_chief"),
    ("air", "空軍司令官", "Chief of Air Force", "service_chief"),
    ("pol", "国防省政策局長", "Director of Defence Policy", "senior_official"),
]
ORGANISATION_OFFICES = [
    ("sg", "事務総長", "Secretary General", "leader"),
    ("dsg", "事務次長", "Deputy Secretary General", "vice_minister"),
    ("mc", "軍事委員長", "Chair of the Military Committee", "chief_of_defence"),
    ("pol", "防衛政策部長", "Director of Defence Policy", "senior_official"),
]
# Meeting level → the office level of its principals; the shares follow the curated data.
LEVELS = {
    "leaders": ("leader", 0.07), "two_plus_two": ("minister", 0.03),
    "ministerial": ("minister", 0.22), "vice_ministerial": ("vice_minister", 0.10),
    "chiefs_of_defence": ("chief_of_defence", 0.12), "service_chiefs": ("service_chief", 0.20),
    "senior_official": ("senior_official", 0.14), "working_level": ("senior_official", 0.12),
}
TITLES = {
    "leaders": ("首脳会談", "Summit Meeting"), "two_plus_two": ("外務・防衛閣僚会合(「2+2」)", "“2+2”"),
    "ministerial": ("防衛相会談", "Defense Ministerial Meeting"),
    "vice_ministerial": ("防衛次官級協議", "Vice-Ministerial Defense Dialogue"),
    "chiefs_of_defence": ("参謀総長等会談", "Chiefs of Defense Meeting"),
    "service_chiefs": ("軍種トップ会談", "Service Chiefs' Meeting"),
    "senior_official": ("防衛当局間協議", "Defense Officials' Dialogue"),
    "working_level": ("防衛実務者協議", "Working-Level Defense Talks"),
}
KINDS = [("talks", 50), ("courtesy_call", 15), ("informal", 12), ("consultation", 10),
         ("conference", 5), ("visit", 5), ("panel", 3)]
AGREEMENT_KINDS = [
    ("acsa", "物品役務相互提供協定", "Acquisition and Cross-Servicing Agreement", "ACSA", 5),
    ("information_security", "情報保護協定", "Information Security Agreement", "GSOMIA", 6),
    ("equipment_transfer", "防衛装備品・技術移転協定", "Defense Equipment and Technology Transfer Agreement", "", 6),
    ("raa", "円滑化協定", "Reciprocal Access Agreement", "RAA", 2),
    ("cooperation_memorandum", "防衛協力・交流に関する覚書", "Memorandum on Defense Cooperation and Exchanges", "MOC", 25),
    ("statement_of_intent", "防衛協力に関する意図表明文書", "Statement of Intent on Defense Cooperation", "", 12),
    ("arrangement", "取決め", "Arrangement", "", 12),
    ("joint_declaration", "共同声明", "Joint Statement", "", 15),
    ("partnership_programme", "パートナーシップ協力計画", "Partnership Cooperation Programme", "ITPP", 3),
    ("exchange_of_notes", "交換公文", "Exchange of Notes", "", 6),
    ("treaty", "条約", "Treaty", "", 1),
    ("other", "その他の文書", "Other Document", "", 7),
]
TREATY_KINDS = {"acsa", "information_security", "equipment_transfer", "raa", "treaty"}
SUMMARY_JA = [
    "{jp}は、{partner}と{place}にて会談を行い、地域情勢について意見交換を行った。",
    "両者は、自由で開かれたインド太平洋の実現に向け、防衛協力・交流を一層推進することで一致した。",
    "共同訓練や防衛装備・技術協力の具体化について議論し、次回会合での進展を確認した。",
    "海洋安全保障、サイバー、宇宙といった新たな領域における協力の強化についても確認した。",
]
SUMMARY_EN = [
    "{jp} held talks with {partner} in {place} and exchanged views on the regional situation.",
    "Both sides agreed to further promote defense cooperation and exchanges towards a free and open Indo-Pacific.",
    "They discussed joint exercises and defense equipment and technology cooperation and confirmed progress.",
    "They also confirmed closer cooperation in new domains such as maritime security, cyber and space.",
]



def day_text(day):
    return day.isoformat()


def last_day(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def cumulative(weights):
    total = 0
    for w in weights:
        total += w
        yield total
