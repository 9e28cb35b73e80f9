"""Language identification of releases (ISO 639-1 codes such as "en", "ru", "uk").

Detection reads a bounded sample of the text (its first ~1,500 characters, cut at a word
boundary): the language of a press release shows in its first paragraphs, and the model's
cost grows with the text. The script decides first where it is unambiguous: Cyrillic text that
uses only the Russian alphabet, with letters no other Cyrillic language shares in that way (ы
or э, and none of і ї є ґ ў ә ө ү ...), is Russian; ASCII Latin text made largely of English
function words is English. Everything else goes to the statistical model (py3langid).
"""

from __future__ import annotations

import re

#: Characters of the text the decision is taken on.
SAMPLE_CHARS = 1500

_NOT_LETTERS = re.compile(r"[\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Cyrillic letters outside the Russian alphabet (Ukrainian, Belarusian, Serbian, Macedonian,
# Kazakh, Kyrgyz, Tatar, Mongolian, ...); ы and э, which Ukrainian and Bulgarian lack.
_NOT_RUSSIAN = re.compile(r"[\u0400\u0402-\u040f\u0450\u0452-\u04ff]")  # all but а-я, ё
_RUSSIAN_MARKS = re.compile(r"[ыэЫЭ]")
_ASCII_WORDS = re.compile(r"[a-z]+")
#: Frequent English words that are rare as words of other Latin-script languages.
_ENGLISH_WORDS = frozenset(
    {
        *("the", "of", "and", "to", "is", "that", "for", "with", "was", "this", "which"),
        *("are", "have", "from", "by", "be", "it", "on", "at", "as", "has", "were", "will"),
        *("would", "been", "their", "its", "our", "we", "they", "not", "but", "or", "an"),
    }
)
#: Shares of a sample's words that must be English function words, and "the" (English prose
#: has 20-50% and 4-8%; other languages written in ASCII letters next to none of either).
_ENGLISH_SHARE, _THE_SHARE = 0.15, 0.02


def sample(text: str, limit: int = SAMPLE_CHARS) -> str:
    """The first `limit` characters of `text`, cut at a word boundary where there is one."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit)
    return text[: cut if cut > 0 else limit]


def _by_script(text: str, letters: str) -> str:
    """ "ru" or "en" when the script and the words leave no doubt, else ""."""
    ascii_letters = len(letters.encode("ascii", "ignore"))
    if ascii_letters <= len(letters) * 0.1:
        cyrillic = len(_CYRILLIC.findall(letters))
        if (
            cyrillic >= len(letters) * 0.9
            and _NOT_RUSSIAN.search(letters) is None
            and _RUSSIAN_MARKS.search(letters)
        ):
            return "ru"
        return ""
    if ascii_letters >= len(letters) * 0.98:
        found = _ASCII_WORDS.findall(text.lower())
        if len(found) >= 20:
            english = sum(1 for w in found if w in _ENGLISH_WORDS)
            the = found.count("the")
            if english >= len(found) * _ENGLISH_SHARE and the >= len(found) * _THE_SHARE:
                return "en"
    return ""


def detect_language(text: str) -> str:
    """The language of `text`, or "" when there is too little text to tell."""
    text = sample(text)
    letters = _NOT_LETTERS.sub("", text)
    if len(letters) < 3:
        return ""
    if len(letters) < 25:
        # Too short for a statistical guess; the script is a safer one.
        if len(_CYRILLIC.findall(letters)) > len(letters) / 2:
            return "ru"
        return "en" if letters.isascii() else ""
    decided = _by_script(text, letters)
    if decided:
        return decided
    # Imported on first use: it loads a model and NumPy, which start-up does not need.
    import py3langid

    lang, _score = py3langid.classify(text)
    return str(lang)
