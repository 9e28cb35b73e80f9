"""A deterministic corpus of press releases shaped like the files users import.

Texts. English bodies are built from the shared real Kremlin and Zelenskyy releases (read from
`$ARCHIVE_BROWSER_SHARED/corpora/kremlin-en-2021-2022/` at run time, never copied): about half
of the paragraphs are runs of 1-4 consecutive real sentences taken verbatim, the others are
written by a word-level Markov chain (order 2) trained on the same bodies, so that word
frequencies, common phrases ("in the united states", "at the same time") and sentence shapes
are those of the real releases. Proper names made up from syllables replace some capitalised
words with a long-tailed distribution, so that the vocabulary keeps growing with the size of
the corpus, as it does in real archives. About a third of the releases are Russian, written by
`russian.RussianWriter` (real inflection). Lengths are log-normal, from 300 to 20,000
characters, about 2,300 on average (median about 1,500).

Fields. Real exports rarely say everything: most English records (60%) hold only date, source
and body, as JSON Lines exports of press-release sites do; others lack the language, or the
place and tags; a quarter are complete. Russian records lack fields in the same way. The
import derives a missing title (first sentence) and language (detection), as it does for
users. Dates span 30 years (more releases in later years); 1% are undated.

Release `i` depends only on the seed and `i`: a corpus of N releases is the first N releases of
any larger one, and the same N always gives the same releases.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from tests.benchmarks.russian import RussianWriter


def tag_list(text: str) -> list[str]:
    """Tag names separated by semicolons."""
    return [" ".join(t.split()) for t in text.split(";") if t.strip()]


def words(text: str) -> list[str]:
    """The words of a text (lists of words are easier to read written as text)."""
    return text.split()


SEED = 20_240_725
#: Raised whenever generation changes, so that cached corpora are made again.
GENERATOR_VERSION = 2
REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("ARCHIVE_BROWSER_SHARED", REPO.parent / "shared")).resolve()
REAL_RELEASES = SHARED / "corpora" / "kremlin-en-2021-2022"

FIRST_YEAR, LAST_YEAR = 1995, 2024
RUSSIAN_SHARE = 1 / 3
UNDATED_SHARE = 0.01
#: Share of capitalised English words replaced by a made-up name.
NAME_SHARE = 0.05
NAME_SPACE = 500_000
#: Length of a body in characters: log-normal (median, sigma), clipped.
LENGTH_MEDIAN, LENGTH_SIGMA = 1_500, 0.8
MIN_CHARS, MAX_CHARS = 300, 20_000
#: Share of English paragraphs that are real sentences taken verbatim.
REAL_PARAGRAPH_SHARE = 0.5
#: Which fields a record holds, with weights: (weight, title, language, place and tags).
EN_SHAPES = [(0.60, False, False, False), (0.15, True, False, True), (0.25, True, True, True)]
RU_SHAPES = [(0.50, False, False, False), (0.20, True, False, True), (0.30, True, True, True)]

_END = 0  # the token id that ends a document (or a headline)

EN_SOURCES = [
    "Kremlin",
    "Office of the President of Ukraine",
    "CSTO Secretariat",
    "Ministry of Foreign Affairs of Russia",
    "Government of Russia",
    "Ministry of Defence of Ukraine",
    "European External Action Service",
    "OSCE",
    "UN News Centre",
    "SCO Secretariat",
    "CIS Executive Committee",
    "Eurasian Economic Commission",
    "Ministry of Foreign Affairs of Kazakhstan",
    "Press Service of the President of Belarus",
    "NATO Press Office",
]
RU_SOURCES = [
    "Кремль",
    "МИД России",
    "Секретариат ОДКБ",
    "Правительство России",
    "Исполком СНГ",
    "Евразийская экономическая комиссия",
]
EN_PLACES = [
    "The Kremlin, Moscow",
    "Novo-Ogaryovo, Moscow Region",
    "Moscow",
    "Kyiv",
    "Sochi",
    "St Petersburg",
    "Minsk",
    "Bishkek",
    "Astana",
    "Dushanbe",
    "Yerevan",
    "Tashkent",
    "Brussels",
    "Geneva",
    "New York",
    "Beijing",
    "Vienna",
    "Almaty",
    "Baku",
    "Sevastopol",
    "Blagoveshchensk",
    "New Delhi",
    "Zürich",
    "Kraków",
]
RU_PLACES = ["Москва", "Минск", "Бишкек", "Ереван", "Душанбе", "Астана", "Сочи", "Санкт-Петербург"]
EN_TAGS = tag_list(
    """
Afghanistan; Central Asia; arms control; COVID-19; sanctions; energy; CSTO; peacekeeping;
drug trafficking; human rights; Kazakhstan; terrorism; grain; Ukraine; Russia; Belarus;
EAEU; CIS; SCO; BRICS; United Nations; European Union; NATO; OSCE; cybersecurity; migration;
humanitarian aid; trade; education; health; culture; sport; elections; climate; nuclear;
gas; oil; defence; military exercises; border; diplomacy; telephone call; visit; summit;
anniversary; awards; decree; legislation; economy; investment; agriculture; transport;
railways; space; science; youth; veterans; religion; media; finance; banking; tourism;
infrastructure; digitalisation; ecology; water; Arctic; Caspian Sea; Black Sea; Crimea;
Donbas; Syria; Iran; China; India; Turkey; Germany; France; United States; United Kingdom;
Poland; Lithuania; Latvia; Estonia; Georgia; Armenia; Azerbaijan; Moldova; Kyrgyzstan;
Tajikistan; Uzbekistan; Turkmenistan; Mongolia; Japan; Korea; Vietnam; Israel; Egypt;
Brazil; Cuba; Venezuela; refugees; prisoner exchange; air defence; reconstruction; food
security; fertilisers; pipelines; nuclear power; Zaporizhzhia NPP; cultural heritage; press
conference; interview; State Duma; Verkhovna Rada; Security Council; foreign ministers;
defence ministers; heads of state; bilateral talks; joint statement; memorandum; treaty;
sport diplomacy; vaccination; pandemic; Olympics; Victory Day; Independence Day
"""
)
RU_TAGS = tag_list(
    """
ОДКБ; безопасность; Афганистан; Таджикистан; миротворчество; терроризм; наркотрафик; СНГ;
ЕАЭС; ШОС; Совет министров; Совет коллективной безопасности; учения; граница; миграция;
сотрудничество; экономика; энергетика; образование; культура
"""
)

_SYLLABLES = words(
    "ka ri mo ta ev sh an ol ur ba ne di go lu ser vi to za mi ko ra de ni pe "
    "la bo ma us ar en il he or ko tu ya zh"
)
_SUFFIXES = ["ov", "enko", "ev", "yan", "ski", "in", "ic", "ova", "ides", "sson", "ö", "é"]
_CYR_SYLLABLES = words("ка ри мо та ев ша ан ол ур ба не ди го лу сер ви то за ми ко ра де ни пе")
_CYR_SUFFIXES = ["ов", "енко", "ев", "ян", "ский", "ин", "ич", "ова", "ёв"]


def _syllable_name(k: int, syllables: list[str], suffixes: list[str]) -> str:
    parts = []
    n = k
    for _ in range(2 + k % 2):
        parts.append(syllables[n % len(syllables)])
        n //= len(syllables)
    name = "".join(parts) + suffixes[n % len(suffixes)]
    return name[0].upper() + name[1:]


def latin_name(k: int) -> str:
    """The made-up Latin-script name number `k` (the same for every run)."""
    return _syllable_name(k, _SYLLABLES, _SUFFIXES)


def cyrillic_name(k: int) -> str:
    """The made-up Cyrillic name number `k`."""
    return _syllable_name(k, _CYR_SYLLABLES, _CYR_SUFFIXES)


def name_number(rng: random.Random) -> int:
    """A name number from a long-tailed (log-uniform) distribution: a few names are frequent,
    most are rare, and new ones keep appearing as the corpus grows."""
    return int(NAME_SPACE ** rng.random())


class Chain:
    """An order-2 word Markov chain over documents of whitespace-separated tokens."""

    def __init__(self, documents: list[list[str]]) -> None:
        self.words: list[str] = [""]
        ids: dict[str, int] = {"": _END}
        self.next: dict[tuple[int, int], list[int]] = {}
        self.starts: list[tuple[int, int]] = []
        for doc in documents:
            seq = []
            for word in doc:
                i = ids.get(word)
                if i is None:
                    i = ids[word] = len(self.words)
                    self.words.append(word)
                seq.append(i)
            seq.append(_END)
            sentence_start = True
            for a, b, c in zip(seq, seq[1:], seq[2:], strict=False):
                if sentence_start and b != _END:
                    self.starts.append((a, b))
                self.next.setdefault((a, b), []).append(c)
                sentence_start = self.words[a].endswith((".", "?", "!"))

    def walk(self, rng: random.Random, words: int, paragraphs: bool) -> list[str]:
        """About `words` tokens ending at a sentence end, with "\\n\\n" paragraph breaks."""
        out: list[str] = []
        a, b = rng.choice(self.starts)
        vocab = self.words
        out += (vocab[a], vocab[b])
        limit = words + 80
        while True:
            followers = self.next.get((a, b))
            c = followers[int(rng.random() * len(followers))] if followers else _END
            if c == _END:
                if len(out) >= words or not paragraphs:
                    break
                a, b = rng.choice(self.starts)
                out += ("\n\n", vocab[a], vocab[b])
                continue
            word = vocab[c]
            out.append(word)
            a, b = b, c
            if word[-1] in ".?!":
                if len(out) >= words:
                    break
                if paragraphs and rng.random() < 0.2:
                    out.append("\n\n")
            elif len(out) >= limit:
                out[-1] = word.rstrip(",;:") + "."
                break
        return out


@dataclass(frozen=True, slots=True)
class RealReleases:
    """What the generator learns from the real releases."""

    body: Chain
    headline: Chain
    sentences: list[list[str]]  # the sentences of each real body, in order


@lru_cache(maxsize=1)
def real_releases(folder: Path = REAL_RELEASES) -> RealReleases:
    """Reads the shared real releases and trains the chains on them."""
    csv.field_size_limit(1 << 30)
    bodies: list[list[str]] = []
    headlines: list[list[str]] = []
    sentences: list[list[str]] = []
    for name in ("putin.csv", "zelenskyy.csv"):
        path = folder / name
        if not path.exists():
            raise SystemExit(f"{path} is missing: the benchmark grows its corpus from it.")
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                summary = row.get("summary", "") or ""
                text = f"{summary} {row['body']}" if summary not in ("", "NA") else row["body"]
                bodies.append(text.split())
                headlines.append(row["headline"].split())
                sentences.append([s for s in _SENTENCE_END.split(" ".join(text.split())) if s])
    return RealReleases(Chain(bodies), Chain(headlines), sentences)


_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z\"“‘(])")


def body_length(rng: random.Random) -> int:
    """A body length in characters (log-normal, clipped to MIN_CHARS..MAX_CHARS)."""
    chars = LENGTH_MEDIAN * math.exp(rng.gauss(0.0, LENGTH_SIGMA))
    return int(min(MAX_CHARS, max(MIN_CHARS, chars)))


def _english_body(rng: random.Random, real: RealReleases, chars: int) -> str:
    """Paragraphs until about `chars` characters: real sentences verbatim, or chain walks."""
    paragraphs: list[str] = []
    size = 0
    while size < chars:
        if rng.random() < REAL_PARAGRAPH_SHARE:
            sentences = rng.choice(real.sentences)
            start = rng.randrange(len(sentences))
            text = " ".join(sentences[start : start + rng.randint(1, 4)])
        else:
            walk = real.body.walk(rng, rng.randint(25, 110), paragraphs=False)
            text = _english_text(rng, walk)
        if size + len(text) > chars * 1.3 and paragraphs:
            # Cut a long last paragraph at a sentence end, keeping at least one sentence.
            room = max(0, chars - size)
            parts = _SENTENCE_END.split(text)
            kept = [parts[0]]
            for part in parts[1:]:
                if sum(len(k) + 1 for k in kept) + len(part) > room:
                    break
                kept.append(part)
            text = " ".join(kept)
        paragraphs.append(text)
        size += len(text) + 2
    body = "\n\n".join(paragraphs)
    if len(body) > MAX_CHARS:
        cut = body.rfind(". ", 0, MAX_CHARS)
        body = body[: cut + 1] if cut > MIN_CHARS else body[:MAX_CHARS].rsplit(" ", 1)[0]
    return body


def _zipf_pick(rng: random.Random, items: list[str], s: float = 1.0) -> str:
    """An item picked with weight 1/rank**s."""
    weights = _zipf_weights(len(items), s)
    return items[rng.choices(range(len(items)), cum_weights=weights)[0]]


@lru_cache(maxsize=32)
def _zipf_weights(n: int, s: float) -> list[float]:
    total, out = 0.0, []
    for rank in range(1, n + 1):
        total += 1 / rank**s
        out.append(total)
    return out


_YEARS = list(range(FIRST_YEAR, LAST_YEAR + 1))
_YEAR_WEIGHTS = [float(y - FIRST_YEAR + 3) for y in _YEARS]  # more releases in later years
_TAG_COUNTS = [0, 1, 2, 3, 4, 5]
_TAG_COUNT_WEIGHTS = [0.2, 0.25, 0.22, 0.15, 0.1, 0.08]


def _english_text(rng: random.Random, tokens: list[str]) -> str:
    out = []
    for token in tokens:
        if token[0].isupper() and rng.random() < NAME_SHARE:
            tail = token[len(token.rstrip(".,;:!?")) :]
            token = latin_name(name_number(rng)) + tail
        out.append(token)
    return " ".join(out).replace(" \n\n ", "\n\n")


def _shape(rng: random.Random, shapes: list[tuple[float, bool, bool, bool]]) -> tuple:
    weights = [w for w, *_ in shapes]
    return tuple(rng.choices(shapes, weights=weights)[0][1:])


def release(i: int, seed: int = SEED) -> dict[str, Any]:
    """Release number `i` of the corpus, as a JSON-ready record (only the fields it holds)."""
    rng = random.Random(f"{seed}:{i}")
    real = real_releases()
    year = rng.choices(_YEARS, weights=_YEAR_WEIGHTS)[0]
    russian = rng.random() < RUSSIAN_SHARE
    chars = body_length(rng)
    if russian:
        writer = RussianWriter(rng)
        title = writer.title(year)
        # Russian words of the grammar average about 8 characters with their space.
        body = writer.body(max(30, chars // 8), year)
        source = _zipf_pick(rng, RU_SOURCES)
        place = _zipf_pick(rng, RU_PLACES) if rng.random() < 0.7 else ""
        tag_pool = RU_TAGS if rng.random() < 0.6 else EN_TAGS
        if rng.random() < 0.3:
            body += f"\n\n{cyrillic_name(name_number(rng))} {writer.sentence(year)}"
        has_title, has_language, has_extras = _shape(rng, RU_SHAPES)
    else:
        title = _english_text(rng, real.headline.walk(rng, 4, paragraphs=False)[:30])
        body = _english_body(rng, real, chars)
        source = _zipf_pick(rng, EN_SOURCES)
        place = _zipf_pick(rng, EN_PLACES) if rng.random() < 0.6 else ""
        tag_pool = EN_TAGS
        has_title, has_language, has_extras = _shape(rng, EN_SHAPES)
    tags: list[str] = []
    for _ in range(rng.choices(_TAG_COUNTS, weights=_TAG_COUNT_WEIGHTS)[0]):
        tag = _zipf_pick(rng, tag_pool, 0.9)
        if tag not in tags:
            tags.append(tag)
    record: dict[str, Any] = {}
    if rng.random() >= UNDATED_SHARE:
        record["date"] = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    record["source"] = source
    if has_title:
        record["title"] = title
    record["body"] = body
    if has_extras:
        record["place"] = place
        record["tags"] = tags
    if has_language:
        record["language"] = "ru" if russian else "en"
    return record


def releases(n: int, seed: int = SEED) -> Iterator[dict[str, Any]]:
    """The first `n` releases of the corpus."""
    for i in range(n):
        yield release(i, seed)


def fingerprint(n: int, seed: int) -> str:
    """Names a corpus: its size, seed, generator version and the real releases it grew from."""
    h = hashlib.sha256(f"{n}:{seed}:{GENERATOR_VERSION}".encode())
    for name in ("putin.csv", "zelenskyy.csv"):
        stat = (REAL_RELEASES / name).stat()
        h.update(f"{name}:{stat.st_size}".encode())
    return h.hexdigest()[:16]


def write_jsonl(path: Path, n: int, seed: int = SEED) -> Path:
    """Writes the corpus as JSON Lines (keys the app's importer maps by name); reuses a file
    written before for the same corpus."""
    stamp = path.with_suffix(".fingerprint")
    expected = fingerprint(n, seed)
    if path.exists() and stamp.exists() and stamp.read_text() == expected:
        return path
    tmp = path.with_suffix(".partial")
    with tmp.open("w", encoding="utf-8") as f:
        for record in releases(n, seed):
            f.write(json.dumps(record, ensure_ascii=False))
            f.write("\n")
    tmp.replace(path)
    stamp.write_text(expected)
    return path


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a corpus file, one at a time."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)
