"""Painting a result's title with its snippet (matched words highlighted) in one cell."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from archive_browser.gui.results_model import Role

SNIPPET_LINES = 2
PAD = 4
#: Snippet documents kept laid out: more than a screenful of rows, selected or not.
CACHED_SNIPPETS = 256


class SnippetDelegate(QStyledItemDelegate):
    """The title in bold on one line, then the snippet over two lines in a smaller font.

    A snippet's HTML is parsed and laid out once and kept (by its text, width, colour and
    font): the table repaints its rows on every answer, snippet and scroll, and parsing them
    anew each time was most of a repaint."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._docs: OrderedDict[tuple[str, int, str, str], QTextDocument] = OrderedDict()

    def _snippet_doc(self, snippet: str, width: int, color: str, font: QFont) -> QTextDocument:
        key = (snippet, width, color, font.key())
        doc = self._docs.get(key)
        if doc is not None:
            self._docs.move_to_end(key)
            return doc
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(font)
        doc.setHtml(f'<span style="color:{color}">{snippet}</span>')
        doc.setTextWidth(width)
        self._docs[key] = doc
        if len(self._docs) > CACHED_SNIPPETS:
            self._docs.popitem(last=False)
        return doc

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Active
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        color = opt.palette.color(group, text_role)
        rect = opt.rect.adjusted(PAD, 2, -PAD, -2)

        painter.save()
        bold = QFont(opt.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(color)
        metrics = painter.fontMetrics()
        line = metrics.height()
        elided = metrics.elidedText(title, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(
            rect.x(), rect.y(), rect.width(), line, int(Qt.AlignmentFlag.AlignLeft), elided
        )

        snippet = index.data(Role.SNIPPET_HTML) or ""
        if snippet:
            small = snippet_font(opt.font)
            muted = (
                color if selected else opt.palette.color(group, QPalette.ColorRole.PlaceholderText)
            )
            doc = self._snippet_doc(snippet, rect.width(), muted.name(), small)
            painter.translate(rect.x(), rect.y() + line + 1)
            # Whole lines only: never the top of a third one.
            metrics = QFontMetrics(small)
            height = metrics.lineSpacing() * (SNIPPET_LINES - 1) + metrics.height()
            painter.setClipRect(QRectF(0, 0, rect.width(), height))
            doc.documentLayout().draw(painter, QAbstractTextDocumentLayout.PaintContext())
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(320, row_height(option.font))


def snippet_font(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
    return small


def row_height(font: QFont) -> int:
    """The height of a result row: a bold title line and the snippet's lines."""
    bold = QFont(font)
    bold.setBold(True)
    title = QFontMetrics(bold).height()
    return title + 1 + QFontMetrics(snippet_font(font)).lineSpacing() * SNIPPET_LINES + 7
