"""Tag names: the form a tag is stored under and the form under which two names are one tag."""

from __future__ import annotations

from archive_browser.core.textnorm import fold, one_line


def tag_key(name: str) -> str:
    """The form under which two tag names are the same tag."""
    return fold(one_line(name))


def clean_tag(name: str) -> str:
    """A tag name as stored: one line, no commas, no separators."""
    name = one_line(name.replace("\x1f", " ")).strip(" ,")
    if not name:
        raise ValueError("A tag name cannot be empty.")
    if "," in name:
        raise ValueError(f"A tag name cannot hold a comma: {name!r}")
    return name
