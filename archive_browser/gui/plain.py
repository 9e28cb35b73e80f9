"""Imported text is never markup: what Qt would take for rich text is escaped before it is
shown where Qt guesses the format (tooltips, message boxes, labels left in AutoText)."""

from __future__ import annotations

import html

from PySide6.QtGui import Qt  # Qt.mightBeRichText lives in QtGui


def literal(text: str) -> str:
    """`text` as Qt will show it literally wherever it guesses the format: unchanged when Qt
    would take it for plain text, else escaped inside a rich-text wrapper (line breaks
    kept)."""
    if not Qt.mightBeRichText(text) and "&" not in text:
        return text
    escaped = html.escape(text, quote=False).replace("\n", "<br>")
    return f"<qt>{escaped}</qt>"
