"""What the results show while the archive holds no release: how to fill it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

DEMO_LINE = (
    "The default archive starts with a few demo releases, tagged “demo” so that they are easy "
    "to find and delete; an archive you create in a folder of your own starts empty."
)


class EmptyState(QWidget):
    """Says the archive is empty and offers to import files or a folder."""

    import_files = Signal()
    import_folder = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("This archive holds no releases yet")
        title.setTextFormat(Qt.TextFormat.PlainText)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        hint = QLabel(
            "Import press releases from CSV, TSV, JSON, HTML, Markdown or plain text files, or "
            "a whole folder of them. They are listed as they are stored, and searchable once "
            "indexed."
        )
        demo = QLabel(DEMO_LINE)
        for label in (hint, demo):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
        demo.setStyleSheet("QLabel { color: palette(mid); }")
        self.files_button = QPushButton("Import files…")
        self.folder_button = QPushButton("Import folder…")
        self.files_button.clicked.connect(self.import_files)
        self.folder_button.clicked.connect(self.import_folder)
        buttons = QHBoxLayout()
        buttons.addWidget(self.files_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        layout.addWidget(demo)
        layout.addStretch(1)
        self.demo_label = demo
