"""The quicker import gives what the slower one gave: releases placed in batches as one by one
(copies, possible duplicates, tags, the index queue), paragraphs split and normalised as the
former patterns did, languages decided by script as the former patterns decided, dates and
kinds as before, MinHash signatures of many texts equal to one text's at a time, and every
release an import stored hashed for paragraph reuse, also when the import is stopped."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from pathlib import Path

import numpy as np
import pytest

from archive_browser.core import importers
from archive_browser.core.archive import Archive, importing
from archive_browser.core.importers import dates, kinds, language
from archive_browser.core.jobs import cancel, run
from archive_browser.core.lineage import minhash as mh
from archive_browser.core.lineage import reuse
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.store import Store
from archive_browser.core.textnorm import clean_text, fold, normalize_punctuation
from tests.conftest import CORPUS, SAMPLE, shared_file

# --- the former definitions, the reference the quicker ones are held to


_OLD_BLOCK = re.compile(r"\S(?:.*?\S)??(?=\n[ \t]*\n|\s*\Z)", re.S)
_OLD_NOT_WORD = re.compile(r"[\W_]+")


def old_split_paragraphs(body: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _OLD_BLOCK.finditer(body):
        start, end = m.span()
        if end - start <= reuse.LONG_BLOCK:
            spans.append((start, end))
            continue
        last = start
        for s in reuse._SENTENCE_END.finditer(body, start, end):
            spans.append((last, s.start()))
            last = s.end()
        spans.append((last, end))
    return [(s, e) for s, e in spans if body[s:e].strip()]


def old_normalize_paragraph(text: str) -> str:
    return " ".join(_OLD_NOT_WORD.sub(" ", fold(normalize_punctuation(text))).split())


def old_signature(hashes: mh.Shingles) -> mh.Signature:
    out = np.full(mh.NUM_PERM, mh.EMPTY, dtype=np.uint32)
    for start in range(0, len(hashes), 4096):
        values = np.multiply.outer(mh._A, hashes[start : start + 4096])
        values += mh._B[:, None]
        values >>= np.uint64(32)
        np.minimum(out, values.min(axis=1).astype(np.uint32), out=out)
    return out


# --- texts


def _real_bodies() -> list[str]:
    csv.field_size_limit(1 << 30)
    bodies = []
    for name in ("putin.csv", "zelenskyy.csv"):
        with shared_file(CORPUS / name).open(encoding="utf-8", newline="") as f:
            bodies += [clean_text(r["body"]) for r in csv.DictReader(f)]
    return bodies


#: Characters that the patterns treat apart: white space of every kind (\x1c-\x1f and
#: U+2029 are white space to Python), sentence ends and quotes, letters that fold to more
#: than one (ß), ё, underscores, digits, typographic dashes, quotes and invisible characters.
_ALPHABET = list("ab Z\n\n\t .!?\"'»«“”\u00a0\u2029\x1c\x1f\u200b\u00adёЁ_ß9Ω\r\x0b\x0c…—K\u212a")


def _random_texts(count: int, longest: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choices(_ALPHABET, k=rnd.randint(0, longest))) for _ in range(count)]


# --- paragraphs


def test_paragraphs_split_and_normalised_as_before_on_real_and_random_texts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [*_real_bodies(), shared_file(SAMPLE).read_text(encoding="utf-8")]
    texts += _random_texts(20_000, 40, seed=1)
    for text in texts:
        spans = reuse.split_paragraphs(text)
        assert spans == old_split_paragraphs(text), repr(text[:200])
        for s, e in spans:
            assert reuse.normalize_paragraph(text[s:e]) == old_normalize_paragraph(text[s:e])
        assert reuse.normalize_paragraph(text) == old_normalize_paragraph(text), repr(text)
    # Long blocks are cut into sentences: made short here, so that random texts reach them.
    monkeypatch.setattr(reuse, "LONG_BLOCK", 15)
    for text in _random_texts(20_000, 60, seed=2):
        assert reuse.split_paragraphs(text) == old_split_paragraphs(text), repr(text)


# --- language


def test_script_shortcuts_see_the_letters_and_words_the_patterns_saw() -> None:
    rnd = random.Random(3)
    pieces = [*"abcXYZ ё і ї ыэ K\u212a İ ß 12_ “”—\n²½٣", "the ", "of ", "и ", "на ", "Ы"]
    pieces += ["😀", "𝐀", "\ud800"]  # outside the table's plane, and a lone surrogate
    texts = ["".join(rnd.choices(pieces, k=rnd.randint(0, 300))) for _ in range(5000)]
    texts += [t[: language.SAMPLE_CHARS] for t in _real_bodies()[:300]]
    for text in texts:
        letters = re.sub(r"[\W\d_]+", "", text)
        assert language._letters(text) == letters
        assert language._cyrillic_count(letters) == len(re.findall(r"[\u0400-\u04ff]", letters))
        assert language._ascii_words(text) == re.findall(r"[a-z]+", text.lower())


def test_the_letter_table_holds_what_the_pattern_keeps() -> None:
    table = language._bmp_letters()
    kept = [language._NOT_LETTERS.sub("", chr(c)) != "" for c in range(0x10000)]
    assert table.tolist() == kept


# --- dates and kinds


def test_iso_date_values_read_as_the_general_patterns_read_them() -> None:
    rnd = random.Random(5)
    parts = ["2022", "1999", "2013", "1799", "-", "05", "5", "13", "31", "00", "T", " "]
    parts += ["Z", "x", "10:00", "+0000", "28 May 2013", ".", "1", "2"]
    for _ in range(20_000):
        value = "".join(rnd.choices(parts, k=rnd.randint(1, 6)))
        general = dates.find_date(value.strip())
        if general is None and value.strip().lower() not in {"", "na", "nan", "-"}:
            continue  # the e-mail date parser's turn, unchanged
        assert dates.parse_date_value(value) == general, repr(value)


def test_kinds_guessed_as_the_patterns_alone_guess_them() -> None:
    def old(title: str, body: str) -> str:
        for kind, pattern in kinds._TITLE_RULES:
            if pattern.search(fold(title)):
                return kind
        for kind, pattern in kinds._LEDE_RULES:
            if pattern.search(fold(body[:500])):
                return kind
        return "news"

    rnd = random.Random(7)
    words = ["told", "Told", "the", "correspondent", " ", "in an interview", "IN AN INTERVIEW"]
    words += ["answered questions", "рассказал", "корреспонденту", "в интервью", "Dear", ","]
    ledes = ["".join(rnd.choices(words, k=rnd.randint(1, 12))) for _ in range(5000)]
    for body in ledes + _real_bodies():
        assert kinds.guess_kind("", body) == old("", body), repr(body[:200])
    assert kinds.guess_kind("", "The minister told a TV channel that") == "interview"


# --- MinHash


def test_signatures_of_many_texts_equal_each_text_signed_alone() -> None:
    bodies = _real_bodies()[:400]
    bodies += ["", "!!!", "word", "two words", " ".join(f"w{i}" for i in range(80_000))]
    sets = [mh.shingles(b) for b in bodies]
    many = mh.signatures(sets)
    assert many.shape == (len(sets), mh.NUM_PERM) and many.dtype == np.uint32
    for row, hashes in zip(many, sets, strict=True):
        assert np.array_equal(row, old_signature(hashes))
    assert (many[bodies.index("")] == mh.EMPTY).all()
    assert np.array_equal(mh.signature(sets[0]), old_signature(sets[0]))


# --- placing releases in batches


def _drafts() -> list[ReleaseDraft]:
    """Drafts with everything placing tells apart: new ones, an exact copy (of one stored
    before and of one earlier in the batch), the same text under another title (a possible
    duplicate, of an earlier one and of one stored before), white space and quotes that the
    checksum ignores, and tags shared, repeated and new."""
    text = "The delegation discussed “regional security” and trade in Bishkek."
    return [
        ReleaseDraft("First", text, "2022-01-01", tags=["Security", "trade"]),
        ReleaseDraft("Other", "Another text altogether, about grain exports.", tags=["trade"]),
        ReleaseDraft("First", text.replace(" ", "  "), "2022-01-01"),  # a copy of the first
        ReleaseDraft("Second", text, "2022-01-02", tags=["new tag", "Security"]),
        ReleaseDraft("Third", text.replace("“", '"').replace("”", '"'), tags=["security"]),
        ReleaseDraft("Other", "Another text altogether, about grain exports."),  # a copy
        ReleaseDraft("Alone", "A text of its own.", tags=["Alone", "alone"]),
    ]


def _tables(store: Store) -> dict[str, list[tuple[object, ...]]]:
    queries = {
        "releases": "SELECT id, title, date, body, checksum, text_checksum FROM releases",
        "matches": "SELECT release_id, matched_id, kind FROM release_matches",
        "tags": "SELECT id, name, key FROM tags",
        "release_tags": "SELECT release_id, tag_id FROM release_tags",
        "queue": "SELECT seq, release_id FROM index_queue",
    }
    return {k: sorted(store.db.execute(q).fetchall()) for k, q in queries.items()}


def test_releases_placed_in_a_batch_as_one_by_one(tmp_path: Path) -> None:
    one, many = Store(tmp_path / "one.db"), Store(tmp_path / "many.db")
    for store in (one, many):
        store.migrate()
    stored_before = [ReleaseDraft("Earlier", "A text of its own."), _drafts()[1]]
    with one.transaction():
        for d in stored_before:
            one.place_release(d, stamp="2024-01-01T00:00:00Z")
        by_one = [one.place_release(d, stamp="2024-01-01T00:00:00Z") for d in _drafts()]
    with many.transaction():
        many.place_releases(stored_before, stamp="2024-01-01T00:00:00Z")
        by_batch = many.place_releases(_drafts(), stamp="2024-01-01T00:00:00Z")
    assert by_batch == by_one
    assert [kind for _i, _m, kind in by_batch] == [
        "new", "same", "same", "possible", "possible", "same", "possible",
    ]  # fmt: skip
    assert _tables(many) == _tables(one)
    one.close()
    many.close()


def test_an_import_finds_the_same_duplicates_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSON Lines file of several batches, with copies and same texts across batches and
    inside them: what is stored and linked equals placing each release on its own."""
    monkeypatch.setattr(importing, "IMPORT_BATCH", 40)
    bodies = [c.replace("\n", " ") for c in _real_bodies()[:150]]
    records = [{"date": "2022-01-01", "source": "office", "body": b} for b in bodies]
    records[30:30] = records[20:25]  # copies in the same batch
    records += records[::17]  # exact copies, in later batches
    records += [{**r, "date": "2022-02-02"} for r in records[5:150:21]]  # same text, new date
    path = tmp_path / "releases.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with Archive.open(tmp_path / "a") as archive:
        report = run(archive.import_paths([path]))
        assert report is not None
        got = _tables(archive.store)
        kinds_seen = [m.kind for m in report.files[0].matches]
    with Archive.open(tmp_path / "b") as archive:
        store = archive.store
        drafts = importers.read_file(path, importers.ImportOptions())
        with store.transaction():
            expected = [store.place_release(d) for d in drafts if isinstance(d, ReleaseDraft)]
        want = _tables(store)
    assert kinds_seen == [k for _i, _m, k in expected if k != "new"]
    # (at least: the real releases hold a copy or two of their own)
    assert kinds_seen.count("same") >= 5 + len(records[:155:17])
    assert kinds_seen.count("possible") >= len(records[5:150:21])
    for table in ("releases", "matches", "release_tags"):  # (the import indexed its queue)
        assert got[table] == want[table], table


# --- paragraphs of an import


def _hashed_ids(archive: Archive) -> set[int]:
    return {int(r[0]) for r in archive.store.db.execute("SELECT release_id FROM paragraph_done")}


def _lines(tmp_path: Path, count: int) -> Path:
    # Numbered: the real releases hold a copy or two of their own.
    bodies = [f"{b}\n\nRelease number {n}." for n, b in enumerate(_real_bodies()[:count])]
    path = tmp_path / f"r{count}.jsonl"
    path.write_text(
        "".join(json.dumps({"date": "2022-03-01", "body": b}) + "\n" for b in bodies),
        encoding="utf-8",
    )
    return path


def test_an_import_hashes_every_release_it_stored_as_stored_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "IMPORT_BATCH", 50)
    path = _lines(tmp_path, 120)  # three batches
    with Archive.open(tmp_path / "a") as archive:
        report = run(archive.import_paths([path]))
        assert report is not None and len(report.imported_ids) == 120
        assert archive.paragraphs_missing() == 0
        assert _hashed_ids(archive) == set(report.imported_ids)
        rows = archive.store.db.execute(
            "SELECT hash, release_id, position FROM paragraph_hashes ORDER BY 1, 2, 3"
        ).fetchall()
        bodies = dict(archive.store.db.execute("SELECT id, body FROM releases").fetchall())
    expected = sorted(
        (p.hash, i, p.position) for i, body in bodies.items() for p in reuse.hashed_paragraphs(body)
    )
    assert rows == expected and len(rows) > 120
    # The hash of a paragraph is what it was: BLAKE2b of the normalised text.
    some = reuse.hashed_paragraphs(bodies[1])[0]
    norm = old_normalize_paragraph(bodies[1][some.start : some.end])
    digest = hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest()
    assert some.hash == int.from_bytes(digest, "big", signed=True)


@pytest.mark.parametrize("how", ["cancelled", "closed"])
def test_a_stopped_import_hashes_what_it_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.setattr(importing, "IMPORT_BATCH", 100)
    path = _lines(tmp_path, 300)
    with Archive.open(tmp_path / "a") as archive:
        job = archive.import_paths([path])
        for progress in job:
            if "stored" in progress.message and archive.store.count() >= 100:
                break
        if how == "cancelled":
            report = cancel(job)
            assert report is not None and report.cancelled
        else:
            job.close()
        stored = archive.store.count()
        assert 100 <= stored < 300
        assert archive.paragraphs_missing() == 0
        assert len(_hashed_ids(archive)) == stored


def test_paragraphs_of_releases_deleted_before_they_were_hashed_are_passed_over(
    tmp_path: Path,
) -> None:
    from archive_browser.core.archive.reuse import record_stored_paragraphs

    with Archive.open(tmp_path / "a") as archive:
        store = archive.store
        with store.transaction():
            ids = [store.insert_release(ReleaseDraft("t", b)) for b in _real_bodies()[:3]]
        assert archive.paragraphs_missing() == 3  # stored by another way in
        steps = list(record_stored_paragraphs(store, [i for i in ids if i] + [999]))
        assert steps == [(4, 4)]
        assert archive.paragraphs_missing() == 0
        assert len(_hashed_ids(archive)) == 3
