"""Painting a result's title with its snippet (matched words highlighted) in one cell."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
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


class SnippetDelegate(QStyledItemDelegate):
    """The title in bold on one line, then the snippet over two lines in a smaller font."""

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
            doc = QTextDocument()
            doc.setDocumentMargin(0)
            doc.setDefaultFont(small)
            doc.setHtml(f'<span style="color:{muted.name()}">{snippet}</span>')
            doc.setTextWidth(rect.width())
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
