"""Import speed per format, and the time to export and validate a BagIt bag.

    nice -n 19 python tests/benchmarks/formats.py [--files 30] [--bag 1000] [--out x.json]

For each format, files written by the test fixtures' generators (`tests/fixtures/formats.py`)
are imported into a new archive (the whole import: reading, provenance, storing, indexing);
files and releases per second are printed. Then a bag of `--bag` releases is exported and
validated with bagit. Not collected by pytest (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from archive_browser.core.archive import Archive  # noqa: E402
from archive_browser.core.export import export_releases  # noqa: E402
from archive_browser.core.jobs import run  # noqa: E402
from tests.fixtures import formats as F  # noqa: E402

PER_FILE = 50  # releases in each file of a format that holds several


def _text(i: int) -> str:
    return " ".join(F.EN[(i + k) % 6] for k in range(4)) + f" Release number {i}."


def _ru(i: int) -> str:
    return " ".join(F.RU[(i + k) % 6] for k in range(4)) + f" Выпуск номер {i}."


def _txt(folder: Path, i: int) -> Path:
    path = folder / f"r{i}.txt"
    path.write_text(f"Summit number {i} in Dushanbe\n\n{_text(i)}\n\n{_ru(i)}\n", "utf-8")
    return path


def _md(folder: Path, i: int) -> Path:
    path = folder / f"r{i}.md"
    path.write_text(f"# Summit number {i}\n\n{_text(i)}\n", "utf-8")
    return path


def _html(folder: Path, i: int) -> Path:
    path = folder / f"r{i}.html"
    path.write_text(F.html_page(f"Summit {i}", [_text(i), _text(i + 1)], "2021-09-16"), "utf-8")
    return path


def _csv(folder: Path, i: int) -> Path:
    path = folder / f"r{i}.csv"
    rows = "".join(
        f'"Title {i}-{k}",2021-09-16,"{_text(i * PER_FILE + k)}"\n' for k in range(PER_FILE)
    )
    path.write_text("title,date,body\n" + rows, "utf-8")
    return path


def _json(folder: Path, i: int) -> Path:
    path = folder / f"r{i}.json"
    items = [{"title": f"T {i}-{k}", "body": _text(i * PER_FILE + k)} for k in range(PER_FILE)]
    path.write_text(json.dumps({"releases": items}, ensure_ascii=False), "utf-8")
    return path


def _jsonl(folder: Path, i: int) -> Path:
    path = folder / f"r{i}.jsonl"
    lines = (
        json.dumps({"title": f"T {i}-{k}", "body": _ru(i * PER_FILE + k)}) for k in range(PER_FILE)
    )
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _pdf(folder: Path, i: int) -> Path:
    return F.pdf_pages(folder / f"r{i}.pdf", [f"Summit {i}\n" + _text(i), _ru(i), _text(i + 1)])


def _docx(folder: Path, i: int) -> Path:
    return F.docx_file(folder / f"r{i}.docx", f"Summit {i}", [_text(i), _ru(i)], [["a", "b"]])


def _odt(folder: Path, i: int) -> Path:
    return F.odt_file(folder / f"r{i}.odt", f"Summit {i}", [_text(i), _ru(i)])


def _rtf(folder: Path, i: int) -> Path:
    return F.rtf_file(folder / f"r{i}.rtf", f"Summit {i}", _text(i) + " " + _ru(i))


def _eml(folder: Path, i: int) -> Path:
    return F.eml_file(folder / f"r{i}.eml", F.message(f"Summit {i}", _text(i)))


def _eml_attached(folder: Path, i: int) -> Path:
    msg = F.message(f"Summit {i}", _text(i))
    for k in range(3):
        msg.add_attachment(_ru(i + k).encode(), "text", "plain", filename=f"a{k}.txt")
    return F.eml_file(folder / f"r{i}.eml", msg)


def _mbox(folder: Path, i: int) -> Path:
    messages = [F.message(f"Note {i}-{k}", _text(i * PER_FILE + k)) for k in range(PER_FILE)]
    return F.mbox_file(folder / f"r{i}.mbox", messages)


def _msg(folder: Path, i: int) -> Path:
    # Only two real messages exist: copies, each made unique so none is skipped as a copy.
    source = F.MSG_FIXTURES / ("with-attachments-2.msg" if i % 2 else "outlook-attachment.msg")
    path = folder / f"r{i}.msg"
    shutil.copyfile(source, path)
    return path


def _rss(folder: Path, i: int) -> Path:
    entries = [
        (
            f"T {i}-{k}",
            f"https://e.org/{i}/{k}",
            "Thu, 16 Sep 2021 10:00:00 +0000",
            f"<p>{_text(i * PER_FILE + k)}</p>",
        )
        for k in range(PER_FILE)
    ]
    return F.rss_file(folder / f"r{i}.rss", entries)


def _warc(folder: Path, i: int) -> Path:
    records = [
        (
            f"https://e.org/{i}/{k}",
            "text/html",
            200,
            F.html_page(f"P {i}-{k}", [_text(i * PER_FILE + k)]).encode(),
        )
        for k in range(PER_FILE)
    ] + [(f"https://e.org/{i}/s.css", "text/css", 200, b"a{}")]
    return F.warc_file(folder / f"r{i}.warc.gz", records)


def _wacz(folder: Path, i: int) -> Path:
    warc = _warc(folder, i)
    path = F.wacz_file(folder / f"r{i}.wacz", warc)
    warc.unlink()
    return path


def _zip(folder: Path, i: int) -> Path:
    path = folder / f"r{i}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for k in range(5):
            z.writestr(f"docs/{k}.txt", f"Zipped {i}-{k}\n\n{_text(i * 5 + k)}\n")
    return path


FORMATS: dict[str, Callable[[Path, int], Path]] = {
    "text": _txt, "markdown": _md, "html": _html, "csv": _csv, "json": _json, "jsonl": _jsonl,
    "pdf": _pdf, "docx": _docx, "odt": _odt, "rtf": _rtf, "eml": _eml,
    "eml+3 attachments": _eml_attached, "mbox": _mbox, "msg": _msg, "feed (rss)": _rss,
    "warc": _warc, "wacz": _wacz, "zip": _zip,
}  # fmt: skip


def measure_format(name: str, make: Callable[[Path, int], Path], files: int, work: Path) -> dict:
    folder = work / name.replace(" ", "_")
    folder.mkdir()
    paths = [make(folder, i) for i in range(files)]
    archive = Archive.open(work / f"archive-{folder.name}")
    try:
        start = time.perf_counter()
        report = run(archive.import_paths(paths))
        seconds = time.perf_counter() - start
    finally:
        archive.close()
    assert report is not None
    releases = len(report.imported_ids) + len(report.duplicate_ids)
    return {
        "format": name,
        "files": files,
        "releases": releases,
        "failed": len(report.failures),
        "seconds": round(seconds, 2),
        "files_per_s": round(files / seconds, 1),
        "releases_per_s": round(releases / seconds, 1),
    }


def measure_bag(count: int, work: Path) -> dict:
    import bagit

    source = work / "bag-source.jsonl"
    lines = (
        json.dumps({"title": f"T {k}", "body": _text(k), "tags": ["bench"]}) for k in range(count)
    )
    source.write_text("\n".join(lines) + "\n", "utf-8")
    pdfs = [_pdf(work, k) for k in range(20)]  # some kept originals in the bag too
    archive = Archive.open(work / "archive-bag")
    try:
        report = run(archive.import_paths([source, *pdfs]))
        assert report is not None
        ids = report.imported_ids
        start = time.perf_counter()
        exported = run(export_releases(archive, ids, work / "bench-bag"))
        export_s = time.perf_counter() - start
    finally:
        archive.close()
    assert exported is not None
    start = time.perf_counter()
    bagit.Bag(str(exported.path)).validate(processes=1)
    validate_s = time.perf_counter() - start
    return {
        "releases": len(ids),
        "bytes": exported.bytes,
        "export_s": round(export_s, 2),
        "validate_s": round(validate_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=30, help="files per format (default 30)")
    parser.add_argument("--bag", type=int, default=1000, help="releases in the bag (1000)")
    parser.add_argument("--only", action="append", default=[], help="only these formats")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="archive-browser-formats-"))
    results: dict = {"formats": [], "bag": None}
    try:
        print(f"{'format':<20} {'files':>6} {'releases':>9} {'s':>7} {'files/s':>8} {'rel/s':>8}")
        for name, make in FORMATS.items():
            if args.only and name not in args.only:
                continue
            r = measure_format(name, make, args.files, work)
            results["formats"].append(r)
            print(
                f"{r['format']:<20} {r['files']:>6} {r['releases']:>9} {r['seconds']:>7} "
                f"{r['files_per_s']:>8} {r['releases_per_s']:>8}"
                + (f"  ({r['failed']} failed)" if r["failed"] else ""),
                flush=True,
            )
        if args.bag:
            bag = measure_bag(args.bag, work)
            results["bag"] = bag
            print(
                f"bag of {bag['releases']:,} releases ({bag['bytes'] / 1e6:.1f} MB): export "
                f"{bag['export_s']} s, validate {bag['validate_s']} s"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
