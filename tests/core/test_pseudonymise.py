"""Pseudonymised copies and exports: no original leaves, every coded passage stays exact, and
the key gives the original project back."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.core.errors import InvalidValue
from coder.core.project import Project
from coder.core.pseudonymise.project import (
    depseudonymise_project,
    pseudonymise_project,
    pseudonymised,
    read_key,
    write_key,
)

NFD_ZOE = unicodedata.normalize("NFD", "Zoë")
TEXT = (
    "Interviewer: Where did you grow up, Zoë?\n"
    "Zoë: In Kraków, with Christina Müller. Then Łódź. 👩‍👩‍👧\n"
    "Interviewer: And Christina?\n"
    f"Zoë: Christina M stayed in Krakowie. {NFD_ZOE} ran a Marathon; ZOË wrote to Mara.\n"
)
NAMES = ["Zoë", "Christina", "Kraków", "Krakowie", "Mara", "Müller", "Łódź"]


def variants(name: str) -> set[str]:
    forms = {name, name.lower(), name.upper(), name.casefold(), name.title()}
    return {unicodedata.normalize(n, f) for f in forms for n in ("NFC", "NFD")}


def members(data: bytes) -> list[bytes]:
    """The file's bytes, and each member of it decompressed when it is a zip."""
    out = [data]
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            out += [archive.read(i) for i in archive.infolist() if not i.is_dir()]
    return out


def leaks(path: Path, names: list[str]) -> list[str]:
    """Whole-word occurrences of any form of ``names`` in any byte of ``path``."""
    found = []
    for data in members(path.read_bytes()):
        text = data.decode("utf-8", errors="ignore")
        plain = re.sub(r"<[^>]*>", "", text)
        for reading in (text, plain):
            for name in names:
                for form in variants(name):
                    for m in re.finditer(re.escape(form), reading):
                        before = reading[m.start() - 1] if m.start() else " "
                        after = reading[m.end()] if m.end() < len(reading) else " "
                        if not (_wordish(before) or _wordish(after)):
                            found.append(f"{form!r} at {m.start()}")
    return found


def _wordish(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


@pytest.fixture
def study(tmp_path: Path) -> Iterator[Project]:
    source = tmp_path / "Zoë interview.txt"
    source.write_text(TEXT, encoding="utf-8")
    project = Project.create(tmp_path / "study.coder")
    project.import_file(source, speakers="auto", name="Interview with Zoë")
    doc = project.documents()[0]
    text = project.document_text(doc.id)
    project.add_code("Kraków years", definition="Time in Kraków with Christina")
    project.add_code("People")
    place, people = project.find_code("Kraków years").id, project.find_code("People").id

    def at(passage: str, n: int = 0) -> int:
        return [m.start() for m in re.finditer(re.escape(passage), text)][n]

    line = at("Zoë: In Kraków")
    project.apply_code(doc.id, place, line, text.index("\n", line), memo="Zoë was upset")
    project.apply_code(doc.id, people, at("Kraków, with Christina"), at(". Then"))
    project.apply_code(doc.id, people, at("ristina Müller"), at("ristina Müller") + 9)
    project.apply_code(doc.id, place, at("Zoë", 1), at("Zoë", 1) + 3)
    project.apply_code(doc.id, people, at("Marathon"), at("Marathon") + 8)
    project.add_case("Zoë", memo="Zoë lives in Kraków now")
    project.set_document_case(doc.id, project.find_case("Zoë").id)
    project.add_attribute("hometown")
    attribute = project.attributes()[0].id
    project.set_attribute_value(attribute, project.find_case("Zoë").id, "Kraków")
    project.add_annotation(doc.id, at("Christina M"), at("Christina M") + 11, "ask Christina M")
    project.add_memo("About Christina", "Christina and Zoë met in Łódź")
    project.set_project_memo("Interviews with Zoë")
    project.add_pseudonym("Zoë", "P01", category="person")
    project.add_pseudonym("Christina M", "P02", category="person")
    project.add_pseudonym("Christina", "P03", category="person")
    project.add_pseudonym("Kraków", "[city]", category="place", forms=("Krakowie",))
    project.add_pseudonym("Mara", "P04", category="person")
    project.add_pseudonym("Müller", "[surname]", category="person")
    project.add_pseudonym("Łódź", "[town]", category="place")
    project.dismiss_suggestion("Interviews", "name")
    yield project
    project.close()


def snapshot(project: Project) -> dict:
    docs = project.documents()
    return {
        "documents": [(d.guid, d.name, project.document_text(d.id)) for d in docs],
        "codings": sorted((c.guid, c.start, c.end, c.memo) for c in project.codings()),
        "annotations": sorted((a.guid, a.start, a.end, a.text) for a in project.annotations()),
        "turns": [(t.speaker, t.start, t.end) for d in docs for t in project.turns(d.id)],
        "memos": sorted((m.guid, m.title, m.text) for m in project.memos()),
        "cases": sorted((c.guid, c.name, c.memo) for c in project.cases()),
        "codes": sorted((c.guid, c.name, c.definition) for c in project.codes()),
        "project memo": project.memo,
        "pseudonyms": project.pseudonyms(),
        "dismissed": project.dismissed_suggestions(),
    }


def test_the_copy_holds_no_original_and_codings_follow(study: Project, tmp_path: Path) -> None:
    new = tmp_path / "deposit.coder"
    result = pseudonymise_project(study, new)
    assert result.documents == 1 and result.replaced > 10
    assert leaks(new, NAMES) == []
    assert not Path(f"{new}-wal").exists() and not Path(f"{new}-journal").exists()
    matcher = study.pseudonym_matcher()
    with Project.open(new, read_only=True) as copy:
        assert copy.pseudonyms() == []
        doc = copy.documents()[0]
        text = copy.document_text(doc.id)
        assert "Marathon" in text and "P02 stayed in [city]" in text
        assert text == matcher.replace(study.document_text(study.documents()[0].id))[0]
        old = study.document_text(study.documents()[0].id)
        before = {c.guid: old[c.start : c.end] for c in study.codings()}
        for c in copy.codings():
            if before[c.guid] != "ristina Müller"[:9]:  # the one that began inside a name
                assert text[c.start : c.end] == matcher.replace(before[c.guid])[0]
        assert [t.speaker for t in copy.turns(doc.id)] == ["Interviewer", "P01"] * 2
        assert copy.search("Zoë") == [] and copy.search("P01")


def test_depseudonymise_gives_back_the_original_exactly(study: Project, tmp_path: Path) -> None:
    new, key, back = tmp_path / "deposit.coder", tmp_path / "key.csv", tmp_path / "back.coder"
    write_key(pseudonymise_project(study, new).key, key)
    assert leaks(key, ["Zoë"])  # the key is where the originals are
    with Project.open(new, read_only=True) as copy:
        depseudonymise_project(copy, read_key(key), back)
    with Project.open(back, read_only=True) as restored:
        assert snapshot(restored) == snapshot(study)


def test_pseudonymised_exports_are_exact(study: Project, tmp_path: Path) -> None:
    from coder.core.refi import export_qdpx, import_qdpx

    out = tmp_path / "deposit.qdpx"
    with pseudonymised(study) as copy:
        export_qdpx(copy, out)
    assert leaks(out, NAMES) == []
    matcher = study.pseudonym_matcher()
    old = study.document_text(study.documents()[0].id)
    before = {c.guid: old[c.start : c.end] for c in study.codings()}
    other = Project.create(tmp_path / "other.coder")
    try:
        import_qdpx(other, out)
        text = other.document_text(other.documents()[0].id)
        codings = other.codings()
        assert {c.guid for c in codings} == set(before)
        for c in codings:
            if not before[c.guid].startswith("ristina"):
                assert text[c.start : c.end] == matcher.replace(before[c.guid])[0]
    finally:
        other.close()


def test_refusals_change_nothing(study: Project, tmp_path: Path) -> None:
    (tmp_path / "taken.coder").write_bytes(b"")
    with pytest.raises(InvalidValue, match="already exists"):
        pseudonymise_project(study, tmp_path / "taken.coder")
    with pytest.raises(InvalidValue, match="must end with"):
        pseudonymise_project(study, tmp_path / "x.txt")
    empty = Project.create(tmp_path / "empty.coder")
    try:
        with pytest.raises(InvalidValue, match="list is empty"):
            pseudonymise_project(empty, tmp_path / "e.coder")
    finally:
        empty.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".coder") == [
        "empty.coder", "study.coder", "taken.coder",
    ]  # fmt: skip


def test_a_key_that_does_not_fit_is_refused(study: Project, tmp_path: Path) -> None:
    new, key = tmp_path / "deposit.coder", tmp_path / "key.csv"
    write_key(pseudonymise_project(study, new).key, key)
    rows = list(csv.reader(io.StringIO(key.read_text(encoding="utf-8-sig"))))
    text = next(row for row in rows if row[5:7] == ["documents", "text"])
    text[4] = str(int(text[4]) + 1)  # a position that does not hold the replacement
    with key.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with Project.open(new, read_only=True) as copy, pytest.raises(InvalidValue, match="fit"):
        depseudonymise_project(copy, read_key(key), tmp_path / "back.coder")
    assert not (tmp_path / "back.coder").exists()
    key.write_text("name,value\n")
    with pytest.raises(InvalidValue, match="not a key"):
        read_key(key)


# --------------------------------------------------------------------------- property test

WORDS = ["the", "Ana", "ANA", "Anabel", "José", NFD_ZOE, "zoë", "Kraków", "kraków", "park",
         "Łódź", "👩‍👩‍👧", "e\u0301", "Ana-Maria", "ana_b", "ß", "Straße"]  # fmt: skip
LIST = [("Ana", "P1"), ("Zoë", "Person Two"), ("Kraków", "[c]"), ("Ana-Maria", "P3"),
        ("Straße", "[street]")]  # fmt: skip


@st.composite
def projects(draw: st.DrawFn) -> tuple[list[str], list[tuple[int, int, int]]]:
    texts = []
    for _ in range(draw(st.integers(1, 2))):
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25))
        seps = draw(st.lists(st.sampled_from([" ", ", ", ".\n", "\n\n"]), min_size=len(words)))
        texts.append("".join(w + s for w, s in zip(words, seps, strict=False)))
    codings = []
    for _ in range(draw(st.integers(0, 8))):
        doc = draw(st.integers(0, len(texts) - 1))
        a = draw(st.integers(0, len(texts[doc]) - 1))
        b = draw(st.integers(a + 1, len(texts[doc])))
        codings.append((doc, a, b))
    return texts, codings


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_round_trip_and_no_leak_over_random_projects(
    tmp_path_factory: pytest.TempPathFactory, drawn: tuple[list[str], list[tuple[int, int, int]]]
) -> None:
    texts, codings = drawn
    folder = tmp_path_factory.mktemp("random")
    project = Project.create(folder / "p.coder")
    try:
        for n, text in enumerate(texts):
            project.add_document(f"doc {n} Ana", text, memo=f"memo of Ana {n}")
        project.add_code("Ana's code")
        code = project.find_code("Ana's code").id
        docs = project.documents()
        for doc, a, b in codings:
            project.apply_code(docs[doc].id, code, a, b, memo="Zoë said so")
        for original, replacement in LIST:
            project.add_pseudonym(original, replacement)
        matcher = project.pseudonym_matcher()
        new, key, back = folder / "new.coder", folder / "key.csv", folder / "back.coder"
        write_key(pseudonymise_project(project, new).key, key)
        assert leaks(new, [o for o, _r in LIST]) == []
        with Project.open(new, read_only=True) as copy:
            for d, c in zip(docs, copy.documents(), strict=True):
                old, text = project.document_text(d.id), copy.document_text(c.id)
                assert text == matcher.replace(old)[0]
                spans = [(m.start, m.end) for m in matcher.find(old)]
                moved = {x.guid: x for x in copy.codings(document_id=c.id)}
                assert len(moved) == len(project.codings(document_id=d.id))
                for before in project.codings(document_id=d.id):
                    after = moved[before.guid]
                    inside = any(s < p < e for s, e in spans for p in (before.start, before.end))
                    if not inside:
                        expected = old[before.start : before.end]
                        for m in reversed(matcher.find(old)):
                            if before.start <= m.start and m.end <= before.end:
                                s, e = m.start - before.start, m.end - before.start
                                expected = expected[:s] + m.rule.replacement + expected[e:]
                        assert text[after.start : after.end] == expected
            depseudonymise_project(copy, read_key(key), back)
        with Project.open(back, read_only=True) as restored:
            assert snapshot(restored) == snapshot(project)
    finally:
        project.close()


def test_a_project_file_is_searched_value_by_value(study: Project, tmp_path: Path) -> None:
    import sqlite3

    from coder.core.pseudonymise.check import find_in_file

    new = tmp_path / "deposit.coder"
    pseudonymise_project(study, new)
    matcher = study.pseudonym_matcher()
    assert find_in_file(new, matcher) is None
    conn = sqlite3.connect(new)
    conn.execute("INSERT INTO text_blocks_fts (rowid, text) VALUES (999, 'x ZOË')")
    conn.commit()
    conn.execute("VACUUM")
    conn.close()
    assert find_in_file(new, matcher) == "'Zoë' in the search index of deposit.coder"
    conn = sqlite3.connect(new)
    conn.execute("UPDATE memos SET text = 'met Christina M'")
    conn.commit()
    conn.execute("VACUUM")
    conn.close()
    assert find_in_file(new, matcher) == "'Christina M' in memos.text of deposit.coder"


def test_a_killed_run_leaves_nothing_for_good(study: Project, tmp_path: Path) -> None:
    # What a run killed while copying leaves: the next run into that folder removes it.
    left = tmp_path / ".deposit.coder.99999.part"
    left.write_bytes(b"SQLite format 3\x00 with the originals")
    pseudonymise_project(study, tmp_path / "other.coder")
    assert not left.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
