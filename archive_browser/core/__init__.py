"""The Qt-free core: archive storage, full-text index, query language, importers and exporters."""
