"""Render the application icon (resources/icons/coder.svg) for every desktop.

    python packaging/make_icons.py [--svg PATH] [--out DIR]

Writes into DIR (default packaging/icons):
  coder-16.png ... coder-512.png   Linux hicolor theme sizes (and the window icon fallbacks)
  coder.svg                         the scalable original (hicolor/scalable)
  coder.ico                         Windows: 16-256 px, PNG-compressed entries
  coder.icns                        macOS: 16-1024 px, PNG-compressed entries

Rendering uses Qt's SVG renderer (QtSvg ships in PySide6-Essentials), on the offscreen
platform, so it runs on a build server without a display. The .ico and .icns containers are
written here directly: both are a small header plus PNG images, so no image library is needed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# (OSType, pixel size) of the PNG-based icns entries (macOS 10.7+).
ICNS_TYPES = (
    ("icp4", 16),
    ("icp5", 32),
    ("icp6", 64),
    ("ic07", 128),
    ("ic08", 256),
    ("ic09", 512),
    ("ic11", 32),
    ("ic12", 64),
    ("ic13", 256),
    ("ic14", 512),
    ("ic10", 1024),
)


_APP: object = None


def render(svg: Path, sizes: set[int]) -> dict[int, bytes]:
    """PNG bytes of ``svg`` rendered square at each size, transparent background."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
    from PySide6.QtSvg import QSvgRenderer

    global _APP
    if QGuiApplication.instance() is None:  # QPainter on a QImage needs an application
        _APP = QGuiApplication([])  # kept alive while the module is
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {svg} is not a valid SVG file")
    out = {}
    for size in sorted(sizes):
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not QImageWriter(buffer, QByteArray(b"png")).write(image):
            raise SystemExit(f"make_icons: could not encode a {size} px PNG")
        buffer.close()
        out[size] = bytes(data.data())
    return out


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG images (supported since Windows Vista)."""
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for s in sizes:
        data = pngs[s]
        dim = 0 if s >= 256 else s  # 0 means 256
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding PNG images."""
    body = b""
    for ostype, size in ICNS_TYPES:
        data = pngs[size]
        body += ostype.encode("ascii") + struct.pack(">I", 8 + len(data)) + data
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def make(svg: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    sizes = set(PNG_SIZES) | set(ICO_SIZES) | {s for _, s in ICNS_TYPES}
    pngs = render(svg, sizes)
    written = []
    for s in PNG_SIZES:
        path = out / f"coder-{s}.png"
        path.write_bytes(pngs[s])
        written.append(path)
    shutil.copyfile(svg, out / "coder.svg")
    (out / "coder.ico").write_bytes(ico(pngs))
    (out / "coder.icns").write_bytes(icns(pngs))
    written += [out / "coder.svg", out / "coder.ico", out / "coder.icns"]
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--svg", type=Path, default=ROOT / "resources" / "icons" / "coder.svg")
    parser.add_argument("--out", type=Path, default=ROOT / "packaging" / "icons")
    args = parser.parse_args(argv)
    if not args.svg.is_file():
        print(f"make_icons: {args.svg} does not exist", file=sys.stderr)
        return 1
    for path in make(args.svg, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
