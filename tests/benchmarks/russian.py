"""Generated Russian press releases with real inflection.

Sentences are built from a small grammar over a vocabulary of nouns, adjectives and verbs that
are declined and conjugated by rule (six cases, two numbers, three genders; verbs agree with
their subject), so that one word appears in many forms: заседание, заседания, заседании,
заседанием. That is what makes stemmed search (the app) and exact-form search (FTS5's porter
tokenizer, which stems English only; Whoosh's default analyzer) find different things.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CASES = ("nom", "gen", "dat", "acc", "ins", "prep")

# Endings by declension class: six singular forms, then six plural forms.
_NOUN_ENDINGS: dict[str, tuple[str, ...]] = {
    "neut_ie": ("е", "я", "ю", "е", "ем", "и", "я", "й", "ям", "я", "ями", "ях"),
    "neut_o": ("о", "а", "у", "о", "ом", "е", "а", "", "ам", "а", "ами", "ах"),
    "fem_iya": ("я", "и", "и", "ю", "ей", "и", "и", "й", "ям", "и", "ями", "ях"),
    "fem_a": ("а", "ы", "е", "у", "ой", "е", "ы", "", "ам", "ы", "ами", "ах"),
    # After к, г, х: и for ы.
    "fem_a_velar": ("а", "и", "е", "у", "ой", "е", "и", "", "ам", "и", "ами", "ах"),
    # After ч, ш, щ, ж: и for ы, unstressed ей for ой.
    "fem_a_hush": ("а", "и", "е", "у", "ей", "е", "и", "", "ам", "и", "ами", "ах"),
    "fem_soft": ("ь", "и", "и", "ь", "ью", "и", "и", "ей", "ям", "и", "ями", "ях"),
    "masc": ("", "а", "у", "", "ом", "е", "ы", "ов", "ам", "ы", "ами", "ах"),
    "masc_velar": ("", "а", "у", "", "ом", "е", "и", "ов", "ам", "и", "ами", "ах"),
    "masc_soft": ("ь", "я", "ю", "ь", "ем", "е", "и", "ей", "ям", "и", "ями", "ях"),
    "masc_y": ("й", "я", "ю", "й", "ем", "е", "и", "ев", "ям", "и", "ями", "ях"),
    "plural_only": ("ы", "ов", "ам", "ы", "ами", "ах", "ы", "ов", "ам", "ы", "ами", "ах"),
    "fixed": ("",) * 12,
}

# Adjective endings: masculine, feminine, neuter and plural, each in the six cases (the
# accusative of masculine and plural is the inanimate one; animate nouns take the genitive).
_ADJ_ENDINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "hard": {
        "m": ("ый", "ого", "ому", "ый", "ым", "ом"),
        "f": ("ая", "ой", "ой", "ую", "ой", "ой"),
        "n": ("ое", "ого", "ому", "ое", "ым", "ом"),
        "pl": ("ые", "ых", "ым", "ые", "ыми", "ых"),
    },
    "stressed": {
        "m": ("ой", "ого", "ому", "ой", "ым", "ом"),
        "f": ("ая", "ой", "ой", "ую", "ой", "ой"),
        "n": ("ое", "ого", "ому", "ое", "ым", "ом"),
        "pl": ("ые", "ых", "ым", "ые", "ыми", "ых"),
    },
    "velar": {
        "m": ("ий", "ого", "ому", "ий", "им", "ом"),
        "f": ("ая", "ой", "ой", "ую", "ой", "ой"),
        "n": ("ое", "ого", "ому", "ое", "им", "ом"),
        "pl": ("ие", "их", "им", "ие", "ими", "их"),
    },
    "hush": {
        "m": ("ий", "его", "ему", "ий", "им", "ем"),
        "f": ("ая", "ей", "ей", "ую", "ей", "ей"),
        "n": ("ее", "его", "ему", "ее", "им", "ем"),
        "pl": ("ие", "их", "им", "ие", "ими", "их"),
    },
    "soft": {
        "m": ("ий", "его", "ему", "ий", "им", "ем"),
        "f": ("яя", "ей", "ей", "юю", "ей", "ей"),
        "n": ("ее", "его", "ему", "ее", "им", "ем"),
        "pl": ("ие", "их", "им", "ие", "ими", "их"),
    },
}


@dataclass(frozen=True, slots=True)
class Noun:
    """A declinable noun: its stem, class, gender and whether it names people."""

    stem: str
    kind: str
    gender: str  # "m", "f", "n" ("pl" for plural-only nouns)
    animate: bool = False
    capital: bool = False  # a proper name or an institution written with a capital

    def form(self, case: str, plural: bool = False) -> str:
        if self.gender == "pl":
            plural = True
        i = CASES.index(case)
        if case == "acc" and self.animate and (plural or self.gender == "m"):
            i = CASES.index("gen")
        ending = _NOUN_ENDINGS[self.kind][i + (6 if plural else 0)]
        word = self.stem + ending
        return word[0].upper() + word[1:] if self.capital else word


@dataclass(frozen=True, slots=True)
class Adjective:
    """A declinable adjective."""

    stem: str
    kind: str

    def form(self, case: str, gender: str, animate: bool = False) -> str:
        i = CASES.index(case)
        if case == "acc" and animate and gender in ("m", "pl"):
            i = CASES.index("gen")
        return self.stem + _ADJ_ENDINGS[self.kind][gender][i]


@dataclass(frozen=True, slots=True)
class Verb:
    """A verb: past-tense forms (m, f, n, pl), third-person singular and plural of the
    present or future, and the case (with its preposition) of its object."""

    past: tuple[str, str, str, str]
    third: tuple[str, str]
    prep: str
    case: str

    def past_form(self, gender: str) -> str:
        return self.past[("m", "f", "n", "pl").index(gender)]

    def present_form(self, plural: bool) -> str:
        return self.third[1 if plural else 0]


def _verb(stem: str, third: str, third_pl: str, prep: str = "", case: str = "acc") -> Verb:
    """A verb with a regular past tense: обсуди -> обсудил, обсудила, обсудило, обсудили;
    a stem written with -ся is reflexive: встрети-ся -> встретился, встретилась, ..."""
    if stem.endswith("-ся"):
        base = stem[:-3]
        past = (base + "лся", base + "лась", base + "лось", base + "лись")
    else:
        past = (stem + "л", stem + "ла", stem + "ло", stem + "ли")
    return Verb(past, (third, third_pl), prep, case)


N = Noun
# Abstract and event nouns: the objects of talks and statements.
EVENT_NOUNS = [
    N("заседани", "neut_ie", "n"),
    N("совещани", "neut_ie", "n"),
    N("соглашени", "neut_ie", "n"),
    N("решени", "neut_ie", "n"),
    N("обсуждени", "neut_ie", "n"),
    N("заявлени", "neut_ie", "n"),
    N("предложени", "neut_ie", "n"),
    N("мероприяти", "neut_ie", "n"),
    N("развити", "neut_ie", "n"),
    N("укреплени", "neut_ie", "n"),
    N("урегулировани", "neut_ie", "n"),
    N("положени", "neut_ie", "n"),
    N("направлени", "neut_ie", "n"),
    N("отношени", "neut_ie", "n"),
    N("сотрудничеств", "neut_o", "n"),
    N("взаимодействи", "neut_ie", "n"),
    N("партнерств", "neut_o", "n"),
    N("встреч", "fem_a_hush", "f"),
    N("программ", "fem_a", "f"),
    N("систем", "fem_a", "f"),
    N("политик", "fem_a_velar", "f"),
    N("экономик", "fem_a_velar", "f"),
    N("границ", "fem_a", "f"),
    N("ситуаци", "fem_iya", "f"),
    N("операци", "fem_iya", "f"),
    N("информаци", "fem_iya", "f"),
    N("стратеги", "fem_iya", "f"),
    N("инициатив", "fem_a", "f"),
    N("безопасност", "fem_soft", "f"),
    N("деятельност", "fem_soft", "f"),
    N("возможност", "fem_soft", "f"),
    N("стабильност", "fem_soft", "f"),
    N("ответственност", "fem_soft", "f"),
    N("независимост", "fem_soft", "f"),
    N("промышленност", "fem_soft", "f"),
    N("вопрос", "masc", "m"),
    N("договор", "masc", "m"),
    N("проект", "masc", "m"),
    N("процесс", "masc", "m"),
    N("визит", "masc", "m"),
    N("регион", "masc", "m"),
    N("интерес", "masc", "m"),
    N("контакт", "masc", "m"),
    N("диалог", "masc_velar", "m"),
    N("кризис", "masc", "m"),
    N("бюджет", "masc", "m"),
    N("закон", "masc", "m"),
    N("документ", "masc", "m"),
    N("доклад", "masc", "m"),
    N("саммит", "masc", "m"),
    N("формат", "masc", "m"),
    N("конфликт", "masc", "m"),
    N("форум", "masc", "m"),
    N("план", "masc", "m"),
    N("итог", "masc_velar", "m"),
    N("рост", "masc", "m"),
    N("переговор", "plural_only", "pl"),
]
# Bodies that act: subjects and the owners of genitive chains.
BODY_NOUNS = [
    N("совет", "masc", "m", capital=True),
    N("комитет", "masc", "m"),
    N("парламент", "masc", "m"),
    N("правительств", "neut_o", "n", capital=True),
    N("министерств", "neut_o", "n"),
    N("руководств", "neut_o", "n"),
    N("государств", "neut_o", "n"),
    N("агентств", "neut_o", "n"),
    N("организаци", "fem_iya", "f"),
    N("делегаци", "fem_iya", "f"),
    N("комисси", "fem_iya", "f"),
    N("федераци", "fem_iya", "f"),
    N("администраци", "fem_iya", "f", capital=True),
    N("сторон", "fem_a", "f"),
    N("стран", "fem_a", "f"),
    N("групп", "fem_a", "f"),
    N("секретариат", "masc", "m"),
]
PERSON_NOUNS = [
    N("президент", "masc", "m", animate=True, capital=True),
    N("министр", "masc", "m", animate=True),
    N("председател", "masc_soft", "m", animate=True),
    N("секретар", "masc_soft", "m", animate=True),
    N("депутат", "masc", "m", animate=True),
    N("представител", "masc_soft", "m", animate=True),
    N("губернатор", "masc", "m", animate=True),
    N("партнер", "masc", "m", animate=True),
    N("эксперт", "masc", "m", animate=True),
    N("участник", "masc_velar", "m", animate=True),
]
COUNTRIES = [
    N("Росси", "fem_iya", "f"),
    N("Казахстан", "masc", "m"),
    N("Беларус", "fem_soft", "f"),
    N("Армени", "fem_iya", "f"),
    N("Таджикистан", "masc", "m"),
    N("Киргизи", "fem_iya", "f"),
    N("Узбекистан", "masc", "m"),
    N("Кита", "masc_y", "m"),
    N("Украин", "fem_a", "f"),
    N("Индонези", "fem_iya", "f"),
    N("Франци", "fem_iya", "f"),
    N("Германи", "fem_iya", "f"),
    N("Инди", "fem_iya", "f"),
    N("Турци", "fem_iya", "f"),
]
CITIES = [
    N("Москв", "fem_a", "f"),
    N("Минск", "masc_velar", "m"),
    N("Бишкек", "masc_velar", "m"),
    N("Ереван", "masc", "m"),
    N("Душанбе", "fixed", "n"),
    N("Астан", "fem_a", "f"),
    N("Сочи", "fixed", "n"),
    N("Новосибирск", "masc_velar", "m"),
    N("Казан", "fem_soft", "f"),
    N("Владивосток", "masc_velar", "m"),
]
ORGS = ["ОДКБ", "СНГ", "ЕАЭС", "ООН", "ШОС", "БРИКС", "ОБСЕ", "НАТО"]
ADJECTIVES = [
    Adjective("международн", "hard"),
    Adjective("двусторонн", "soft"),
    Adjective("экономическ", "velar"),
    Adjective("политическ", "velar"),
    Adjective("российск", "velar"),
    Adjective("государственн", "hard"),
    Adjective("региональн", "hard"),
    Adjective("стратегическ", "velar"),
    Adjective("коллективн", "hard"),
    Adjective("совместн", "hard"),
    Adjective("важн", "hard"),
    Adjective("нов", "hard"),
    Adjective("основн", "stressed"),
    Adjective("дальнейш", "hush"),
    Adjective("гуманитарн", "hard"),
    Adjective("энергетическ", "velar"),
    Adjective("торгов", "hard"),
    Adjective("военн", "hard"),
    Adjective("культурн", "hard"),
    Adjective("национальн", "hard"),
    Adjective("официальн", "hard"),
    Adjective("рабоч", "hush"),
    Adjective("неформальн", "hard"),
    Adjective("практическ", "velar"),
    Adjective("актуальн", "hard"),
    Adjective("федеральн", "hard"),
    Adjective("телефонн", "hard"),
]
VERBS = [
    _verb("обсуди", "обсудит", "обсудят"),
    Verb(("провел", "провела", "провело", "провели"), ("проведет", "проведут"), "", "acc"),
    Verb(("провёл", "провела", "провело", "провели"), ("проведёт", "проведут"), "", "acc"),
    _verb("подписа", "подпишет", "подпишут"),
    _verb("рассмотре", "рассмотрит", "рассмотрят"),
    _verb("поддержа", "поддержит", "поддержат"),
    _verb("утверди", "утвердит", "утвердят"),
    _verb("одобри", "одобрит", "одобрят"),
    _verb("отмети", "отметит", "отметят"),
    _verb("приня", "примет", "примут"),
    _verb("направи", "направит", "направят"),
    _verb("предложи", "предложит", "предложат"),
    _verb("развива", "развивает", "развивают"),
    _verb("продолжи", "продолжит", "продолжат"),
    _verb("обеспечи", "обеспечит", "обеспечат"),
    _verb("укрепи", "укрепит", "укрепят"),
    _verb("встрети-ся", "встретится", "встретятся", "с", "ins"),
    _verb("выступи", "выступит", "выступят", "на", "prep"),
    _verb("сообщи", "сообщит", "сообщат", "о", "prep"),
    _verb("заяви", "заявит", "заявят", "о", "prep"),
    _verb("договори-ся", "договорится", "договорятся", "о", "prep"),
    _verb("участвова", "участвует", "участвуют", "в", "prep"),
    _verb("руководи", "руководит", "руководят", "", "ins"),
    _verb("призва", "призовет", "призовут", "к", "dat"),
    _verb("уделя", "уделяет", "уделяют", "", "dat"),
]
HAPPENED = Verb(("состоялся", "состоялась", "состоялось", "состоялись"), ("", ""), "", "")
PASSIVE = {  # short passive participles by gender: подписан, подписана, подписано, подписаны
    "подписан": ("подписан", "подписана", "подписано", "подписаны"),
    "принят": ("принят", "принята", "принято", "приняты"),
    "утвержден": ("утвержден", "утверждена", "утверждено", "утверждены"),
    "одобрен": ("одобрен", "одобрена", "одобрено", "одобрены"),
}
WAS = ("был", "была", "было", "были")
MONTHS_GEN = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
PEOPLE = [
    "Владимир Путин",
    "Сергей Лавров",
    "Михаил Мишустин",
    "Николай Бордюжа",
    "Станислав Зась",
    "Имангали Тасмагамбетов",
    "Дмитрий Медведев",
    "Юрий Хачатуров",
    "Александр Лукашенко",
    "Касым-Жомарт Токаев",
    "Эмомали Рахмон",
    "Садыр Жапаров",
]
CONNECTIVES = ["Кроме того,", "Также", "При этом", "В частности,", "Вместе с тем", "Далее"]
GENDER_INDEX = {"m": 0, "f": 1, "n": 2, "pl": 3}


def _prep(prep: str, phrase: str) -> str:
    """о becomes об before a vowel: об отношениях."""
    if prep == "о" and phrase[:1].lower() in "аоэиуы":
        return "об"
    return prep


class RussianWriter:
    """Writes Russian titles and bodies from a random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    # --- noun phrases

    def np(self, case: str, nouns: list[Noun] | None = None, plural: bool | None = None) -> str:
        """An (adjective +) noun phrase in `case`, sometimes with a genitive complement."""
        rng = self.rng
        noun = rng.choice(nouns or EVENT_NOUNS)
        if plural is None:
            plural = rng.random() < 0.25
        gender = "pl" if plural or noun.gender == "pl" else noun.gender
        words = []
        if rng.random() < 0.55:
            words.append(rng.choice(ADJECTIVES).form(case, gender, noun.animate))
        words.append(noun.form(case, plural))
        roll = rng.random()
        if roll < 0.35:
            words.append(self.owner())
        elif roll < 0.5:
            words.append(rng.choice(EVENT_NOUNS).form("gen", rng.random() < 0.2))
        return " ".join(words)

    def owner(self) -> str:
        """A genitive: of a country, an organisation or a body."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.4:
            return rng.choice(COUNTRIES).form("gen")
        if roll < 0.7:
            return rng.choice(ORGS)
        body = rng.choice(BODY_NOUNS)
        adjective = rng.choice(ADJECTIVES).form("gen", "pl" if body.gender == "pl" else body.gender)
        return f"{adjective} {body.form('gen')}"

    def subject(self) -> tuple[str, str]:
        """A subject phrase in the nominative, with the gender its verb agrees with."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            person = rng.choice(PERSON_NOUNS[:6])
            title = f"{person.form('nom')} {self.owner()}"
            if rng.random() < 0.6:
                title += f" {rng.choice(PEOPLE)}"
            return title, "m"
        if roll < 0.65:
            return rng.choice(["Стороны", "Участники встречи", "Министры", "Эксперты"]), "pl"
        body = rng.choice(BODY_NOUNS)
        plural = body.gender != "pl" and rng.random() < 0.2
        gender = "pl" if plural else body.gender
        adjective = rng.choice(ADJECTIVES).form("nom", gender)
        return f"{adjective} {body.form('nom', plural)} {self.owner()}", gender

    def obj(self, verb: Verb) -> str:
        nouns = PERSON_NOUNS if verb.case == "ins" and verb.prep == "с" else None
        phrase = self.np(verb.case, nouns)
        if verb.prep == "с" and nouns is not None:
            phrase = f"{phrase} {self.rng.choice(COUNTRIES).form('gen')}"
        return f"{_prep(verb.prep, phrase)} {phrase}" if verb.prep else phrase

    def where(self) -> str:
        city = self.rng.choice(CITIES)
        return ("во " if city.stem.startswith("Вл") else "в ") + city.form("prep")

    def when(self, year: int) -> str:
        rng = self.rng
        return f"{rng.randint(1, 28)} {rng.choice(MONTHS_GEN)} {year} года"

    # --- sentences

    def sentence(self, year: int) -> str:
        rng = self.rng
        shape = rng.randrange(9)
        if shape == 0:
            noun = rng.choice(EVENT_NOUNS[:8])
            happened = HAPPENED.past_form(noun.gender)
            text = f"{self.when(year)} {self.where()} {happened} {self.np('nom', [noun], False)}"
        elif shape == 1:
            subject, gender = self.subject()
            verb = rng.choice(VERBS)
            text = f"{subject} {verb.past_form(gender)} {self.obj(verb)}"
        elif shape == 2:
            verb = rng.choice(VERBS)
            text = f"В ходе {self.np('gen')} стороны {verb.past_form('pl')} {self.obj(verb)}"
        elif shape == 3:
            subject, gender = self.subject()
            said = ("подчеркнул", "подчеркнула", "подчеркнуло", "подчеркнули")[GENDER_INDEX[gender]]
            subject2, gender2 = self.subject()
            verb = rng.choice(VERBS)
            plural = gender2 == "pl"
            text = f"{subject} {said}, что {subject2} {verb.present_form(plural)} {self.obj(verb)}"
        elif shape == 4:
            text = f"Особое внимание было уделено {self.np('dat')} и {self.np('dat')}"
        elif shape == 5:
            noun = rng.choice(EVENT_NOUNS[:16] + BODY_NOUNS[:2])
            plural = noun.gender != "pl" and rng.random() < 0.3
            gender = "pl" if plural or noun.gender == "pl" else noun.gender
            participle = rng.choice(list(PASSIVE.values()))[GENDER_INDEX[gender]]
            was = WAS[GENDER_INDEX[gender]]
            text = f"По итогам {self.np('gen')} {was} {participle} {self.np('nom', [noun], plural)}"
        elif shape == 6:
            text = f"Стороны выразили заинтересованность в {self.np('prep')} {self.owner()}"
        elif shape == 7:
            first = self.np("prep")
            text = f"Речь шла {_prep('о', first)} {first} и {self.np('prep')}"
        else:
            subject, gender = self.subject()
            verb = rng.choice(VERBS)
            text = (
                f"{rng.choice(CONNECTIVES)} {subject[0].lower()}{subject[1:]} "
                f"{verb.past_form(gender)} {self.obj(verb)} {self.where()}"
            )
        return text[0].upper() + text[1:] + "."

    def title(self, year: int) -> str:
        rng = self.rng
        shape = rng.randrange(6)
        if shape == 0:
            text = f"{self.np('nom', EVENT_NOUNS[:8], False)} {self.owner()}"
        elif shape == 1:
            text = f"Встреча с {rng.choice(PERSON_NOUNS[:6]).form('ins')} {self.owner()}"
        elif shape == 2:
            text = f"Телефонный разговор с {PERSON_NOUNS[0].form('ins')} {self.owner()}"
        elif shape == 3:
            phrase = self.np("prep")
            text = f"{_prep('о', phrase)} {phrase}"
        elif shape == 4:
            subject, gender = self.subject()
            verb = rng.choice(VERBS)
            text = f"{subject} {verb.past_form(gender)} {self.obj(verb)}"
        else:
            text = f"{self.np('nom', EVENT_NOUNS[:8], False)} {self.where()}"
        return text[0].upper() + text[1:]

    def body(self, words: int, year: int, paragraph: tuple[int, int] = (2, 6)) -> str:
        """About `words` words in paragraphs of a few sentences."""
        rng = self.rng
        paragraphs: list[str] = []
        count = 0
        while count < words:
            sentences = []
            for _ in range(rng.randint(*paragraph)):
                sentence = self.sentence(year)
                sentences.append(sentence)
                count += sentence.count(" ") + 1
            paragraphs.append(" ".join(sentences))
        return "\n\n".join(paragraphs)
