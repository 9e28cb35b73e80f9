"""Actions as data: each feature declares its menu entries as records, the window builds the
menus from them and re-evaluates when each is enabled from one state signal (after napari's
`_qt/_qapp_model/qactions`, in a small local form)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QMenu

#: The menus, in the order of the menu bar, with their titles.
MENUS = {
    "file": "&File",
    "edit": "&Edit",
    "search": "&Search",
    "view": "&View",
    "tools": "&Tools",
    "help": "&Help",
}

Shortcut = str | QKeySequence.StandardKey


@dataclass(frozen=True)
class State:
    """What enablement depends on: the archive, the job, the selection."""

    has_archive: bool = False
    writable: bool = False
    idle: bool = True
    selected: int = 0
    #: Why the open archive cannot be changed, when it cannot.
    readonly_reason: str = "The archive is open read-only."


@dataclass(frozen=True)
class When:
    """When an action is enabled. `check` is a feature's own condition (e.g. something to
    undo)."""

    archive: bool = False
    writable: bool = False
    idle: bool = False
    min_selected: int = 0
    max_selected: int | None = None
    check: Callable[[], bool] | None = None

    def allows(self, state: State) -> bool:
        return self.reason(state) is None

    def reason(self, state: State) -> str | None:
        """Why the action cannot run now (None when it can; "" when there is nothing to say,
        e.g. nothing to undo)."""
        if (self.archive or self.writable) and not state.has_archive:
            return "Open an archive first."
        if self.writable and not state.writable:
            return state.readonly_reason
        if self.idle and not state.idle:
            return "Wait for the running job to end, or cancel it."
        if state.selected < self.min_selected:
            if self.min_selected == 1:
                return "Select a release first."
            return f"Select at least {self.min_selected} releases."
        if self.max_selected is not None and state.selected > self.max_selected:
            return f"Select at most {self.max_selected} releases."
        return None if self.check is None or self.check() else ""


ALWAYS = When()
WITH_ARCHIVE = When(archive=True)
WRITABLE = When(writable=True)


@dataclass(frozen=True)
class ActionSpec:
    """One menu entry. Entries of a menu are ordered by `section` (a separator between
    sections), then `order`, then the order features declare them. `hidden_shortcuts` work
    like the shortcut but are not shown in the menu. An entry with `fill` is a submenu that
    `fill(menu)` fills each time it opens."""

    id: str
    text: str
    menu: str
    handler: Callable[[], object] | None = None
    shortcut: Shortcut | None = None
    when: When = ALWAYS
    section: int = 0
    order: int = 0
    hidden_shortcuts: tuple[str, ...] = ()
    fill: Callable[[QMenu], None] | None = None


class ActionBook:
    """The window's actions, built from specs; `update(state)` enables each one."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self._specs: dict[str, ActionSpec] = {}
        self._actions: dict[str, QAction] = {}
        self._shortcuts: dict[str, list[QShortcut]] = {}
        #: Per action with a shortcut: one that works while the action is disabled, to say why.
        self._blocked: dict[str, QShortcut] = {}
        self._reasons: dict[str, str] = {}
        self.menus: dict[str, QMenu] = {}

    def build(self, specs: Sequence[ActionSpec]) -> None:
        """Makes the menu bar from the specs, in MENUS order."""
        bar = self.window.menuBar()
        position = {spec.id: i for i, spec in enumerate(specs)}
        for key, title in MENUS.items():
            menu = bar.addMenu(title)
            menu.setToolTipsVisible(True)  # a disabled entry's tooltip says why
            self.menus[key] = menu
            entries = sorted(
                (s for s in specs if s.menu == key),
                key=lambda s: (s.section, s.order, position[s.id]),
            )
            section: int | None = None
            for spec in entries:
                if section is not None and spec.section != section:
                    menu.addSeparator()
                section = spec.section
                self._add(menu, spec)
        unknown = {s.menu for s in specs} - set(MENUS)
        if unknown:
            raise ValueError(f"actions for unknown menus: {sorted(unknown)}")

    def _add(self, menu: QMenu, spec: ActionSpec) -> None:
        if spec.id in self._specs:
            raise ValueError(f"two actions with the id {spec.id!r}")
        self._specs[spec.id] = spec
        if spec.fill is not None:
            sub = menu.addMenu(spec.text)
            fill = spec.fill
            sub.aboutToShow.connect(lambda m=sub: fill(m))
            self._actions[spec.id] = sub.menuAction()
            return
        action = QAction(spec.text, self.window)
        if spec.shortcut is not None:
            action.setShortcut(QKeySequence(spec.shortcut))
        handler = spec.handler
        if handler is not None:
            action.triggered.connect(lambda _checked=False: handler())
            shortcuts = []
            for keys in spec.hidden_shortcuts:
                shortcut = QShortcut(QKeySequence(keys), self.window)
                shortcut.activated.connect(handler)
                shortcuts.append(shortcut)
            self._shortcuts[spec.id] = shortcuts
            if spec.shortcut is not None:
                blocked = QShortcut(QKeySequence(spec.shortcut), self.window)
                blocked.setEnabled(False)
                blocked.activated.connect(lambda i=spec.id: self._say_why(i))
                self._blocked[spec.id] = blocked
        menu.addAction(action)
        self._actions[spec.id] = action

    def get(self, action_id: str) -> QAction:
        return self._actions[action_id]

    def ids(self) -> list[str]:
        return list(self._actions)

    def reason(self, action_id: str) -> str:
        """Why an action is disabled ("" when it is enabled or there is nothing to say)."""
        return self._reasons.get(action_id, "")

    def _say_why(self, action_id: str) -> None:
        reason = self.reason(action_id)
        if reason:
            text = self._specs[action_id].text.replace("&", "").rstrip("…")
            self.window.statusBar().showMessage(f"{text}: {reason}", 8000)

    def update(self, state: State) -> None:
        for action_id, spec in self._specs.items():
            reason = spec.when.reason(state)
            enabled = reason is None
            action = self._actions[action_id]
            action.setEnabled(enabled)
            self._reasons[action_id] = reason or ""
            # The reason shows as the entry's tooltip and in the status bar on hover.
            action.setToolTip(reason or action.text().replace("&", ""))
            action.setStatusTip(reason or "")
            for shortcut in self._shortcuts.get(action_id, []):
                shortcut.setEnabled(enabled)
            blocked = self._blocked.get(action_id)
            if blocked is not None:
                blocked.setEnabled(not enabled and bool(reason))
