"""What a search is, apart from the engine: the query, filters picked from facets, the sort.

Saved searches store this structure as JSON with a format version, so they survive a change of
the query syntax or of the search engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from archive_browser.core.errors import UserFacingError

SPEC_FORMAT = 1
FILTER_FIELDS = ("tag", "year", "source", "language", "kind")
SORTS = ("relevance", "-date", "date")
SORT_LABELS = {"relevance": "Relevance", "-date": "Newest first", "date": "Oldest first"}


@dataclass(frozen=True, slots=True)
class Filter:
    """Narrows results to releases whose `field` is `value` (one of FILTER_FIELDS)."""

    field: str
    value: str

    def __post_init__(self) -> None:
        if self.field not in FILTER_FIELDS:
            raise ValueError(f"cannot filter on {self.field!r}")

    @property
    def label(self) -> str:
        return f"{self.field}: {self.value}"


@dataclass(frozen=True, slots=True)
class SearchSpec:
    """A query with its filters and sort order."""

    query: str = ""
    filters: tuple[Filter, ...] = field(default_factory=tuple)
    sort: str = "relevance"
    #: Hides releases that are later versions of another (re-posts, re-issues).
    first_versions: bool = False

    def with_filter(self, f: Filter) -> SearchSpec:
        if f in self.filters:
            return self
        return replace(self, filters=(*self.filters, f))

    def without_filter(self, f: Filter) -> SearchSpec:
        return replace(self, filters=tuple(x for x in self.filters if x != f))

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": SPEC_FORMAT,
                "query": self.query,
                "filters": [{"field": f.field, "value": f.value} for f in self.filters],
                "sort": self.sort,
                **({"first_versions": True} if self.first_versions else {}),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> SearchSpec:
        try:
            data: dict[str, Any] = json.loads(text)
            version = data.get("format")
            if version != SPEC_FORMAT:
                raise UserFacingError(
                    f"This saved search has format {version}; this program reads format "
                    f"{SPEC_FORMAT}."
                )
            sort = data.get("sort", "relevance")
            return cls(
                str(data.get("query", "")),
                tuple(Filter(str(f["field"]), str(f["value"])) for f in data.get("filters", [])),
                sort if sort in SORTS else "relevance",
                data.get("first_versions") is True,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise UserFacingError(f"This saved search cannot be read: {e}") from None


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A search the user saved under a name."""

    id: int
    name: str
    spec: SearchSpec
