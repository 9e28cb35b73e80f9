"""Language identification of releases (ISO 639-1 codes such as "en", "ru", "uk").

Detection reads a bounded sample of the text (its first ~1,500 characters, cut at a word
boundary): the language of a press release shows in its first paragraphs, and the model's
cost grows with the text. The script decides first where it is unambiguous: Cyrillic text that
uses only the Russian alphabet, with letters no other Cyrillic language shares in that way (ы
or э, and none of і ї є ґ ў ә ө ү ...), is Russian; ASCII Latin text made largely of English
function words is English. Everything else goes to the statistical model (py3langid).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: Characters of the text the decision is taken on.
SAMPLE_CHARS = 1500

_NOT_LETTERS = re.compile(r"[\W\d_]+")
#: Runs of Cyrillic letters (counted by their lengths: fewer, longer matches than one a letter).
_CYRILLIC = re.compile(r"[\u0400-\u04ff]+")
# Cyrillic letters outside the Russian alphabet (Ukrainian, Belarusian, Serbian, Macedonian,
# Kazakh, Kyrgyz, Tatar, Mongolian, ...); ы and э, which Ukrainian and Bulgarian lack.
_NOT_RUSSIAN = re.compile(r"[\u0400\u0402-\u040f\u0450\u0452-\u04ff]")  # all but а-я, ё
_RUSSIAN_MARKS = re.compile(r"[ыэЫЭ]")
#: ASCII bytes to themselves when they are letters a-z, else to a space: with the text
#: lower-cased and its other characters made "?", its runs of a-z are the words split apart.
_A_TO_Z = bytes(c if 97 <= c <= 122 else 32 for c in range(256))
#: Every ASCII byte but a letter, deleted by bytes.translate: what is left is the letters.
_NOT_ASCII_LETTERS = bytes(c for c in range(128) if not (65 <= c <= 90 or 97 <= c <= 122))
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


def _letters(text: str) -> str:
    """The letters of `text` (any script), without digits, underscores or anything else."""
    if text.isascii():
        # The same as the pattern, in one pass of a byte table (most texts are ASCII).
        return text.encode("ascii").translate(None, _NOT_ASCII_LETTERS).decode("ascii")
    import numpy as np  # (on first use, as the model: the importers do not need it otherwise)

    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if points.max() > 0xFFFF:
        return _NOT_LETTERS.sub("", text)
    # A table of the Basic Multilingual Plane, as the pattern sees it: ten times as quick as
    # the pattern on a sample of Cyrillic text, which tries three classes at every character.
    kept = points[_bmp_letters()[points]]
    return kept.tobytes().decode("utf-32-le", "surrogatepass")


@functools.cache
def _bmp_letters() -> npt.NDArray[np.bool_]:
    """For each code point below 0x10000, whether it is a letter as `_NOT_LETTERS` sees it:
    a word character (alphanumeric, or "_") that is neither a decimal digit nor "_"."""
    import numpy as np

    return np.array(
        [c.isalnum() and not c.isdecimal() for c in map(chr, range(0x10000))], dtype=np.bool_
    )


def _cyrillic_count(letters: str) -> int:
    return sum(map(len, _CYRILLIC.findall(letters)))


def _ascii_words(text: str) -> list[str]:
    """The runs of a-z of the lower-cased text, in order."""
    lowered = text.lower().encode("ascii", "replace")  # another character: "?", not a letter
    return lowered.translate(_A_TO_Z).decode("ascii").split()


def _by_script(text: str, letters: str) -> str:
    """ "ru" or "en" when the script and the words leave no doubt, else ""."""
    ascii_letters = len(letters.encode("ascii", "ignore"))
    if ascii_letters <= len(letters) * 0.1:
        cyrillic = _cyrillic_count(letters)
        if (
            cyrillic >= len(letters) * 0.9
            and _NOT_RUSSIAN.search(letters) is None
            and _RUSSIAN_MARKS.search(letters)
        ):
            return "ru"
        return ""
    if ascii_letters >= len(letters) * 0.98:
        found = _ascii_words(text)
        if len(found) >= 20:
            english = sum(map(_ENGLISH_WORDS.__contains__, found))
            the = found.count("the")
            if english >= len(found) * _ENGLISH_SHARE and the >= len(found) * _THE_SHARE:
                return "en"
    return ""


def detect_language(text: str) -> str:
    """The language of `text`, or "" when there is too little text to tell."""
    text = sample(text)
    letters = _letters(text)
    if len(letters) < 3:
        return ""
    if len(letters) < 25:
        # Too short for a statistical guess; the script is a safer one.
        if _cyrillic_count(letters) > len(letters) / 2:
            return "ru"
        return "en" if letters.isascii() else ""
    decided = _by_script(text, letters)
    if decided:
        return decided
    # Imported on first use: it loads a model and NumPy, which start-up does not need.
    import py3langid

    lang, _score = py3langid.classify(text)
    return str(lang)
