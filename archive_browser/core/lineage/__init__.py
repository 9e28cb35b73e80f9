"""Lineage of releases: versions, reuse of paragraphs, translations."""
