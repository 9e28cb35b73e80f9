"""Renders the application icon from its SVG source into the PNG, ICO and ICNS files.

    python packaging/make_icons.py [--preview SHEET.png]

Reads `resources/icons/archive-browser.svg` and writes, next to it,
`archive-browser-{16,32,48,64,128,256,512}.png`, `archive-browser.ico` (16-256 px) and
`archive-browser.icns` (16-1024 px). Sizes under 32 px are drawn from a variant of the SVG in
which each `data-small-NAME` attribute replaces `NAME` and `data-small="hide"` elements are
left out, so that a 16 px icon stays sharp. Rendering uses Qt's SVG renderer off-screen;
Pillow writes the files. Run it again after editing the SVG, and look at the preview.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SOURCE = ICONS / "archive-browser.svg"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)
SMALL_BELOW = 32
SVG_NS = "http://www.w3.org/2000/svg"
SMALL_PREFIX = "data-small-"


def small_variant(svg: bytes) -> bytes:
    """The SVG with its `data-small-*` attributes applied and its `data-small="hide"`
    elements removed."""
    ET.register_namespace("", SVG_NS)
    root = ET.fromstring(svg)

    def apply(parent: ET.Element) -> None:
        for element in list(parent):
            if element.get("data-small") == "hide":
                parent.remove(element)
                continue
            for name, value in list(element.attrib.items()):
                if name.startswith(SMALL_PREFIX):
                    element.set(name.removeprefix(SMALL_PREFIX), value)
                    del element.attrib[name]
            apply(element)

    apply(root)
    return ET.tostring(root)


class Renderer:
    """Draws an SVG at a given size with Qt, off-screen."""

    def __init__(self, svg: bytes) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QByteArray
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtSvg import QSvgRenderer

        self._app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
        self._full = QSvgRenderer(QByteArray(svg))
        self._small = QSvgRenderer(QByteArray(small_variant(svg)))
        if not (self._full.isValid() and self._small.isValid()):
            raise SystemExit(f"{SOURCE}: Qt cannot read this SVG")

    def render(self, size: int) -> Image.Image:
        from PySide6.QtCore import QBuffer, QRectF
        from PySide6.QtGui import QImage, QPainter

        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(0)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer = self._small if size < SMALL_BELOW else self._full
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        buffer = QBuffer()
        buffer.open(QBuffer.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGBA")


def preview(images: dict[int, Image.Image], out: Path) -> None:
    """A contact sheet: every size on a light and a dark ground, and the small ones enlarged."""
    sizes = [s for s in PNG_SIZES if s <= 256]
    width = sum(sizes) + 20 * (len(sizes) + 1)
    sheet = Image.new("RGBA", (width, 2 * 276 + 276), "#ffffff")
    sheet.paste("#2d2d2d", (0, 276, width, 552))
    x = 20
    for size in sizes:
        for y in (10, 286):
            sheet.alpha_composite(images[size], (x, y))
        x += size + 20
    x = 20
    for size in (16, 32, 48):
        enlarged = images[size].resize((256 // size * size,) * 2, Image.Resampling.NEAREST)
        sheet.alpha_composite(enlarged, (x, 562))
        x += enlarged.width + 20
    sheet.save(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preview", type=Path, help="also write a contact sheet to this PNG")
    args = parser.parse_args(argv)

    renderer = Renderer(SOURCE.read_bytes())
    images = {size: renderer.render(size) for size in {*PNG_SIZES, *ICO_SIZES, *ICNS_SIZES}}
    for size in PNG_SIZES:
        images[size].save(ICONS / f"archive-browser-{size}.png", optimize=True)
    largest_ico = images[max(ICO_SIZES)]
    largest_ico.save(
        ICONS / "archive-browser.ico",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    images[max(ICNS_SIZES)].save(
        ICONS / "archive-browser.icns",
        append_images=[images[s] for s in ICNS_SIZES if s != max(ICNS_SIZES)],
    )
    if args.preview:
        preview(images, args.preview)
    written = sorted(p.name for p in ICONS.iterdir() if p.name != SOURCE.name)
    print(f"make_icons: wrote {', '.join(written)} in {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
