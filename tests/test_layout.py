"""Guards of the project's shape: a Qt-free core, one Whoosh distribution."""

from __future__ import annotations

import ast
import importlib.metadata
from pathlib import Path

import archive_browser

PACKAGE = Path(archive_browser.__file__).resolve().parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_never_imports_widgets_or_the_gui() -> None:
    offenders = []
    for path in (PACKAGE / "core").rglob("*.py"):
        for name in _imports(path):
            if name.startswith(("PySide6.QtWidgets", "archive_browser.gui")):
                offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
            # QtGui is allowed in one place only: off-screen PDF rendering.
            if name.startswith("PySide6") and "export" not in path.parts:
                offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offenders == []


def test_whoosh_comes_from_exactly_one_distribution() -> None:
    providers = [
        dist.metadata["Name"]
        for dist in importlib.metadata.distributions()
        if "whoosh" in (dist.read_text("top_level.txt") or "").split()
        or any(str(f).startswith("whoosh/") for f in (dist.files or []))
    ]
    assert [p.lower() for p in providers] == ["whoosh-reloaded"]
    assert importlib.metadata.version("whoosh-reloaded") == "2.7.5"


def test_whoosh_is_imported_only_by_the_index_package() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "index" not in path.relative_to(PACKAGE).parts[:2]
        and any(n == "whoosh" or n.startswith("whoosh.") for n in _imports(path))
    ]
    assert offenders == []


#: The size past which a module or class is split, so that each part stays easy to find.
MAX_MODULE_LINES = 600
MAX_CLASS_LINES = 400
MAX_MAINWINDOW_LINES = 450


def test_no_module_or_class_is_too_big() -> None:
    too_big = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_MODULE_LINES:
            too_big.append(f"{path.relative_to(PACKAGE)}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    too_big.append(f"{path.relative_to(PACKAGE)}:{node.name}: {size} lines")
    window = (PACKAGE / "gui" / "mainwindow.py").read_text(encoding="utf-8").count("\n")
    if window > MAX_MAINWINDOW_LINES:
        too_big.append(f"gui/mainwindow.py: {window} lines")
    assert too_big == []
