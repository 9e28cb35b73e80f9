"""The window's features, one module each: what it shows, its actions, slots, dialogs and
background calls. Each is built from a `WindowContext` (and the parts it works with); the
main window only lays them out and wires them together.

Adding a feature (a panel, a tool): write a `Feature` subclass in a new module here that
makes its widgets with `ctx.window` as parent, declares its menu entries in `actions()`
(`ActionSpec` records: id, text, menu, handler, shortcut, `When` it is enabled), runs its
archive calls through `operations.write_op` / `read_op` / `job_op`, and refreshes what it
shows in `on_changes(changes)`. Then add it to `mainwindow.Features` and, if it shows a
panel, put the panel in `MainWindow._build_layout` (the side tabs hold Browse and Tags).
Give it a test file in tests/gui/ that builds it on `make_context`.
"""
