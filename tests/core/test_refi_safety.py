"""Hostile and broken REFI-QDA files are refused with one line and leave the project unchanged."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from coder.core.errors import ExchangeError
from coder.core.refi import Limits, import_qdc, import_qdpx, parse_xml

GOOD_QDE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="x">'
    "<CodeBook><Codes>"
    '<Code guid="11111111-1111-1111-1111-111111111111" name="Topic" isCodable="true"/>'
    "</Codes></CodeBook></Project>"
)


def snapshot(project) -> dict:
    tables = (
        "coders",
        "cases",
        "documents",
        "turns",
        "codes",
        "codings",
        "case_selections",
        "attributes",
        "attribute_values",
        "memos",
        "meta",
    )
    return {
        t: [tuple(r) for r in project.db.execute(f"SELECT * FROM {t} ORDER BY 1")] for t in tables
    }


@pytest.fixture
def busy_project(fresh_project):
    p = fresh_project
    p.add_document("Interview", "I: hello there\nR: hi")
    p.add_code("Greeting", definition="saying hello")
    doc = p.documents()[0]
    p.apply_code(doc.id, p.codes()[0].id, 3, 8, coder="ann")
    p.set_project_memo("keep me")
    return p


def make_zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, data)
    return path


def refused(project, path: Path, limits: Limits | None = None, match: str | None = None) -> str:
    before = snapshot(project)
    importer = import_qdc if path.suffix == ".qdc" else import_qdpx
    with pytest.raises(ExchangeError, match=match) as info:
        if limits:
            importer(project, path, limits=limits)
        else:
            importer(project, path)
    message = str(info.value)
    assert "\n" not in message and message
    assert snapshot(project) == before
    return message


def test_zip_slip_member_is_refused(busy_project, tmp_path):
    path = make_zip(
        tmp_path / "slip.qdpx", [("project.qde", GOOD_QDE.encode()), ("../evil.txt", b"x")]
    )
    refused(busy_project, path, match="outside")
    assert not (tmp_path / "evil.txt").exists()


def test_zip_slip_with_backslashes_is_refused(busy_project, tmp_path):
    path = make_zip(
        tmp_path / "slip.qdpx",
        [("project.qde", GOOD_QDE.encode()), ("sources\\..\\..\\evil.txt", b"x")],
    )
    refused(busy_project, path, match="outside")


@pytest.mark.parametrize(
    "name", ["/etc/evil.txt", "C:/evil.txt", "c:\\evil.txt", "\\\\server\\x.txt"]
)
def test_absolute_member_path_is_refused(busy_project, tmp_path, name):
    path = make_zip(tmp_path / "abs.qdpx", [("project.qde", GOOD_QDE.encode()), (name, b"x")])
    refused(busy_project, path, match="absolute")


def test_symlink_member_is_refused(busy_project, tmp_path):
    link = zipfile.ZipInfo("sources/link.txt")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = make_zip(
        tmp_path / "link.qdpx", [("project.qde", GOOD_QDE.encode()), (link, b"/etc/passwd")]
    )
    refused(busy_project, path, match="link")


def test_zip_bomb_is_refused_by_its_compression_ratio(busy_project, tmp_path):
    path = make_zip(
        tmp_path / "bomb.qdpx",
        [("project.qde", GOOD_QDE.encode()), ("sources/a.txt", b"\0" * (8 * 1024 * 1024))],
    )
    assert zipfile.ZipFile(path).getinfo("sources/a.txt").compress_size < 100_000
    refused(busy_project, path, match="zip bomb")


def test_total_uncompressed_size_is_capped(busy_project, tmp_path):
    path = make_zip(
        tmp_path / "big.qdpx",
        [("project.qde", GOOD_QDE.encode()), ("sources/a.txt", b"abc" * 2000)],
    )
    refused(busy_project, path, Limits(max_total_bytes=4000), match="exceed")


def test_member_count_is_capped(busy_project, tmp_path):
    members: list[tuple[zipfile.ZipInfo | str, bytes]] = [("project.qde", GOOD_QDE.encode())]
    members += [(f"sources/{i}.txt", b"x") for i in range(30)]
    path = make_zip(tmp_path / "many.qdpx", members)
    refused(busy_project, path, Limits(max_members=20), match="members")


def test_duplicate_member_names_are_refused(busy_project, tmp_path):
    buf = tmp_path / "dup.qdpx"
    with zipfile.ZipFile(buf, "w") as z, pytest.warns(UserWarning):
        z.writestr("project.qde", GOOD_QDE)
        z.writestr("project.qde", GOOD_QDE.replace("Topic", "Other"))
    refused(busy_project, buf, match="twice")


XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;">'
    "<Description>&xxe;</Description></Project>"
)
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE Project [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<Project xmlns="urn:QDA-XML:project:1.0" name="x">'
    + "<Description>&lol9;</Description></Project>"
)
EXTERNAL_DTD = (
    '<?xml version="1.0"?>\n<!DOCTYPE Project SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'
)


@pytest.mark.parametrize("xml", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_entity_declarations_are_refused(busy_project, tmp_path, xml):
    path = make_zip(tmp_path / "ent.qdpx", [("project.qde", xml.encode())])
    assert "entities" in refused(busy_project, path)


def test_entities_in_utf16_xml_are_refused(busy_project, tmp_path):
    xml = XXE.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    path = make_zip(tmp_path / "ent16.qdpx", [("project.qde", xml.encode("utf-16"))])
    refused(busy_project, path, match="entit")


def test_external_dtd_is_refused(busy_project, tmp_path):
    path = make_zip(tmp_path / "dtd.qdpx", [("project.qde", EXTERNAL_DTD.encode())])
    refused(busy_project, path, match="DTD")


def test_xxe_in_a_codebook_is_refused(busy_project, tmp_path):
    path = tmp_path / "evil.qdc"
    path.write_text(XXE.replace("Project", "CodeBook"), encoding="utf-8")
    refused(busy_project, path, match="entities")


def test_a_file_that_is_not_a_zip_is_refused(busy_project, tmp_path):
    path = tmp_path / "plain.qdpx"
    path.write_text("just text", encoding="utf-8")
    refused(busy_project, path, match="not a .qdpx")


def test_an_archive_without_a_qde_is_refused(busy_project, tmp_path):
    path = make_zip(tmp_path / "empty.qdpx", [("sources/a.txt", b"hello")])
    refused(busy_project, path, match="no project.qde")


@pytest.mark.parametrize(
    "xml", [b"<Project name='x'><Users>", b"\x00\x01garbage", b"", b"<Other/>"]
)
def test_corrupt_xml_is_refused(busy_project, tmp_path, xml):
    path = make_zip(tmp_path / "corrupt.qdpx", [("project.qde", xml)])
    refused(busy_project, path)


def test_truncated_archive_is_refused(busy_project, tmp_path):
    good = make_zip(tmp_path / "good.qdpx", [("project.qde", GOOD_QDE.encode() * 1)])
    data = good.read_bytes()
    bad = tmp_path / "cut.qdpx"
    bad.write_bytes(data[: len(data) // 2])
    refused(busy_project, bad)


def test_paths_in_the_xml_never_read_files_outside_the_archive(busy_project, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>'
        f'<TextSource guid="22222222-2222-2222-2222-222222222222" name="a" plainTextPath="absolute://{secret}"/>'
        '<TextSource guid="33333333-3333-3333-3333-333333333333" name="b" plainTextPath="relative://../secret.txt"/>'
        '<TextSource guid="44444444-4444-4444-4444-444444444444" name="c" richTextPath="internal://../../secret.docx"/>'
        "</Sources></Project>"
    )
    path = make_zip(tmp_path / "paths.qdpx", [("project.qde", qde.encode())])
    result = import_qdpx(busy_project, path)
    assert len(result.skipped) == 3
    assert all("not inside the file" in why for _what, why in result.skipped)
    texts = [busy_project.document_text(d.id) for d in busy_project.documents()]
    assert not any("TOP SECRET" in t for t in texts)


def test_entities_hidden_behind_a_comment_are_still_refused():
    """The quick prolog scan can be fooled by a comment; the parsed DTD is checked too."""
    xml = XXE.replace("<!DOCTYPE", "<!-- <a --><!DOCTYPE").replace('name="&xxe;"', 'name="x"')
    with pytest.raises(ExchangeError, match="entities"):
        parse_xml(xml.encode(), "project.qde")


def test_parse_xml_caps_its_input():
    with pytest.raises(ExchangeError, match="larger"):
        parse_xml(b"<a/>" * 100, "x.qde", max_bytes=50)


def test_a_member_whose_data_lies_about_its_size_is_refused(busy_project, tmp_path):
    """A header that declares fewer bytes than the data holds fails the read, not the disk."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("project.qde", GOOD_QDE)
    data = bytearray(buf.getvalue())
    # Corrupt the CRC in the central directory and local header: the read must fail cleanly.
    i = data.find(b"PK\x03\x04")
    data[i + 14 : i + 18] = b"\0\0\0\0"
    j = data.find(b"PK\x01\x02")
    data[j + 16 : j + 20] = b"\0\0\0\0"
    path = tmp_path / "crc.qdpx"
    path.write_bytes(bytes(data))
    refused(busy_project, path)


def test_a_zip_bomb_docx_inside_a_project_is_skipped(busy_project, tmp_path):
    """A source given as .docx is itself a zip: it gets the same limits before it is read."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"\0" * (8 * 1024 * 1024))
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>'
        '<TextSource guid="22222222-2222-2222-2222-222222222222" name="Bomb" richTextPath="internal://b.docx"/>'
        "</Sources></Project>"
    )
    path = make_zip(
        tmp_path / "docbomb.qdpx",
        [("project.qde", qde.encode()), ("sources/b.docx", inner.getvalue())],
    )
    result = import_qdpx(busy_project, path)
    assert [d.name for d in busy_project.documents()] == ["Interview"]
    assert len(result.skipped) == 1 and "zip bomb" in result.skipped[0][1]


def test_deeply_nested_extras_are_ignored_not_fatal(busy_project, tmp_path):
    qde = '<Project xmlns="urn:QDA-XML:project:1.0" name="x" origin="Coder 0.1.0"/>'
    path = make_zip(
        tmp_path / "deep.qdpx", [("project.qde", qde.encode()), ("coder.json", b"[" * 100_000)]
    )
    result = import_qdpx(busy_project, path)
    assert any("coder.json" in what for what, _n in result.warnings)


def test_a_damaged_source_member_skips_that_source_only(busy_project, tmp_path):
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>'
        '<TextSource guid="22222222-2222-2222-2222-222222222222" name="Broken" plainTextPath="internal://a.txt"/>'
        '<TextSource guid="33333333-3333-3333-3333-333333333333" name="Fine" plainTextPath="internal://b.txt"/>'
        "</Sources></Project>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/a.txt", b"AAAAAAAAAAAAAAAA")
        z.writestr("sources/b.txt", b"fine text")
    data = bytearray(buf.getvalue())
    i = data.find(b"AAAAAAAA")
    data[i : i + 4] = b"BBBB"  # the CRC no longer matches
    path = tmp_path / "damaged.qdpx"
    path.write_bytes(bytes(data))
    result = import_qdpx(busy_project, path)
    assert "Fine" in [d.name for d in busy_project.documents()]
    assert "Broken" not in [d.name for d in busy_project.documents()]
    assert any("Broken" in what and "cannot be read" in why for what, why in result.skipped)
