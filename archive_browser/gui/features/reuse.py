"""Paragraph reuse and translations in the window.

In the reader, a paragraph that other releases have too is underlined with a quiet dotted
line; its tooltip says "This paragraph also appears in 14 other releases, first on
2013-05-28", and a click lists them as a search result. The Translations panel (View >
Translations) lists the likely translations of the release being read, to confirm, reject
or read side by side. Releases stored before paragraph reuse existed are hashed once by a
job in a child process when the archive opens for writing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from archive_browser.core.archive.translations import TranslationCandidate
from archive_browser.core.changes import Changes
from archive_browser.core.index.query import MAX_QUERY_CHARS
from archive_browser.core.lineage.reuse import ParagraphReuse
from archive_browser.core.search import SearchSpec
from archive_browser.gui import background
from archive_browser.gui.actions import ActionSpec, When
from archive_browser.gui.context import WindowContext
from archive_browser.gui.features.base import Feature
from archive_browser.gui.features.comparing import CompareFeature
from archive_browser.gui.features.reading import ReadingFeature
from archive_browser.gui.features.searching import ResultsFeature
from archive_browser.gui.operations import job_op, read_op, write_op

REUSE_COLOR = QColor("#8a94a6")
BOILERPLATE_COLOR = QColor("#c9ced6")
LINK_PREFIX = "reuse:"


def ids_query(ids: list[int]) -> tuple[str, int]:
    """A query for releases by id ("id:3 OR id:7"), as many of them, in order, as a query
    may hold (a boilerplate line may be in thousands); with how many it holds."""
    terms: list[str] = []
    length = 0
    for i in ids:
        term = f"id:{i}"
        if length + len(term) + 4 > MAX_QUERY_CHARS:
            break
        terms.append(term)
        length += len(term) + 4
    return " OR ".join(terms), len(terms)


class TranslationsPanel(QWidget):
    """Candidates for the release being read, with Confirm, Reject and Read side by side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("Select a release to see its translations.")
        self.heading.setWordWrap(True)
        self.list = QListWidget()
        self.confirm = QPushButton("Confirm")
        self.confirm.setToolTip("This release is a translation of the one being read")
        self.reject = QPushButton("Reject")
        self.reject.setToolTip("Not a translation: it is not proposed again")
        self.side_by_side = QPushButton("Read side by side")
        buttons = QHBoxLayout()
        for button in (self.confirm, self.reject, self.side_by_side):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.list.currentRowChanged.connect(lambda _row: self._enable())
        self.candidates: list[TranslationCandidate] = []
        #: False while the archive is open read-only: decisions cannot be stored.
        self.writable = True
        self._enable()

    def show_candidates(self, release_id: int, found: list[TranslationCandidate]) -> None:
        self.candidates = found
        self.list.clear()
        for c in found:
            mark = {"confirmed": "✓ confirmed", "rejected": "✗ rejected"}.get(
                c.decision, "likely" if c.likely else f"{c.score:.2f}"
            )
            item = QListWidgetItem(
                f"{mark} · {c.language or '?'} · {c.date or 'no date'} · {c.title}"
            )
            item.setToolTip("; ".join(c.reasons) or "no signal in common")
            self.list.addItem(item)
        self.heading.setText(
            f"Translations of #{release_id}: {len(found)} candidate{'s' if len(found) != 1 else ''}"
            if found
            else f"No release in another language looks like a translation of #{release_id}."
        )
        if found:
            self.list.setCurrentRow(0)
        self._enable()

    def clear(self, message: str) -> None:
        self.candidates = []
        self.list.clear()
        self.heading.setText(message)
        self._enable()

    def current(self) -> TranslationCandidate | None:
        row = self.list.currentRow()
        return self.candidates[row] if 0 <= row < len(self.candidates) else None

    def _enable(self) -> None:
        c = self.current()
        self.confirm.setEnabled(self.writable and c is not None and c.decision != "confirmed")
        self.reject.setEnabled(self.writable and c is not None and c.decision != "rejected")
        self.side_by_side.setEnabled(c is not None)


class ReuseFeature(Feature):
    """Marks reused paragraphs in the reader and keeps the Translations panel."""

    def __init__(
        self,
        ctx: WindowContext,
        results: ResultsFeature,
        reading: ReadingFeature,
        compare: CompareFeature,
    ) -> None:
        super().__init__(ctx)
        self.results = results
        self.compare = compare
        self.reader = reading.reader
        #: The reused paragraphs of the release shown, by position.
        self.reused: dict[int, ParagraphReuse] = {}
        self._asked: int | None = None
        self._build_wanted = False  # the build waits for the job running when it opened
        browser = self.reader.browser
        browser.setTextInteractionFlags(
            browser.textInteractionFlags() | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        browser.anchorClicked.connect(self._link_clicked)
        self.reader.rendered.connect(self._rendered)

        self.panel = TranslationsPanel()
        self.dock = QDockWidget("Translations", ctx.window)
        self.dock.setObjectName("translations_dock")
        self.dock.setWidget(self.panel)
        if isinstance(ctx.window, QMainWindow):
            ctx.window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self.dock.visibilityChanged.connect(lambda _v: self._ask_translations())
        self.panel.confirm.clicked.connect(lambda: self._decide("confirmed"))
        self.panel.reject.clicked.connect(lambda: self._decide("rejected"))
        self.panel.side_by_side.clicked.connect(self._side_by_side)
        results.current_changed.connect(lambda _id: self._ask_translations())
        ctx.archive_opened.connect(self._build_missing)

    def actions(self) -> list[ActionSpec]:
        return [
            ActionSpec(
                "view.translations",
                "&Translations",
                "view",
                self.show_translations,
                when=When(archive=True),
                section=2,
            )
        ]

    # --- paragraphs

    def _rendered(self) -> None:
        release = self.reader.release
        self.reused = {}
        if release is None or self.ctx.archive is None:
            return
        release_id = release.id
        read_op(
            self.ctx,
            lambda archive: archive.paragraph_reuse(release_id),
            lambda found: self._mark(release_id, found),
        )

    def _mark(self, release_id: int, found: list[ParagraphReuse]) -> None:
        release = self.reader.release
        if release is None or release.id != release_id:
            return  # the user moved on
        self.reused = {p.position: p for p in found if p.count}
        offset = self.reader.body_offset
        cursor = QTextCursor(self.reader.browser.document())
        for p in self.reused.values():
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            fmt.setUnderlineColor(BOILERPLATE_COLOR if p.boilerplate else REUSE_COLOR)
            fmt.setAnchor(True)
            fmt.setAnchorHref(f"{LINK_PREFIX}{p.position}")
            fmt.setToolTip(f"{p.describe()}. Click to list them.")
            cursor.setPosition(offset + p.start)
            cursor.setPosition(offset + p.end, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)

    def _link_clicked(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith(LINK_PREFIX) and text[len(LINK_PREFIX) :].isdigit():
            self.list_holders(int(text[len(LINK_PREFIX) :]))

    def list_holders(self, position: int) -> None:
        """Shows the releases that hold a reused paragraph (and this one) as the results."""
        reuse = self.reused.get(position)
        release = self.reader.release
        if reuse is None or release is None:
            return
        query, listed = ids_query([release.id, *reuse.ids])
        if listed < reuse.count + 1:
            self.ctx.show_status(f"Listing the first {listed:,} of {reuse.count + 1:,}.")
        self.results.search.set_spec(SearchSpec(query=query, sort="date"))

    def _build_missing(self) -> None:
        """Hashes releases stored before paragraph reuse, once per opening (after the job
        that runs then, if one does)."""
        archive = self.ctx.archive
        self._build_wanted = False
        self.panel.writable = self.ctx.writable
        if archive is None or archive.readonly or archive.damage is not None:
            return
        if archive.paragraphs_missing() == 0:
            return
        if self.ctx.jobs.busy:
            self._build_wanted = True
            return
        job_op(self.ctx, background.paragraphs_job(archive), "Finding reused paragraphs")

    # --- translations

    def show_translations(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self._ask_translations()

    def _ask_translations(self) -> None:
        if not self.dock.isVisible():
            return
        release_id = self.results.current_id()
        if release_id is None or self.ctx.archive is None:
            self.panel.clear("Select a release to see its translations.")
            return
        self._asked = release_id
        read_op(
            self.ctx,
            lambda archive: archive.translation_candidates(release_id, include_rejected=True),
            lambda found: self._answered(release_id, found),
        )

    def _answered(self, release_id: int, found: list[TranslationCandidate]) -> None:
        if release_id == self._asked:
            self.panel.show_candidates(release_id, found)

    def _decide(self, decision: str) -> None:
        candidate, release_id = self.panel.current(), self._asked
        if candidate is None or release_id is None:
            return
        other = candidate.id
        if decision == "confirmed":
            write_op(
                self.ctx,
                lambda a: a.confirm_translation(release_id, other),
                lambda _r: self._ask_translations(),
            )
        else:
            write_op(
                self.ctx,
                lambda a: a.reject_translation(release_id, other),
                lambda _r: self._ask_translations(),
            )

    def _side_by_side(self) -> None:
        candidate, release_id = self.panel.current(), self._asked
        if candidate is not None and release_id is not None:
            self.compare.open(release_id, candidate.id)

    def on_changes(self, changes: Changes) -> None:
        if self._build_wanted and not self.ctx.jobs.busy:
            self._build_missing()
        if changes.everything or changes.removed:
            self._ask_translations()

    def on_closed(self) -> None:
        self._build_wanted = False
        self.reused = {}
        self._asked = None
        self.panel.clear("No archive is open.")
