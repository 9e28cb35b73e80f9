"""Phrases looked up by word pairs (the pair field) find exactly the releases whose stored
text holds the phrase's words side by side, as the index sees words (folded, stemmed,
punctuation ignored): checked against every release's text, read back from SQLite, on real
releases; and an index of the format before pairs is rebuilt when the archive is opened."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.importers import ImportOptions
from archive_browser.core.index import arrays, engine
from archive_browser.core.index.analysis import folded_words, pair_words, stem_all
from archive_browser.core.index.schema import INDEX_FORMAT, PAIR_FIELD, document_for, make_schema
from archive_browser.core.jobs import run
from archive_browser.core.model import ReleaseDraft
from tests.conftest import copy_archive, run_cli

PHRASES = [
    # Very common words only, and stop words at either end.
    "of the",
    "in the",
    "and the",
    "the",
    "to the people of",
    "i would like to",
    "i want to thank",
    "one of the most",
    "at the same time",
    # Common words around rarer ones.
    "armed forces of ukraine",
    "president of ukraine",
    "the russian federation",
    "glory to ukraine",
    "thank you",
    "ukraine ukraine",
    # No pair word at all: looked up by the words' own places, as before.
    "prime minister",
    "security council",
    "armed forces",
    # Punctuation between the words, in the query and in the text.
    "ukraine, russia",
    "peace - and security",
    # Russian, with and without pair words.
    "коллективной безопасности",
    "договора о коллективной безопасности",
    "в рамках",
    "и в",
    # Words that are nowhere, or nowhere side by side.
    "ukraine nosuchwordanywhere",
    "the the the",
]
CRAFTED = [
    ("Ukraine, Russia: talks", "Ukraine — Russia, ukraine; RUSSIA. Peace, and security."),
    ("Peace and security", "The the the the. Of the, of. In the United States, the end"),
    ("", "Договор о коллективной безопасности и в рамках ОДКБ; в, и в."),
]


def _stems(text: str) -> list[str]:
    return stem_all(folded_words(text))


def _holds(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


@pytest.fixture
def real(tmp_path: Path, sample: Path, zelenskyy_archive: Path) -> Iterator[Archive]:
    """The real releases of zelenskyy.csv (a copy of the session's import), the sample and
    the crafted releases."""
    with Archive.open(copy_archive(zelenskyy_archive, tmp_path / "real")) as archive:
        run(archive.import_paths([sample], ImportOptions(source="CSTO")))
        archive.add_releases([ReleaseDraft(title=t, body=b, source="Test") for t, b in CRAFTED])
        yield archive


def test_phrases_match_a_scan_of_the_stored_texts(
    real: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = {r.id: _stems(document_for(r)["text"]) for r in real.iter_releases()}
    titles = {r.id: _stems(r.title) for r in real.iter_releases()}
    assert len(texts) > 300
    for phrase in PHRASES:
        words = _stems(phrase)
        expected = {i for i, seq in texts.items() if _holds(seq, words)}
        found = real.search(f'"{phrase}"', limit=None)
        assert found.total == len(expected), phrase
        assert set(found.ids) == expected, phrase
        in_titles = {i for i, seq in titles.items() if _holds(seq, words)}
        assert set(real.search(f'title:"{phrase}"', limit=None).ids) == in_titles, phrase
    # The list reaches both ways of looking up: by pairs and by words alone.
    common = pair_words()
    assert any(set(_stems(p)) & common and len(_stems(p)) > 2 for p in PHRASES)
    assert any(not set(_stems(p)) & common for p in PHRASES)
    assert real.search('"of the"').total > 100
    assert real.search('"договора о коллективной безопасности"').total > 0

    # The pair field gives what comparing the places of every word gives (the way phrases
    # were found before pairs, still used for fields without pairs).
    index = real._require_index()
    by_pairs = {p: set(real.search(f'"{p}"', limit=None).ids) for p in PHRASES}
    monkeypatch.setattr(
        arrays,
        "phrase_units",
        lambda fieldname, words, schema: [(fieldname, w, k) for k, w in enumerate(words)],
    )
    index._local.searcher = None  # a new searcher, nothing cached
    for phrase, ids in by_pairs.items():
        assert set(real.search(f'"{phrase}"', limit=None).ids) == ids, phrase


def test_a_phrase_spanning_parts_of_a_release_matches_as_before(archive: Archive) -> None:
    # The text field runs the title into the body: "security" ends the title, "council"
    # begins the body, as the positions of the words always had it.
    archive.add_releases([ReleaseDraft(title="Peace and security", body="Council of the day")])
    assert archive.search('"security council of the"').total == 1
    assert archive.search('title:"security council"').total == 0


def _old_format_index(folder: Path) -> None:
    """Replaces the archive's index with an empty one of the format before word pairs (the
    schema without the pair field, and its format record)."""
    path = folder / "index"
    for old in folder.iterdir():
        if old.is_dir() and old.name.startswith("index"):
            shutil.rmtree(old)
    from whoosh import index as windex

    schema = make_schema()
    schema.remove(PAIR_FIELD)
    path.mkdir()
    windex.create_in(str(path), schema)
    (path / engine.META_FILE).write_text(json.dumps({"format": "4.2"}), encoding="utf-8")


def test_an_index_of_the_previous_format_is_rebuilt_on_opening(
    tmp_path: Path, sample: Path
) -> None:
    folder = tmp_path / "a"
    with Archive.open(folder) as a:
        run(a.import_paths([sample]))
        a.store.set_meta("index_dir", "index")
        count = a.count()
    _old_format_index(folder)
    assert INDEX_FORMAT != "4.2"
    with Archive.open(folder) as a:
        assert "outdated" in (a.index_problem or "") and a.needs_repair
    done = run_cli("search", '"collective security"', archive=folder)
    assert done.returncode == 0, done.stderr
    assert "rebuilding it" in done.stderr and "Traceback" not in done.stderr
    with Archive.open(folder) as a:
        assert a.index_problem is None and a.check().consistent
        assert a._require_index().doc_count() == count
        assert a.search('"collective security"').total > 0
