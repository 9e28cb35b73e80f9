"""How to import: what the user chose for one import."""

from __future__ import annotations

from dataclasses import dataclass, field

from archive_browser.core.importers.text import SPLIT_STRATEGIES
from archive_browser.core.tagnames import clean_tag


@dataclass(slots=True)
class ImportOptions:
    """How to import: the split strategy for text files (and PDFs), column mapping, and what
    to add."""

    split: str = "auto"
    #: How PDFs are split: "file" (one release per file, the default) or a strategy of text
    #: files, which the page text is then split by.
    pdf_split: str = "file"
    mapping: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    source: str = ""  # for releases whose file names none
    kind: str = ""  # for releases whose file names none (otherwise guessed)
    #: Splits the user corrected: text file (resolved path) -> paragraphs starting a release.
    splits: dict[str, list[int]] = field(default_factory=dict)
    #: Which original files the archive keeps: "binary" formats (PDF, office, e-mail, web
    #: archives, zip members), "all" (text formats too) or "none".
    keep_originals: str = "binary"

    def __post_init__(self) -> None:
        if self.split not in SPLIT_STRATEGIES or self.pdf_split not in SPLIT_STRATEGIES:
            raise ValueError(f"split must be one of {', '.join(SPLIT_STRATEGIES)}")
        if self.keep_originals not in ("binary", "all", "none"):
            raise ValueError("keep_originals must be one of binary, all, none")
        self.tags = [clean_tag(t) for t in self.tags]
