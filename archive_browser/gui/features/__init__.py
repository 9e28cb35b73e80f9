"""The window's features, one module each: what it shows, its actions, slots, dialogs and
background calls. Each is built from a `WindowContext` (and the parts it works with); the
main window only lays them out and wires them together."""
