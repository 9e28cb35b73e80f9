"""Language identification of releases (ISO 639-1 codes such as "en", "ru", "uk")."""

from __future__ import annotations

import re

_LETTERS = re.compile(r"[^\W\d_]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def detect_language(text: str) -> str:
    """The language of `text`, or "" when there is too little text to tell."""
    sample = text[:4000]
    letters = _LETTERS.findall(sample)
    if len(letters) < 3:
        return ""
    if len(letters) < 25:
        # Too short for a statistical guess; the script is a safer one.
        cyrillic = sum(1 for ch in letters if _CYRILLIC.match(ch))
        if cyrillic > len(letters) / 2:
            return "ru"
        return "en" if all(ch.isascii() for ch in letters) else ""
    # Imported on first use: it loads a model and NumPy, which start-up does not need.
    import py3langid

    lang, _score = py3langid.classify(sample)
    return str(lang)
