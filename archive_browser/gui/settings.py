"""Window settings kept between sessions (in the config folder, as an INI file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from archive_browser.core.paths import config_dir

MAX_RECENT = 8


class Settings:
    """Typed access to the few things the window remembers."""

    def __init__(self) -> None:
        path = config_dir() / "archive-browser.ini"
        path.parent.mkdir(parents=True, exist_ok=True)
        self._s = QSettings(str(path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self._s.sync()

    def state(self, key: str) -> QByteArray | None:
        value = self._s.value(f"state/{key}")
        return value if isinstance(value, QByteArray) else None

    def set_state(self, key: str, value: QByteArray) -> None:
        self._s.setValue(f"state/{key}", value)

    def get(self, key: str, default: Any, kind: type = str) -> Any:
        value = self._s.value(key, default)
        try:
            if kind is bool:
                return value in (True, "true", "1", 1)
            return kind(value)
        except (TypeError, ValueError):
            return default

    def set(self, key: str, value: Any) -> None:
        self._s.setValue(key, value)

    def recent_archives(self) -> list[Path]:
        value = self._s.value("recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [Path(p) for p in items if p]

    def add_recent_archive(self, folder: Path) -> None:
        items = [str(folder)] + [str(p) for p in self.recent_archives() if p != folder]
        self._s.setValue("recent", items[:MAX_RECENT])
