"""The new formats fuzzed like the others (tests/core/test_fuzz_importers.py): valid files
written by their libraries, then mutated (truncated, bytes and NULs inserted, parts repeated
or deleted), and random bytes. Every example gives releases fit to store and clear errors, or
one clear error for the file, never another exception or a hang."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.test_fuzz_importers import check_items, mutated
from tests.fixtures import formats as F

#: Examples per format: each PDF example may take a second (layout analysis, OCR of a page
#: that lost its text), so fewer than the text formats' 200.
EXAMPLES = 15

ENDINGS = [
    "pdf", "docx", "odt", "rtf", "eml", "mbox", "rss", "atom", "rdf", "warc", "warc.gz",
    "wacz", "zip",
]  # fmt: skip


def _seeds(folder: Path) -> dict[str, bytes]:
    """One valid file of each format, with Russian and English text."""
    page = F.html_page("Заседание Совета", F.RU[:2] + F.EN[:1], "2021-09-16").encode()
    records = [
        ("https://example.org/1", "text/html", 200, page),
        ("https://example.org/s.css", "text/css", 200, b"a{}"),
    ]
    entries = [("Entry", "https://e.org/1", "2021-09-16", "<p>Ministers met in Moscow.</p>")]
    rss = [(t, u, "Thu, 16 Sep 2021 10:00:00 +0000", c) for t, u, _, c in entries]
    notes = [F.message(f"N {i}", f"Text {i}") for i in range(3)]
    made = {
        "pdf": F.pdf_pages(folder / "a.pdf", [" ".join(F.RU[:2]), " ".join(F.EN[:2])], "T"),
        "docx": F.docx_file(folder / "a.docx", "Заседание", F.RU[:2], [["a", "b"], ["c", "d"]]),
        "odt": F.odt_file(folder / "a.odt", "Statement", F.EN[:2]),
        "rtf": F.rtf_file(folder / "a.rtf", "Заявление", F.RU[0]),
        "eml": F.eml_file(
            folder / "a.eml", F.message("Тема", "Текст письма.", html="<p>HTML</p>", attachments=2)
        ),
        "mbox": F.mbox_file(folder / "a.mbox", notes),
        "rss": F.rss_file(folder / "a.rss", rss),
        "atom": F.atom_file(folder / "a.atom", entries),
        "rdf": F.rdf_file(folder / "a.rdf", entries),
        "warc": F.warc_file(folder / "a.warc", records, gz=False),
        "warc.gz": F.warc_file(folder / "b.warc.gz", records),
    }  # fmt: skip
    made["wacz"] = F.wacz_file(folder / "a.wacz", made["warc.gz"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(made["eml"], "mail/a.eml")
        z.writestr("a.txt", "The ministers met in Moscow.")
    seeds = {ending: path.read_bytes() for ending, path in made.items()}
    seeds["zip"] = buffer.getvalue()
    return seeds


class Seeds(dict[str, bytes]):
    """The seed files by ending, in a folder for the examples (a short repr in reports)."""

    folder: Path

    def __repr__(self) -> str:
        return f"Seeds({sorted(self)})"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeds]:
    folder = tmp_path_factory.mktemp("format-seeds")
    found = Seeds(_seeds(folder))
    found.folder = folder
    yield found
    shutil.rmtree(folder, ignore_errors=True)


def test_every_seed_is_read(seeds: Seeds) -> None:
    """The unmutated files give releases, so the mutations start from real files."""
    folder = seeds.folder
    for ending, data in seeds.items():
        path = folder / f"seed-check.{ending}"
        path.write_bytes(data)
        assert any(not hasattr(i, "error") for i in check_items(path)), ending


@pytest.mark.parametrize("ending", ENDINGS)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_a_hostile_file_of_a_new_format_gives_releases_or_clear_errors(
    seeds: Seeds, ending: str, data: st.DataObject
) -> None:
    folder, files = seeds.folder, seeds
    if data.draw(st.integers(0, 5), label="random") == 0:
        content = data.draw(st.binary(max_size=4096), label="bytes")
    else:
        content = data.draw(mutated(files[ending]), label="file")
    path = folder / f"example.{ending}"
    path.write_bytes(content)
    check_items(path)
