"""Tag names: the form a tag is stored under and the form under which two names are one tag."""

from __future__ import annotations

import unicodedata

from archive_browser.core.textnorm import fold, one_line


def tag_key(name: str) -> str:
    """The form under which two tag names are the same tag."""
    return fold(one_line(name))


#: The longest tag name, in characters: a tag is a label, not a text.
MAX_TAG_LENGTH = 200


def clean_tag(name: str) -> str:
    """A tag name as stored: one line, no commas, no separators, no control characters, at
    most MAX_TAG_LENGTH characters."""
    bad = next((c for c in name if c != " " and unicodedata.category(c) in ("Cc", "Cs")), None)
    if bad is not None:
        raise ValueError(
            f"A tag name cannot hold a control character or line break ({bad!r}): {_shown(name)}"
        )
    name = one_line(name).strip(" ,")
    if not name:
        raise ValueError("A tag name cannot be empty.")
    if len(name) > MAX_TAG_LENGTH:
        raise ValueError(
            f"A tag name has at most {MAX_TAG_LENGTH} characters; this one has {len(name):,}: "
            f"{_shown(name)}"
        )
    if "," in name:
        raise ValueError(f"A tag name cannot hold a comma: {_shown(name)}")
    return name


def _shown(name: str, limit: int = 40) -> str:
    return repr(name[:limit]) + ("..." if len(name) > limit else "")
