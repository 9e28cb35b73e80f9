"""The fixed query mix, written once per engine: the app's query language, the closest FTS5
MATCH expression (with SQL filters for tags and dates), and Whoosh's default query syntax.

Each class is one row of `CLASSES`: templates in the three syntaxes, filled with each row of
its slot values in `SLOTS`. Tags and dates are not full-text in FTS5 (calibre and Zotero keep
them in ordinary tables), so the FTS5 side has a SQL condition for them; `r` is the releases
table. A fuzzy term in the FTS5 column (`word~`) is expanded by the engine from the FTS5
vocabulary, since FTS5 has no fuzzy operator.

The classes are the ways users write queries: single words (common and rare), ANDs of 2-4
common and middling words, phrases of 2-5 words including very common ones ("in the united
states", "at the same time"), prefixes and fuzzy terms of common words, tags and dates, Russian
word forms, and a hostile class (`**`, `[a TO z]`, a dozen wildcards) that an engine may refuse:
a refusal is counted with its time, not as a failure of the run.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.benchmarks.corpus import latin_name, words

_TAG_SQL = (
    "r.id IN (SELECT rt.release_id FROM release_tags rt JOIN tags t ON t.id = rt.tag_id "
    "WHERE t.key = '{tag_key}')"
)
_DATES_SQL = "r.date >= '{start}' AND r.date < '{end}'"


@dataclass(frozen=True, slots=True)
class QueryClass:
    """One kind of query in the three syntaxes; `{name}` marks a slot."""

    name: str
    app: str
    fts5_match: str  # "" when the query has no full-text part
    fts5_where: str  # "" when it has no metadata part
    whoosh: str
    sort: str = "relevance"  # or "-date": newest first


#   name                 app                        fts5 MATCH         fts5 WHERE    whoosh
CLASSES = [
    QueryClass("term_common", "{a}", "{a}", "", "{a}"),
    QueryClass("term_rare", "{a}", "{a}", "", "{a}"),
    QueryClass("and", "{words}", "{fts5_and}", "", "{whoosh_and}"),
    QueryClass("or", "{a} OR {b}", "{a} OR {b}", "", "{a} OR {b}"),
    QueryClass("not", "{a} NOT {b}", "{a} NOT {b}", "", "{a} NOT {b}"),
    QueryClass("phrase", '"{a}"', '"{a}"', "", '"{a}"'),
    QueryClass("prefix", "{a}*", "{a}*", "", "{a}*"),
    QueryClass("fuzzy", "{a}~", "{a}~", "", "{a}~"),
    QueryClass("tag", 'tag:"{tag}"', "", _TAG_SQL, "tags:'{tag}'"),
    QueryClass("text_tag", '{a} tag:"{tag}"', "{a}", _TAG_SQL, "{a} tags:'{tag}'"),
    QueryClass("date_range", "date:[{y1} to {y2}]", "", _DATES_SQL, "date:[{y1} to {y2}]"),
    QueryClass(
        "text_date_sorted",
        "{a} date:[{y1} to {y2}]",
        "{a}",
        _DATES_SQL,
        "{a} date:[{y1} to {y2}]",
        sort="-date",
    ),
    QueryClass("ru_inflected", "{a}", "{a}", "", "{a}"),
    QueryClass("ru_phrase_prefix", "{a}", "{a}", "", "{a}"),
    QueryClass("hostile", "{a}", "{fts5}", "", "{a}"),
]

_COMMON = words(
    "president security cooperation meeting development economic government sanctions "
    "energy international region peace relations support agreement humanitarian "
    "infrastructure trade defense parliament"
)
# Words found in 3-6 of the 1,796 real releases, and made-up names from the long tail.
_RARE = words(
    "arbitration baikonur biathlon bundestag buryatia antibiotics archives broadband cardiac "
    "capitalism cinemas basketball choreographer bolsonaro automotive"
) + [latin_name(k) for k in (1_500, 2_500, 4_000, 7_000, 12_000)]
# 2-4 words: common ones (in a fifth to three quarters of the real releases) with middling
# ones (in 2-10%).
_AND = [
    ("security", "council"),
    ("president", "ukraine", "support"),
    ("economic", "cooperation", "development"),
    ("energy", "prices", "europe"),
    ("grain", "export", "ports"),
    ("nuclear", "power", "plant", "safety"),
    ("military", "exercises", "border"),
    ("humanitarian", "aid", "civilians"),
    ("sanctions", "banks"),
    ("gas", "supplies", "europe", "prices"),
    ("vaccine", "covid"),
    ("children", "education", "schools"),
    ("parliament", "law", "adopted"),
    ("investment", "infrastructure", "projects"),
    ("terrorism", "afghanistan"),
    ("people", "support", "government"),
    ("digital", "technologies", "companies"),
    ("weapons", "partners", "defence"),
    ("small", "business", "regions", "support"),
    ("foreign", "minister", "talks"),
]
_OR = [
    ("kazakhstan", "uzbekistan"),
    ("macron", "scholz"),
    ("nato", "csto"),
    ("oil", "gas"),
    ("biden", "johnson"),
    ("wheat", "grain"),
    ("vaccine", "vaccination"),
    ("kyiv", "kharkiv"),
    ("minsk", "astana"),
    ("drones", "missiles"),
    ("tourism", "sport"),
    ("hospital", "doctors"),
    ("students", "universities"),
    ("inflation", "budget"),
    ("ambassador", "envoy"),
]
_NOT = [
    ("security", "nato"),
    ("energy", "gas"),
    ("president", "ukraine"),
    ("cooperation", "china"),
    ("sanctions", "europe"),
    ("trade", "china"),
    ("meeting", "council"),
    ("economy", "covid"),
    ("peace", "war"),
    ("military", "russia"),
]
# 2-5 words, many of them very common ones, all found in the real releases.
_PHRASES = [
    "in the united states",
    "said today",
    "at the same time",
    "i would like to",
    "of the russian federation",
    "president of ukraine",
    "prime minister",
    "armed forces of ukraine",
    "in order to",
    "the european union",
    "thank you very much",
    "ladies and gentlemen",
    "security council",
    "nuclear power plant",
    "human rights",
    "heads of state",
    "black sea",
    "food security",
    "state duma",
    "telephone conversation",
]
_PREFIXES = words(
    "secur econom negotiat humanit sanction ukrain cooperat infrastruct vacc terror parliam "
    "develop milit energ pres"
)
# Misspelt common words, then common words spelt right (a user widening a search).
_FUZZY = words(
    "securty presdent cooperaton negotations sanctons ukrane econmic parlament goverment "
    "humanitrian security president minister energy sanctions people government cooperation"
)
#: (the app's and Whoosh's text, FTS5's MATCH): broad or malformed queries.
_HOSTILE = [
    ("**", "**"),
    ("*", "*"),
    ("[a TO z]", "[a TO z]"),
    ("a* b* c* d* e* f* g* h* i* j* k* l*", " AND ".join(f"{c}*" for c in "abcdefghijkl")),
    ("*tion", "*tion"),
    ("?*", "?*"),
    ("s*", "s*"),
    ("pres* OR e", "pres* OR e"),
]
_TAGS = [
    "Afghanistan",
    "Central Asia",
    "arms control",
    "COVID-19",
    "sanctions",
    "energy",
    "CSTO",
    "peacekeeping",
    "drug trafficking",
    "human rights",
    "Kazakhstan",
    "ОДКБ",
    "безопасность",
    "terrorism",
    "grain",
]
_TEXT_TAGS = [
    ("security", "Afghanistan"),
    ("cooperation", "Central Asia"),
    ("weapons", "arms control"),
    ("vaccine", "COVID-19"),
    ("president", "sanctions"),
    ("gas", "energy"),
    ("заседания", "ОДКБ"),
    ("безопасности", "безопасность"),
    ("trade", "Kazakhstan"),
    ("border", "terrorism"),
]
_RANGES = [
    (1995, 1999),
    (2000, 2004),
    (2005, 2009),
    (2010, 2014),
    (2015, 2019),
    (2020, 2024),
    (1995, 2024),
    (2013, 2013),
    (2022, 2022),
    (1998, 2001),
    (2008, 2008),
    (2016, 2018),
    (2001, 2011),
    (2019, 2020),
    (2024, 2024),
]
_TEXT_RANGES = [
    ("sanctions", 2014, 2016),
    ("security", 2010, 2020),
    ("president", 2020, 2024),
    ("energy", 2000, 2010),
    ("cooperation", 1995, 2005),
    ("peace", 2022, 2022),
    ("trade", 2015, 2019),
    ("humanitarian", 2008, 2012),
    ("parliament", 2001, 2003),
    ("weapons", 1995, 2024),
    ("заседания", 2010, 2020),
    ("сотрудничества", 2000, 2024),
    ("безопасности", 2020, 2024),
    ("economic", 2012, 2012),
    ("infrastructure", 2018, 2024),
]
# Word forms as a user types them; the corpus holds every case form of each.
_RU_INFLECTED = words(
    "заседания заседании заседанием соглашения сотрудничества сотрудничестве безопасности "
    "переговорах президентом министров организации встрече встречи стороны развития "
    "государств вопросам договора делегации странами"
)
_RU_PHRASE_PREFIX = [
    '"совета безопасности"',
    '"международного сотрудничества"',
    '"заседание совета"',
    '"двусторонних отношений"',
    '"экономического развития"',
    "сотруднич*",
    "заседан*",
    "безопасн*",
    "переговор*",
    "соглашени*",
]

SLOTS: dict[str, list[dict[str, str | int]]] = {
    "term_common": [{"a": a} for a in _COMMON],
    "term_rare": [{"a": a} for a in _RARE],
    "and": [
        {"words": " ".join(w), "fts5_and": " AND ".join(w), "whoosh_and": " AND ".join(w)}
        for w in _AND
    ],
    "or": [{"a": a, "b": b} for a, b in _OR],
    "not": [{"a": a, "b": b} for a, b in _NOT],
    "phrase": [{"a": a} for a in _PHRASES],
    "prefix": [{"a": a} for a in _PREFIXES],
    "fuzzy": [{"a": a} for a in _FUZZY],
    "tag": [{"tag": t} for t in _TAGS],
    "text_tag": [{"a": a, "tag": t} for a, t in _TEXT_TAGS],
    "date_range": [{"y1": a, "y2": b} for a, b in _RANGES],
    "text_date_sorted": [{"a": a, "y1": y1, "y2": y2} for a, y1, y2 in _TEXT_RANGES],
    "ru_inflected": [{"a": a} for a in _RU_INFLECTED],
    "ru_phrase_prefix": [{"a": a} for a in _RU_PHRASE_PREFIX],
    "hostile": [{"a": a, "fts5": f} for a, f in _HOSTILE],
}


@dataclass(frozen=True, slots=True)
class BenchQuery:
    """One query of the mix in the three syntaxes."""

    cls: str
    app: str
    fts5_match: str
    fts5_where: str
    whoosh: str
    sort: str


def _fill(template: str, slots: dict[str, str | int]) -> str:
    values = dict(slots)
    if "tag" in values:
        values["tag_key"] = str(values["tag"]).casefold().replace("'", "''")
    if "y1" in values:
        values["start"] = f"{values['y1']}-01-01"
        values["end"] = f"{int(values['y2']) + 1}-01-01"
    return template.format(**values)


def query_mix() -> list[BenchQuery]:
    """Every query of the mix, class by class, in a fixed order."""
    out = []
    for c in CLASSES:
        for slots in SLOTS[c.name]:
            out.append(
                BenchQuery(
                    c.name,
                    _fill(c.app, slots),
                    _fill(c.fts5_match, slots),
                    _fill(c.fts5_where, slots),
                    _fill(c.whoosh, slots),
                    c.sort,
                )
            )
    return out


#: The query of the cold-open measurement.
COLD_QUERY = BenchQuery(
    "cold", "security council", "security AND council", "", "security council", "relevance"
)
#: Queries whose facets are counted: every fifth of four classes.
_FACET_CLASSES = ("term_common", "and", "tag", "ru_inflected")
#: Classes with a tag or date part, which an engine without those fields (Recoll over files)
#: cannot answer.
METADATA_CLASSES = ("tag", "text_tag", "date_range", "text_date_sorted")
FACET_QUERIES = [q for q in query_mix() if q.cls in _FACET_CLASSES][::5]
