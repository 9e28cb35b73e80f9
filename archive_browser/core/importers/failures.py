"""What a library's exception says, made fit for a person to read in an import's report."""

from __future__ import annotations

#: Longest part of a library's message kept: some quote the bytes they could not read.
MAX_DETAIL_CHARS = 160


def describe(error: BaseException) -> str:
    """The first line of an exception's message, printable and short, after its kind."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    if len(text) > MAX_DETAIL_CHARS:
        text = text[: MAX_DETAIL_CHARS - 3] + "..."
    kind = type(error).__name__
    return f"{kind}: {text}" if text else kind
