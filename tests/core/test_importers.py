"""Importers: each format read from a file generated at test time, and bad input refused."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.core.errors import ImportFailed, InvalidValue
from coder.core.importers import (
    DEFAULT_MAX_BYTES,
    ImportedText,
    read_document,
    register,
    supported_extensions,
)
from coder.core.text import Turn
from tests.builders import pdf_bytes
from tests.conftest import FIXTURES

INTERVIEW = FIXTURES / "samples" / "interview-neumann-vox.txt"

DIALOGUE = "Intro.\n\nAnna: Hello.\nBen: Hi there.\nAnna: Bye.\nBen: Bye now.\n"


# --- fixture builders ------------------------------------------------------------------------


def make_pdf(path: Path, lines: list[str]) -> Path:
    """Write a one-page PDF whose text layer holds `lines` (Helvetica, WinAnsi)."""
    path.write_bytes(pdf_bytes(lines))
    return path


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("Interview 3", level=1)
    document.add_paragraph("Anna: Before the table.")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([["Name", "Age", "Town"], ["Ben", "42", "Köln"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(1, 2).add_paragraph("second para")
    document.add_paragraph("Ben: After the table 😀.")
    document.add_paragraph("Anna: Thanks.")
    document.add_paragraph("Ben: Welcome.")
    document.save(str(path))
    return path


def make_odt(path: Path) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, LineBreak, P, S, Span, Tab

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Heading"))
    p = P(text="Anna: one")
    p.addElement(S(c=3))
    p.addText("two")
    p.addElement(Tab())
    span = Span(text="spanned")
    p.addElement(span)
    p.addElement(LineBreak())
    p.addText("after break")
    document.text.addElement(p)
    table = Table(name="T")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    row = TableRow()
    for value in ("cell a", "cell b"):
        cell = TableCell()
        cell.addElement(P(text=value))
        row.addElement(cell)
    table.addElement(row)
    document.text.addElement(table)
    document.text.addElement(P(text="Ben: last"))
    document.text.addElement(P(text="Anna: really"))
    document.text.addElement(P(text="Ben: yes"))
    document.save(str(path))
    return path


RTF = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Helvetica;}}"
    "\n"
    r"\f0 Anna: Gr\'fc\'dfe aus K\'f6ln.\par"
    "\n"
    r"Ben: Hi \u8212? there.\par"
    "\n"
    r"Anna: {\b bold} end.\par"
    "\n"
    r"Ben: Bye.\par}"
)

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.500
<v Anna Schmidt>Hello &amp; <i>welcome</i>.

00:00:05.000 --> 00:00:07.000
<v.loud Ben>Thanks,
still Ben.

00:00:07.000 --> 00:00:09.250
No voice here.

00:01:00.000 --> 00:01:02.000
<v Anna Schmidt>Question?
<v Ben>Answer.
"""

SRT = """1
00:00:01,000 --> 00:00:02,500
<i>First</i> cue
second line

2
00:00:03,000 --> 00:00:04,000
{\\an8}Anna: Second cue

"""


# --- plain text ------------------------------------------------------------------------------


def test_registry_lists_all_formats() -> None:
    assert supported_extensions() == sorted(
        [".txt", ".text", ".md", ".docx", ".odt", ".rtf", ".pdf", ".vtt", ".srt"]
    )


def test_txt_utf8_normalised_with_turns(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(("\ufeff" + DIALOGUE.replace("\n", "\r\n")).encode("utf-8"))
    result = read_document(path)
    assert isinstance(result, ImportedText)
    assert result.format == "txt"
    assert result.text == DIALOGUE
    assert [t.speaker for t in result.turns] == ["Anna", "Ben", "Anna", "Ben"]
    assert result.text[result.turns[1].start : result.turns[1].end] == "Ben: Hi there."


def test_txt_speakers_none(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(DIALOGUE, encoding="utf-8")
    assert read_document(path, speakers="none").turns == []


def test_bad_speakers_value(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(InvalidValue):
        read_document(path, speakers="maybe")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_txt_unicode_with_bom(tmp_path: Path, encoding: str) -> None:
    text = "Grüße 😀 漢字 שלום\nAnna: x\n"
    path = tmp_path / "u.txt"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path.write_bytes(data)
    assert read_document(path).text == text


def test_txt_utf16_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    path.write_bytes("Plain words in UTF-16, no BOM.\n".encode("utf-16-le"))
    assert read_document(path).text == "Plain words in UTF-16, no BOM.\n"


@pytest.mark.parametrize(
    "text",
    [
        "Grüße aus Köln — „Zitat“ und café naïve.\nZweite Zeile über Straße.\n",
        "café",
        "Smart “quotes” – and — dashes € 5\n",
        "Interviewer: Où êtes-vous né ? «Paris», répond-il. Déjà vu… œuvre\n" * 3,
    ],
)
def test_txt_cp1252(tmp_path: Path, text: str) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode("cp1252"))
    assert read_document(path).text == text


def test_txt_keeps_text_exactly(tmp_path: Path) -> None:
    text = "e\u0301 and é\n  indented\t tabs  \n\n\nend  "
    path = tmp_path / "a.text"
    path.write_text(text, encoding="utf-8", newline="")
    assert read_document(path).text == text


def test_txt_real_interview(tmp_path: Path) -> None:
    result = read_document(INTERVIEW)
    assert {t.speaker for t in result.turns} == {"Zack Beauchamp", "Peter Neumann"}


# --- other formats ---------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    result = read_document(make_docx(tmp_path / "d.docx"))
    assert result.format == "docx"
    assert result.text.split("\n") == [
        "Interview 3",
        "Anna: Before the table.",
        "Name\tAge\tTown",
        "Ben\t42\tKöln second para",
        "Ben: After the table 😀.",
        "Anna: Thanks.",
        "Ben: Welcome.",
    ]
    assert [t.speaker for t in result.turns] == ["Anna", "Ben", "Anna", "Ben"]
    # The first turn runs to the next speaker line, table included.
    first = result.turns[0]
    assert result.text[first.start : first.end].endswith("Köln second para")


def test_odt(tmp_path: Path) -> None:
    result = read_document(make_odt(tmp_path / "o.odt"))
    assert result.format == "odt"
    assert result.text.split("\n") == [
        "Heading",
        "Anna: one   two\tspanned",
        "after break",
        "cell a\tcell b",
        "Ben: last",
        "Anna: really",
        "Ben: yes",
    ]
    assert [t.speaker for t in result.turns] == ["Anna", "Ben", "Anna", "Ben"]


def test_rtf(tmp_path: Path) -> None:
    path = tmp_path / "r.rtf"
    path.write_text(RTF, encoding="ascii")
    result = read_document(path)
    assert result.format == "rtf"
    lines = [line for line in result.text.split("\n") if line]
    assert lines == [
        "Anna: Grüße aus Köln.",
        "Ben: Hi — there.",
        "Anna: bold end.",
        "Ben: Bye.",
    ]
    assert [t.speaker for t in result.turns] == ["Anna", "Ben", "Anna", "Ben"]


def test_pdf_text_layer(tmp_path: Path) -> None:
    lines = ["Anna: Hello (there).", "Ben: Hi.", "Anna: Bye.", "Ben: Ok."]
    path = make_pdf(tmp_path / "p.pdf", lines)
    result = read_document(path)
    assert result.format == "pdf"
    assert "Anna: Hello (there)." in result.text
    assert [t.speaker for t in result.turns] == ["Anna", "Ben", "Anna", "Ben"]


def test_vtt_voices_and_times(tmp_path: Path) -> None:
    path = tmp_path / "s.vtt"
    path.write_text(VTT, encoding="utf-8")
    result = read_document(path, speakers="none")
    assert result.format == "vtt"
    assert result.text.split("\n") == [
        "Hello & welcome.",
        "Thanks, still Ben.",
        "No voice here.",
        "Question?",
        "Answer.",
    ]
    assert [(t.speaker, t.time_start, t.time_end) for t in result.turns] == [
        ("Anna Schmidt", 1.0, 4.5),
        ("Ben", 5.0, 7.0),
        (None, 7.0, 9.25),
        ("Anna Schmidt", 60.0, 62.0),
        ("Ben", 60.0, 62.0),
    ]
    for turn, line in zip(result.turns, result.text.split("\n"), strict=True):
        assert result.text[turn.start : turn.end] == line
    assert read_document(path, speakers="auto").turns == result.turns


def test_srt_cues_and_times(tmp_path: Path) -> None:
    path = tmp_path / "s.srt"
    path.write_bytes(SRT.replace("\n", "\r\n").encode("utf-8"))
    result = read_document(path)
    assert result.format == "srt"
    assert result.text == "First cue second line\nAnna: Second cue"
    assert result.turns == [
        Turn(None, 0, 21, 1.0, 2.5),
        Turn(None, 22, 38, 3.0, 4.0),
    ]


def test_register_custom_reader(tmp_path: Path) -> None:
    def read_upper(path: Path) -> ImportedText:
        return ImportedText(text=path.read_text(encoding="utf-8").upper(), format="upper", turns=[])

    register("UPPERTEST", read_upper)
    path = tmp_path / "x.uppertest"
    path.write_text("Jo: a\nKim: b\nJo: c\nKim: d\r\n", encoding="utf-8")
    result = read_document(path)
    assert result.text == "JO: A\nKIM: B\nJO: C\nKIM: D\n"
    assert len(result.turns) == 4
    assert ".uppertest" in supported_extensions()


# --- bad input -------------------------------------------------------------------------------


def assert_refused(path: Path, *fragments: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    with pytest.raises(ImportFailed) as info:
        read_document(path, max_bytes=max_bytes)
    message = str(info.value)
    assert path.name in message
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert_refused(tmp_path / "gone.txt", "no such file")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert_refused(folder, "folder")


def test_unknown_extension_lists_supported(tmp_path: Path) -> None:
    path = tmp_path / "a.xyz"
    path.write_text("x", encoding="utf-8")
    assert_refused(path, ".xyz", ".docx", ".txt", ".vtt")
    noext = tmp_path / "README"
    noext.write_text("x", encoding="utf-8")
    assert_refused(noext, "extension")


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n ", b"\xef\xbb\xbf", b"\x00\x00"])
def test_empty_or_blank_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "e.txt"
    path.write_bytes(content)
    assert_refused(path)


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 40,
        b"\x00\x01\x02\x03\xff\xfe" * 500,
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10,
        b"\x00\x10\x00\x00" * 1000,
    ],
)
def test_binary_named_txt(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "b.txt"
    path.write_bytes(content)
    assert_refused(path, "binary")


def test_undecodable_utf16(tmp_path: Path) -> None:
    path = tmp_path / "bad16.txt"
    path.write_bytes(b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8\x41")  # lone surrogate
    assert_refused(path, "utf-16")


def test_too_big(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x" * 2000, encoding="utf-8")
    assert_refused(path, "limit", max_bytes=1000)
    assert read_document(path, max_bytes=2000).text == "x" * 2000


@pytest.mark.parametrize("ext", [".docx", ".odt", ".pdf"])
def test_corrupt_files(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"junk{ext}"
    path.write_bytes(b"this is not a real document at all\n" * 10)
    assert_refused(path)


@pytest.mark.parametrize("ext", [".docx", ".odt"])
def test_zip_without_the_right_parts(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"empty{ext}"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    assert_refused(path)


@pytest.mark.parametrize("ext", [".docx", ".odt"])
def test_truncated_zip(tmp_path: Path, ext: str) -> None:
    good = make_docx(tmp_path / "g.docx") if ext == ".docx" else make_odt(tmp_path / "g.odt")
    path = tmp_path / f"cut{ext}"
    path.write_bytes(good.read_bytes()[:600])
    assert_refused(path)


def test_docx_with_broken_xml(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "g.docx")
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    assert_refused(path)


def test_encrypted_docx(tmp_path: Path) -> None:
    # Password-protected Office files are OLE compound files.
    path = tmp_path / "locked.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000)
    assert_refused(path, "password")


def test_encrypted_odt(tmp_path: Path) -> None:
    good = make_odt(tmp_path / "g.odt")
    path = tmp_path / "locked.odt"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "content.xml":
                data = bytes(b ^ 0x5A for b in data)  # what encrypted content looks like
            dst.writestr(item, data)
    assert_refused(path)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    path = tmp_path / "scan.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    with path.open("wb") as f:
        writer.write(f)
    assert_refused(path, "no text layer", "OCR")


def test_encrypted_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(tmp_path / "plain.pdf", ["Secret words."])
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as f:
        writer.write(f)
    assert_refused(path, "password")


def test_pdf_with_empty_user_password_opens(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(tmp_path / "plain.pdf", ["Readable words."])
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "perm.pdf"
    with path.open("wb") as f:
        writer.write(f)
    assert "Readable words." in read_document(path).text


def test_not_an_rtf(tmp_path: Path) -> None:
    path = tmp_path / "fake.rtf"
    path.write_text("just text", encoding="utf-8")
    assert_refused(path, "RTF")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.vtt", "not a webvtt file\n\n00:01 --> nonsense\n"),
        ("bad.srt", "1\nnot a time line\nhello\n\n2\nzzz\n"),
        ("nocues.vtt", "WEBVTT\n\n"),
    ],
)
def test_bad_subtitles(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert_refused(path)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ext=st.sampled_from([".txt", ".docx", ".odt", ".rtf", ".pdf", ".vtt", ".srt"]),
    prefix=st.sampled_from([b"", b"WEBVTT\n\n", b"{\\rtf1 ", b"%PDF-1.4\n", b"PK\x03\x04", b"1\n"]),
    data=st.binary(min_size=1, max_size=300),
)
def test_arbitrary_bytes_never_escape_as_other_errors(
    tmp_path: Path, ext: str, prefix: bytes, data: bytes
) -> None:
    """Whatever the bytes, the caller sees a result or ImportFailed, never a traceback."""
    path = tmp_path / f"fuzz{ext}"
    path.write_bytes(prefix + data)
    try:
        read_document(path)
    except ImportFailed:
        pass


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file the user may not read is refused with the system's reason (the error is injected:
    the tests may run as root, who can read any file)."""
    path = tmp_path / "secret.txt"
    path.write_text("x", encoding="utf-8")
    original_open = Path.open

    def open_(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return original_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    assert_refused(path, "Permission denied")


def test_importing_the_registry_loads_no_qt_and_no_format_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys, coder.core.importers, coder.core.text;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'PySide6', 'pypdf', 'docx', 'odf', 'striprtf', 'webvtt', 'srt', 'charset_normalizer'}))"
    )
    root = Path(__file__).parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
