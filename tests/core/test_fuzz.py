"""Hostile and broken input: every importer either imports or raises a CoderError.

Valid files of each format are built here, then mutated by hypothesis (bytes flipped, inserted,
deleted, duplicated, truncated; for zip formats also the XML inside the archive). Whatever the
input: no exception other than CoderError, no hang (a hard time limit per file), and no partial
write (the project is unchanged when the import fails).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.core.errors import CoderError
from coder.core.importers import ImportedText, read_document
from coder.core.project import Project
from coder.core.refi import export_qdc, export_qdpx, import_qdc, import_qdpx
from tests.builders import pdf_bytes

# A hang fails its test instead of blocking the run (pytest-timeout); far above any real run.
pytestmark = pytest.mark.timeout(600)
# CODER_FUZZ_EXAMPLES=500 explores new random inputs; CI runs the same 30 per test every time.
_EXPLORE = int(os.environ.get("CODER_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=_EXPLORE or 30,
    deadline=None,  # timing varies on shared machines; the module's timeout catches hangs
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    derandomize=not _EXPLORE,
)


# --------------------------------------------------------------------------- valid files


def docx_bytes(lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Interview", level=1)
    for line in lines:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "cell", "Köln 😀"
    buf = io.BytesIO()
    document.save(buf)
    return _stable_zip(buf.getvalue())


def odt_bytes(lines: list[str]) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P, S

    document = OpenDocumentText()
    for line in lines:
        p = P(text=line)
        p.addElement(S(c=2))
        document.text.addElement(p)
    buf = io.BytesIO()
    document.save(buf)
    return _stable_zip(buf.getvalue())


def _rtf_escape(line: str) -> str:
    out = []
    for ch in line:
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ord(ch) < 128:
            out.append(ch)
        else:  # \uN? with N a signed 16-bit number; astral characters as surrogate pairs
            units = ch.encode("utf-16-le")
            for i in range(0, len(units), 2):
                n = int.from_bytes(units[i : i + 2], "little")
                out.append(f"\\u{n - 65536 if n > 32767 else n}?")
    return "".join(out)


def rtf_bytes(lines: list[str]) -> bytes:
    body = "".join(_rtf_escape(line) + "\\par\n" for line in lines)
    return (
        "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Helvetica;}}\n\\f0 " + body + "}"
    ).encode()


def vtt_bytes(lines: list[str]) -> bytes:
    cues = [
        f"00:00:{i:02d}.000 --> 00:00:{i:02d}.900\n<v Speaker {i % 2}>{line}\n"
        for i, line in enumerate(lines)
    ]
    return ("WEBVTT\n\n" + "\n".join(cues)).encode()


def srt_bytes(lines: list[str]) -> bytes:
    cues = [
        f"{i + 1}\n00:00:{i:02d},000 --> 00:00:{i:02d},900\n{line}\n"
        for i, line in enumerate(lines)
    ]
    return "\n".join(cues).encode()


def txt_bytes(lines: list[str]) -> bytes:
    return "\n".join(lines).encode("utf-8")


BUILDERS = {
    ".txt": txt_bytes,
    ".docx": docx_bytes,
    ".odt": odt_bytes,
    ".rtf": rtf_bytes,
    ".pdf": pdf_bytes,
    ".vtt": vtt_bytes,
    ".srt": srt_bytes,
}

LINES = st.lists(
    st.one_of(
        st.builds(
            lambda who, words: f"{who}: {words}",
            st.sampled_from(["Ana", "Ben", "Q"]),
            st.text(st.characters(blacklist_categories=["Cs", "Cc", "Co", "Cn"]), max_size=60),
        ),
        st.text(st.characters(blacklist_categories=["Cs", "Cc", "Co", "Cn"]), max_size=80),
    ),
    min_size=1,
    max_size=8,
)


# --------------------------------------------------------------------------- mutations


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few random byte-level changes."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate", "zero"]))
        if not out:
            out += draw(st.binary(min_size=1, max_size=16))
            continue
        i = draw(st.integers(0, len(out) - 1))
        if kind == "flip":
            out[i] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            out[i:i] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "delete":
            del out[i : i + draw(st.integers(1, 256))]
        elif kind == "duplicate":
            j = draw(st.integers(i, min(len(out), i + 512)))
            out[j:j] = out[i:j] * draw(st.integers(1, 4))
        elif kind == "truncate":
            del out[i:]
        else:
            out[i : i + draw(st.integers(1, 512))] = b"\x00" * len(out[i : i + 512])
    return bytes(out)


@st.composite
def mutated_zip(draw: st.DrawFn, data: bytes) -> bytes:
    """A zip whose members are kept, dropped or mutated (the XML inside, not the archive)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info, content in members:
            action = draw(st.sampled_from(["keep", "keep", "mutate", "drop"]))
            if action == "drop":
                continue
            if action == "mutate":
                content = draw(mutated(content))
            out.writestr(info.filename, content)
    return buf.getvalue()


@functools.lru_cache(maxsize=4096)
def build(ext: str, lines: tuple[str, ...]) -> bytes:
    """A valid file; the same bytes whenever hypothesis replays the same lines (odfpy's output
    varies with the modules imported so far, so the first build is kept)."""
    return BUILDERS[ext](list(lines))


def file_inputs(ext: str) -> st.SearchStrategy[bytes]:
    valid = LINES.map(lambda lines: build(ext, tuple(lines)))
    strategies = [valid, valid.flatmap(mutated), st.binary(max_size=2048)]
    if ext in (".docx", ".odt"):
        strategies.append(valid.flatmap(mutated_zip))
    return st.one_of(*strategies)


# --------------------------------------------------------------------------- the checks


def counts(project: Project) -> tuple:
    tables = ("documents", "turns", "cases", "codings", "attributes", "attribute_values")
    rows = tuple(
        project.db.execute(f"SELECT count(*), ifnull(max(id), 0) FROM {t}").fetchone()
        for t in tables
    )
    fts = project.db.execute("SELECT count(*) FROM documents_fts").fetchone()[0]
    return rows + (fts,)


def full_dump(project: Project) -> dict[str, list]:
    tables = ("cases", "attributes", "attribute_values", "documents")
    return {t: project.db.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in tables}


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    project = Project.create(tmp_path_factory.mktemp("fuzz") / "fuzz.coder")
    project.add_document("Existing", "Ana: already here")
    yield project
    project.close()


def check_import(project: Project, path: Path) -> None:
    before = counts(project)
    try:
        result = read_document(path)
    except CoderError as e:
        assert str(e) and "\n" not in str(e), "a one-line message"
        result = None
    if result is not None:
        assert isinstance(result, ImportedText) and isinstance(result.text, str)
        assert "\x00" not in result.text and "\r" not in result.text
        for t in result.turns:
            assert 0 <= t.start <= t.end <= len(result.text)
    try:
        changes = project.import_file(path)
    except CoderError:
        assert counts(project) == before, "a failed import wrote to the project"
        return
    (doc_id,) = changes.created("documents")
    assert project.document_text(doc_id) == (
        result.text if result else project.document_text(doc_id)
    )
    project.undo(changes)
    assert counts(project) == before


@pytest.mark.parametrize("ext", sorted(BUILDERS))
def test_importers_survive_generated_and_mutated_files(
    ext: str, tmp_path: Path, fuzz_project: Project
) -> None:
    path = tmp_path / f"input{ext}"

    @FUZZ
    @given(content=file_inputs(ext))
    def run(content: bytes) -> None:
        path.write_bytes(content)
        check_import(fuzz_project, path)

    run()


def test_valid_generated_files_import(tmp_path: Path, fuzz_project: Project) -> None:
    """The builders make real files: unmutated, each format imports its text."""
    for ext, build in BUILDERS.items():
        path = tmp_path / f"valid{ext}"
        path.write_bytes(build(["Ana: hello there", "Ben: general kenobi"]))
        text = read_document(path).text
        assert "hello there" in text and "kenobi" in text, ext


def test_rtf_emoji_as_surrogate_escapes_imports_whole(
    tmp_path: Path, fuzz_project: Project
) -> None:
    """Word writes 😀 in RTF as two \\uN surrogates: they become one character, not a crash."""
    path = tmp_path / "word.rtf"
    path.write_bytes(b"{\\rtf1\\ansi Ana: I laughed \\u-10179?\\u-8704? then \\u-10179?alone\\par}")
    assert read_document(path).text == "Ana: I laughed \U0001f600 then \ufffdalone\n"
    changes = fuzz_project.import_file(path)
    (doc_id,) = changes.created("documents")
    assert "\U0001f600" in fuzz_project.document_text(doc_id)
    fuzz_project.undo(changes)


def test_reader_with_own_turns_returning_surrogates_is_refused(tmp_path: Path) -> None:
    from coder.core import importers
    from coder.core.text import Turn

    def reader(path: Path) -> ImportedText:
        return ImportedText("A: \ud83d\ude00 hi", "fake", [Turn("A", 0, 9)])

    importers.register(".fakesub", reader, own_turns=True)
    try:
        path = tmp_path / "x.fakesub"
        path.write_text("anything")
        with pytest.raises(CoderError, match="broken characters"):
            read_document(path)
    finally:
        del importers._REGISTRY[".fakesub"]


# --------------------------------------------------------------------------- attribute tables

CELL = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=["Cs", "Cc", "Co", "Cn"]), max_size=20),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.sampled_from(["yes", "no", "42", "3,5", "2024-01-31", "31/01/2024", "Existing", "", " "]),
)


@st.composite
def tables(draw: st.DrawFn) -> list[list[Any]]:
    cols = draw(st.integers(1, 5))
    header = [
        draw(st.sampled_from(["case", "Case", "", "age", "age", "region", "="]))
        for _ in range(cols)
    ]
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=cols + 1), max_size=8))
    return [header, *rows]


def csv_bytes(table: list[list[Any]], delimiter: str, encoding: str) -> bytes:
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    for row in table:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding, "replace")


def xlsx_bytes(table: list[list[Any]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in table:
        cleaned = []
        for v in row:
            if isinstance(v, str):
                v = "".join(ch for ch in v if ch.isprintable() or ch in "\t\n")
            if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
                v = str(v)
            cleaned.append(v)
        ws.append(cleaned)
    buf = io.BytesIO()
    wb.save(buf)
    return _stable_zip(buf.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same bytes for the same content: fixed member times and document dates
    (hypothesis replays an input and must get the same file to mutate)."""
    import re

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename.endswith(".xml"):
                content = re.sub(
                    rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", b"2020-01-01T00:00:00", content
                )
            dst.writestr(
                zipfile.ZipInfo(info.filename, (2020, 1, 1, 0, 0, 0)), content, info.compress_type
            )
    return out.getvalue()


def check_attribute_import(project: Project, path: Path) -> None:
    before = full_dump(project)
    try:
        changes = project.import_attributes(path)
    except CoderError as e:
        assert str(e) and "\n" not in str(e)
        assert full_dump(project) == before, "a failed attribute import wrote"
        return
    project.undo(changes)
    assert full_dump(project) == before


@FUZZ
@given(
    table=tables(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    mutate=st.booleans(),
    data=st.data(),
)
def test_csv_attribute_import_fuzz(
    tmp_path: Path,
    fuzz_project: Project,
    table: list,
    delimiter: str,
    encoding: str,
    mutate: bool,
    data: st.DataObject,
) -> None:
    content = csv_bytes(table, delimiter, encoding)
    if mutate:
        content = data.draw(mutated(content))
    path = tmp_path / "attributes.csv"
    path.write_bytes(content)
    check_attribute_import(fuzz_project, path)


@FUZZ
@given(table=tables(), how=st.sampled_from(["valid", "bytes", "zip"]), data=st.data())
def test_xlsx_attribute_import_fuzz(
    tmp_path: Path, fuzz_project: Project, table: list, how: str, data: st.DataObject
) -> None:
    content = xlsx_bytes(table)
    if how == "bytes":
        content = data.draw(mutated(content))
    elif how == "zip":
        content = data.draw(mutated_zip(content))
    path = tmp_path / "attributes.xlsx"
    path.write_bytes(content)
    check_attribute_import(fuzz_project, path)


def test_attribute_import_sets_values_from_a_valid_table(
    tmp_path: Path, fuzz_project: Project
) -> None:
    """The fuzzed path really imports: a clean table creates cases and typed values."""
    path = tmp_path / "clean.csv"
    path.write_text("case,age,consent\nP1,34,yes\nP2,41,no\n", encoding="utf-8")
    changes = fuzz_project.import_attributes(path)
    values = fuzz_project.attribute_values("case")
    p1 = fuzz_project.find_case("P1").id
    assert values[p1]["age"] == "34"
    fuzz_project.undo(changes)
    with pytest.raises(CoderError):
        fuzz_project.find_case("P1")


# --------------------------------------------------------------------------- REFI-QDA


@pytest.fixture(scope="module")
def refi_sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("refi")
    with Project.create(folder / "source.coder") as p:
        doc = p.add_document("Interview", "Ana: trust me.\nBen: never 😀.").created("documents")[0]
        parent = p.add_code("Trust").created("codes")[0]
        child = p.add_code("Distrust", parent_id=parent).created("codes")[0]
        p.apply_code(doc, parent, 5, 14)
        p.apply_code(doc, child, 20, 26)
        case = p.add_case("Ana").created("cases")[0]
        p.set_document_case(doc, case)
        export_qdpx(p, folder / "x.qdpx")
        export_qdc(p, folder / "x.qdc")
    return {".qdpx": (folder / "x.qdpx").read_bytes(), ".qdc": (folder / "x.qdc").read_bytes()}


@pytest.mark.parametrize("ext", [".qdc", ".qdpx"])
def test_refi_import_survives_mutated_files(
    ext: str, tmp_path: Path, fuzz_project: Project, refi_sources: dict[str, bytes]
) -> None:
    importer = import_qdpx if ext == ".qdpx" else import_qdc
    valid = refi_sources[ext]
    strategies = [mutated(valid), st.just(valid)]
    if ext == ".qdpx":
        strategies.append(mutated_zip(valid))
    path = tmp_path / f"input{ext}"

    @FUZZ
    @given(content=st.one_of(*strategies))
    def run(content: bytes) -> None:
        path.write_bytes(content)
        before = (
            counts(fuzz_project),
            fuzz_project.db.execute("SELECT count(*) FROM codes").fetchone(),
        )
        try:
            result = importer(fuzz_project, path)
        except CoderError as e:
            assert str(e) and "\n" not in str(e)
            after = (
                counts(fuzz_project),
                fuzz_project.db.execute("SELECT count(*) FROM codes").fetchone(),
            )
            assert after == before, "a failed REFI import wrote"
            return
        changes = getattr(result, "changes", None)
        if changes is not None:
            fuzz_project.undo(changes)
            after = (
                counts(fuzz_project),
                fuzz_project.db.execute("SELECT count(*) FROM codes").fetchone(),
            )
            assert after == before

    run()


# --------------------------------------------------------------------------- project files


@pytest.fixture(scope="module")
def project_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("projfile") / "source.coder"
    with Project.create(path) as p:
        code = p.add_code("Trust").created("codes")[0]
        for i in range(6):
            doc = p.add_document(f"Doc {i}", f"Ana: {i} " + "words and more words " * 150)
            p.apply_code(doc.created("documents")[0], code, 0, 5)
    return path.read_bytes()


@FUZZ
@given(data=st.data())
def test_damaged_project_files_are_refused_or_intact(
    tmp_path: Path, project_bytes: bytes, data: st.DataObject
) -> None:
    """A mutated .coder file either opens intact or is refused with a ProjectFileError."""
    import sqlite3

    from coder.core.errors import ProjectFileError

    content = data.draw(st.one_of(mutated(project_bytes), st.binary(max_size=512)))
    import tempfile

    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "damaged.coder"
    path.write_bytes(content)
    try:
        project = Project.open(path)
    except ProjectFileError as e:
        assert str(e) and "\n" not in str(e)
        return
    try:
        assert project.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        project.documents(), project.codes(), project.codings()
    except sqlite3.DatabaseError as e:  # the failure being tested for
        pytest.fail(f"a damaged project opened for writing: {e}")
    finally:
        project.close()


def test_undecodable_command_line_arguments_give_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bytes that are not text arrive in argv as lone surrogates: an error, not a traceback."""
    from coder.cli import main

    path = tmp_path / "p.coder"
    Project.create(path).close()
    for argv in (
        ["code", "add", str(path), "bad\udcff"],
        ["documents", str(path)[:-6] + "\udcff.coder"],
        ["import", str(path), str(tmp_path / "x\udcff.txt")],
    ):
        code = main(argv)
        err = capsys.readouterr().err
        assert (
            code == 1 and err.startswith("coder: error: ") and len(err.strip().splitlines()) == 1
        ), argv
    with Project.open(path, read_only=True) as p:
        assert p.codes() == [] and p.documents() == []
