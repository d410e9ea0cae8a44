"""Hostile files, generated on demand: small on disk, enormous once read.

Each generator writes one file into a folder and returns its path; ``BOMBS`` lists them with
the command that meets them (``coder import`` or ``coder cases import``). The sizes default to
the attacks that once took Coder minutes and gigabytes (a 358 KB .docx of 150 million
characters, a 3.5 MB .docx of 1.5 GB of XML, a 1 KB .odt asking for two billion spaces...);
tests pass smaller ones that still cross each limit. Nothing here is ever committed as a file.

:func:`measure` runs one bomb in a fresh process and reports its time, peak memory, exit
status and message (``python -m benchmarks --only bombs`` prints them all).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MB = 1024 * 1024

# ----------------------------------------------------------------------------- zip helpers


def _write_stream(
    archive: zipfile.ZipFile, name: str, head: bytes, unit: bytes, total: int, tail: bytes
) -> None:
    """A member of ``head``, then ``unit`` repeated to about ``total`` bytes, then ``tail``,
    compressed as it is written (a gigabyte costs seconds, never memory)."""
    chunk = unit * max(1, _MB // max(1, len(unit)))
    with archive.open(name, "w", force_zip64=True) as f:
        f.write(head)
        written = 0
        while chunk and written < total:
            f.write(chunk)
            written += len(chunk)
        f.write(tail)


def _zip(path: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9)


# ----------------------------------------------------------------------------- Word

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_PACKAGE_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_DOC_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="'
    + W_NS.encode()
    + b'"><w:body>'
)
_DOC_TAIL = b"</w:body></w:document>"


def _docx(path: Path, unit: bytes, total: int) -> Path:
    with _zip(path) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _PACKAGE_RELS)
        _write_stream(z, "word/document.xml", _DOC_HEAD, unit, total, _DOC_TAIL)
    return path


def docx_characters(folder: Path, characters: int = 150_000_000) -> Path:
    """A .docx of a few hundred KB whose text is ``characters`` long (1M-character runs)."""
    run = 1_000_000
    unit = b"<w:p><w:r><w:t>" + b"a" * run + b"</w:t></w:r></w:p>"
    return _docx(folder / "characters.docx", unit, characters)


def docx_xml(folder: Path, xml_bytes: int = 1536 * _MB) -> Path:
    """A .docx of a few MB whose XML unpacks to ``xml_bytes`` of one-letter paragraphs."""
    return _docx(folder / "xml.docx", b"<w:p><w:r><w:t>x</w:t></w:r></w:p>", xml_bytes)


# ----------------------------------------------------------------------------- OpenDocument

_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_ODT_MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    b'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
    b'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    b"</manifest:manifest>"
)


def _odt_bytes(body: bytes) -> bytes:
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">'
        b"<office:body><office:text>" + body + b"</office:text></office:body>"
        b"</office:document-content>"
    )
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), _ODT_MIMETYPE, zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", _ODT_MANIFEST)
        z.writestr("content.xml", content)
    return buf.getvalue()


def odt_spaces(folder: Path, count: int = 2_000_000_000) -> Path:
    """A 1 KB .odt whose one paragraph asks for ``count`` spaces (``text:s text:c``)."""
    path = folder / "spaces.odt"
    path.write_bytes(_odt_bytes(b'<text:p>a<text:s text:c="%d"/>b</text:p>' % count))
    return path


def _odt_columns_body(count: int) -> bytes:
    return (
        b"<table:table><table:table-row>"
        b'<table:table-cell table:number-columns-repeated="%d"><text:p>x</text:p>'
        b"</table:table-cell></table:table-row></table:table>" % count
    )


def odt_columns(folder: Path, count: int = 1_000_000_000) -> Path:
    """A 1 KB .odt whose table repeats a cell with content ``count`` times."""
    path = folder / "columns.odt"
    path.write_bytes(_odt_bytes(_odt_columns_body(count)))
    return path


def qdpx_with_odt(folder: Path, count: int = 1_000_000_000) -> Path:
    """A .qdpx whose one source is the repeated-cells .odt."""
    guid = "7d4d3e4f-0000-4000-8000-000000000001"
    qde = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="bomb">'
        f'<Sources><TextSource guid="{guid}" name="columns" '
        f'richTextPath="internal://{guid}.odt"/></Sources></Project>'
    ).encode()
    path = folder / "columns.qdpx"
    with _zip(path) as z:
        z.writestr("project.qde", qde)
        z.writestr(f"sources/{guid}.odt", _odt_bytes(_odt_columns_body(count)))
    return path


# ----------------------------------------------------------------------------- tables

_XLSX_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_XLSX_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_XLSX_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_XLSX_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _xlsx(path: Path, dimension: bytes, unit: bytes, total: int, first: bytes) -> Path:
    declared = b'<dimension ref="' + dimension + b'"/>' if dimension else b""
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet '
        + _SHEET_NS
        + b">"
        + declared
        + b"<sheetData>"
        + first
    )
    with _zip(path) as z:
        z.writestr("[Content_Types].xml", _XLSX_TYPES)
        z.writestr("_rels/.rels", _XLSX_RELS)
        z.writestr("xl/workbook.xml", _XLSX_WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _XLSX_WORKBOOK_RELS)
        _write_stream(z, "xl/worksheets/sheet1.xml", head, unit, total, b"</sheetData></worksheet>")
    return path


def xlsx_cells(folder: Path, xml_bytes: int = 700 * _MB) -> Path:
    """An .xlsx of a few MB: a header and rows of ten numbers, ``xml_bytes`` of sheet XML."""
    header = (
        b'<row><c t="inlineStr"><is><t>case</t></is></c>'
        + b"".join(b'<c t="inlineStr"><is><t>a%d</t></is></c>' % i for i in range(9))
        + b"</row>"
    )
    row = b'<row><c t="inlineStr"><is><t>c</t></is></c>' + b"<c><v>1</v></c>" * 9 + b"</row>"
    return _xlsx(folder / "cells.xlsx", b"", row, xml_bytes, header)


def xlsx_dimension(folder: Path) -> Path:
    """An .xlsx of 1 KB whose dimension claims every cell of the sheet, one cell far out."""
    last = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return _xlsx(folder / "dimension.xlsx", b"A1:XFD1048576", b"", 0, last)


def xlsx_rows(folder: Path, row: int = 10**20) -> Path:
    """An .xlsx of 1 KB with a second row numbered ``row`` (a reader fills the rows between)."""
    cells = b'<row r="1"><c r="A1" t="inlineStr"><is><t>case</t></is></c></row>'
    far = b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (row, row)
    return _xlsx(folder / "rows.xlsx", b"", b"", 0, cells + far)


def csv_columns(folder: Path, columns: int = 20_000) -> Path:
    """A CSV of 168 KB: a case column and ``columns`` attribute columns, two cases."""
    header = ["case"] + [f"a{i}" for i in range(columns)]
    rows = [header, ["one"] + ["1"] * columns, ["two"] + ["2"] * columns]
    path = folder / "columns.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- PDF, subtitles


def pdf_pages(folder: Path, pages: int = 20_000, stream_bytes: int = 70 * _MB) -> Path:
    """A PDF whose ``pages`` pages all draw one content stream that inflates to
    ``stream_bytes`` of text operators that show no text (each costs a PDF reader time)."""
    ops = zlib.compressobj(9)
    unit = b"BT /F1 12 Tf 0 0 Td ET\n" * 4096
    parts = [ops.compress(unit) for _ in range(stream_bytes // len(unit))]
    stream = b"".join(parts) + ops.flush()
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>"
    )
    objects += [page] * pages
    path = folder / "pages.pdf"
    path.write_bytes(pdf_file(objects))
    return path


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1, the first the catalog) with its xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def vtt_cues(folder: Path, size: int = 49 * _MB) -> Path:
    """A WebVTT file of ``size`` bytes made of one-letter cues (about 1.7 million of them)."""
    path = folder / "cues.vtt"
    with path.open("wb") as f:
        f.write(b"WEBVTT\n\n")
        cue = b"00:00:01.000 --> 00:00:02.000\na\n\n"
        block = cue * 4096
        for _ in range(size // len(block)):
            f.write(block)
    return path


# ----------------------------------------------------------------------------- running them


@dataclass(frozen=True)
class Bomb:
    name: str
    make: Callable[..., Path]
    command: tuple[str, ...]  # the coder command, with PROJECT and FILE as placeholders
    attack: str  # what it once did
    # Sizes that still cross the limit, for quick tests (the defaults are the real attacks).
    small: dict[str, int] = field(default_factory=dict)


IMPORT = ("import", "PROJECT", "FILE")
CASES = ("cases", "import", "PROJECT", "FILE")

_OVER = 65 * _MB  # just over the unpacked-bytes limit (64 MB)

BOMBS = (
    Bomb("docx-characters", docx_characters, IMPORT, "358 KB .docx, 150M characters",
         {"characters": 21_000_000}),
    Bomb("docx-xml", docx_xml, IMPORT, "3.5 MB .docx, 1.5 GB of XML", {"xml_bytes": _OVER}),
    Bomb("odt-spaces", odt_spaces, IMPORT, '1 KB .odt, text:s text:c="2000000000"'),
    Bomb("odt-columns", odt_columns, IMPORT, '1.2 KB .odt, number-columns-repeated="1e9"'),
    Bomb("qdpx-odt-columns", qdpx_with_odt, IMPORT, "the same .odt inside a .qdpx"),
    Bomb("xlsx-cells", xlsx_cells, CASES, "2.6 MB .xlsx attribute table", {"xml_bytes": _OVER}),
    Bomb("xlsx-dimension", xlsx_dimension, CASES, "1 KB .xlsx claiming every cell"),
    Bomb("xlsx-rows", xlsx_rows, CASES, "1 KB .xlsx with a row numbered 10^20"),
    Bomb("csv-columns", csv_columns, CASES, "168 KB CSV with 20,000 columns"),
    Bomb("pdf-pages", pdf_pages, IMPORT, "PDF, 20,000 pages of one 70 MB stream",
         {"pages": 200, "stream_bytes": _OVER}),
    Bomb("vtt-cues", vtt_cues, IMPORT, "49 MB WebVTT of 1.7M cues", {"size": 8 * _MB}),
)  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    name: str
    file_bytes: int
    seconds: float
    cpu_seconds: float  # user + system time of the process (wall time on a busy machine is more)
    peak_mb: float
    returncode: int | None  # None: stopped at the time limit
    message: str


def _wait(pid: int) -> tuple[int, float, float]:
    """Exit status, CPU seconds and peak memory (MB) of one child process, once it ends."""
    _, status, usage = os.wait4(pid, 0)
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    cpu = usage.ru_utime + usage.ru_stime
    return os.waitstatus_to_exitcode(status), cpu, usage.ru_maxrss * scale / _MB


def measure(
    bomb: Bomb,
    folder: Path,
    repo: Path | None = None,
    timeout: float = 600.0,
    memory_gb: int = 8,
    small: bool = False,
) -> Outcome:
    """Run ``bomb`` through the command line in a fresh process (``repo``: another checkout
    to run instead of this one); its time and peak memory, exit status and first message line.

    The process is given at most ``timeout`` seconds and ``memory_gb`` of address space;
    ``small`` makes the bomb just big enough to cross its limit.
    """
    path = bomb.make(folder, **(bomb.small if small else {}))
    project = folder / f"{bomb.name}.coder"
    args = [
        str(project) if a == "PROJECT" else str(path) if a == "FILE" else a for a in bomb.command
    ]
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    if repo is not None:
        env["PYTHONPATH"] = str(repo)
    peak_file = folder / "peak.txt"
    env["CODER_BOMB_PEAK"] = str(peak_file)
    code = (
        "import atexit, os, resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({memory_gb} << 30, {memory_gb} << 30))\n"
        "atexit.register(lambda: open(os.environ['CODER_BOMB_PEAK'], 'w').write(\n"
        "    next((l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')), '')\n"
        "    if os.path.exists('/proc/self/status') else ''))\n"
        "from coder.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    if bomb.command[0] == "cases":  # attributes go into an existing project
        subprocess.run([sys.executable, "-m", "coder", "new", str(project)], env=env, cwd=folder,
                       check=True, capture_output=True)  # fmt: skip
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=folder,
        )  # fmt: skip
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        returncode: int | None
        returncode, cpu, peak = _wait(proc.pid)  # reaps it: the usage of this child only
        # Linux counts the parent's memory before exec in ru_maxrss; VmHWM is the process's own.
        hwm = peak_file.read_text().strip() if peak_file.exists() else ""
        if hwm.isdigit():
            peak = int(hwm) / 1024
        timer.cancel()
        proc.returncode = returncode
        seconds = time.perf_counter() - start
        if seconds >= timeout:
            returncode = None
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    message = lines[-1] if lines and "Traceback" in lines[0] else (lines[0] if lines else "")
    size = path.stat().st_size
    for leftover in folder.iterdir():
        if leftover.is_file():
            leftover.unlink()
    return Outcome(bomb.name, size, seconds, cpu, peak, returncode, message[:160])


def measure_all(
    repo: Path | None = None,
    timeout: float = 600.0,
    names: list[str] | None = None,
    memory_gb: int = 8,
) -> Iterator[Outcome]:
    with tempfile.TemporaryDirectory(prefix="coder-bombs-") as tmp:
        for bomb in BOMBS:
            if names and bomb.name not in names:
                continue
            yield measure(bomb, Path(tmp), repo, timeout, memory_gb)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Run the hostile files through a checkout.")
    parser.add_argument("--repo", type=Path, help="the checkout to run (default: this one)")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--memory-gb", type=int, default=8)
    parser.add_argument("names", nargs="*")
    ns = parser.parse_args()
    for o in measure_all(ns.repo, ns.timeout, ns.names, ns.memory_gb):
        status = "stopped" if o.returncode is None else f"exit {o.returncode}"
        print(f"{o.name:18} {o.file_bytes / 1024:9.1f} KB {o.seconds:7.1f} s "
              f"(CPU {o.cpu_seconds:5.1f} s) {o.peak_mb:7.0f} MB  {status}  {o.message}",
              flush=True)  # fmt: skip
