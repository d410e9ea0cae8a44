"""Reading a REFI-QDA project (.qdpx) into memory, defensively: see :mod:`coder.core.refi.qdpx`."""

from __future__ import annotations

import datetime as _dt
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from coder.core.errors import CoderError, ExchangeError
from coder.core.importers import read_document, supported_extensions
from coder.core.progress import Progress, check
from coder.core.refi.positions import Choice, choose_reading, tool_convention
from coder.core.refi.qdc import (
    CodeIn,
    check_unique_guids,
    child,
    child_text,
    children,
    derived_guid,
    localname,
    merge_text,
    norm_guid,
    read_codes,
)
from coder.core.refi.qdpx_names import EXTRAS_FORMAT, EXTRAS_MEMBER
from coder.core.refi.safe import DEFAULT_LIMITS, Limits, SafeArchive, parse_xml
from coder.core.text import Turn, detect_turns, normalise


@dataclass
class CodingIn:
    guid: str | None
    code_guid: str | None
    user: str | None
    created_at: str | None
    note_refs: list[str] = field(default_factory=list)


@dataclass
class SelectionIn:
    guid: str | None
    start: int
    end: int
    user: str | None
    created_at: str | None
    codings: list[CodingIn] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class ValueIn:
    var_guid: str
    kind: str  # "Text", "Boolean", ...
    raw: str


@dataclass
class SourceIn:
    guid: str
    name: str
    text: str
    turns: list[Turn] | None
    created_at: str | None
    user: str | None
    source_name: str = ""
    source_format: str = ""
    selections: list[SelectionIn] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    description: str = ""
    values: list[ValueIn] = field(default_factory=list)


@dataclass
class CaseIn:
    guid: str
    name: str
    description: str
    values: list[ValueIn] = field(default_factory=list)
    source_refs: list[str] = field(default_factory=list)
    selection_refs: list[str] = field(default_factory=list)


@dataclass
class NoteIn:
    guid: str
    name: str
    text: str
    created_at: str | None
    modified_at: str | None
    user: str | None = None
    # A passage inside the note (QualCoder writes annotations so): (guid, start, end) as written.
    selection: tuple[str | None, int, int] | None = None


@dataclass
class QdpxContent:
    """A .qdpx read into memory (texts decoded, positions re-based); nothing written yet."""

    name: str = ""
    origin: str = ""
    creating_user: str | None = None
    description: str = ""
    users: list[tuple[str, str]] = field(default_factory=list)
    codes: list[CodeIn] = field(default_factory=list)
    variables: dict[str, tuple[str, str]] = field(default_factory=dict)  # guid -> (name, type)
    scopes: dict[str, str] = field(default_factory=dict)  # variable guid -> scope (Coder files)
    cases: list[CaseIn] = field(default_factory=list)
    sources: list[SourceIn] = field(default_factory=list)
    notes: dict[str, NoteIn] = field(default_factory=dict)
    groups: list[tuple[str, list[str]]] = field(default_factory=list)
    project_note_refs: list[str] = field(default_factory=list)
    memo_links: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # Coder files
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def _attr_dt(el: Any, name: str) -> str | None:
    v = el.get(name)
    if not v:
        return None
    v = v.strip()
    try:
        _dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return v


def _refs(el: Any, name: str = "NoteRef") -> list[str]:
    return [g for g in (norm_guid(r.get("targetGUID")) for r in children(el, name)) if g]


def _decode(data: bytes, what: str, warnings: list[tuple[str, str]]) -> str:
    """Source bytes as text, keeping a leading BOM as U+FEFF (positions may count it)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return "\ufeff" + data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ValueError("unknown text encoding")
    warnings.append((what, f"the text is not UTF-8; read as {best.encoding}"))
    return str(best)


class _Reader:
    def __init__(self, archive: SafeArchive, limits: Limits, speakers: str) -> None:
        self.archive = archive
        self.limits = limits
        self.speakers = speakers
        self.content = QdpxContent()
        self.extras: dict[str, Any] = {}
        self.extra_documents: dict[str | None, Any] = {}
        # Coder's own files count code points of the stored text: nothing to guess.
        self.convention = tool_convention("")
        self.choices: dict[str, Choice] = {}  # source GUID -> how its positions are read
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    # ---------------------------------------------------------------- paths

    def member_for(self, path: str | None) -> str | None:
        """The archive member a REFI path names, or None (external files are never read)."""
        if not path:
            return None
        p = path.strip()
        for scheme in ("internal://", "relative://", "absolute://", "file://"):
            if p.lower().startswith(scheme):
                p = p[len(scheme) :]
                break
        p = unquote(p).replace("\\", "/").lstrip("/")
        if not p:
            return None
        base = PurePosixPath(p).name
        for candidate in (f"sources/{p}", p, f"sources/{base}"):
            hit = self.archive.find(candidate)
            if hit:
                return hit
        return self.archive.find_basename(base)

    def read_member_text(self, member: str, what: str) -> str:
        data = self.archive.read(member)
        return _decode(data, what, self.content.warnings)

    def read_rich(self, member: str) -> tuple[str, list[Turn]] | str:
        """Text and turns of a .docx/.pdf/... member through Coder's importers, or why not.

        The bytes go to a private temporary folder under a fixed name of our own: the member's
        name is never used as a path.
        """
        suffix = PurePosixPath(member).suffix.lower()
        if suffix not in supported_extensions():
            return f"its text is a {suffix or 'nameless'} file, which Coder cannot read"
        try:
            data = self.archive.read(member)
        except ExchangeError as e:
            return f"its {suffix} file cannot be read ({str(e).split(': ', 1)[-1]})"
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="coder-refi-")
        target = Path(self._tmp.name) / f"source{suffix}"
        target.write_bytes(data)
        try:
            if data[:4] == b"PK\x03\x04":
                # .docx/.odt are zip files too: the same limits apply before any reader opens it.
                SafeArchive(target, self.limits).close()
            doc = read_document(target, speakers=self.speakers)
        except CoderError as e:
            return f"its {suffix} text could not be read ({str(e).split(': ', 1)[-1]})"
        finally:
            target.unlink(missing_ok=True)
        return doc.text, list(doc.turns)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    # ---------------------------------------------------------------- elements

    def read_project(self, root: Any, progress: Progress | None) -> QdpxContent:
        c = self.content
        c.name = root.get("name") or ""
        c.origin = root.get("origin") or ""
        self.convention = tool_convention(c.origin)
        if self.extras:  # Coder's own file, whatever its origin says
            self.convention = tool_convention("Coder")
        docs = self.extras.get("documents")
        if isinstance(docs, dict):
            self.extra_documents = {norm_guid(k): v for k, v in docs.items()}
        c.creating_user = norm_guid(root.get("creatingUserGUID"))
        users = child(root, "Users")
        for u in children(users, "User") if users is not None else []:
            g = norm_guid(u.get("guid"))
            if g:
                c.users.append((g, (u.get("name") or u.get("id") or "").strip()))
        book = child(root, "CodeBook")
        codes = child(book, "Codes") if book is not None else None
        if codes is not None:
            c.codes = read_codes(codes, c.skipped)
        variables = child(root, "Variables")
        for v in children(variables, "Variable") if variables is not None else []:
            g = norm_guid(v.get("guid"))
            name = (v.get("name") or "").strip()
            if not g or not name:
                c.skipped.append((f"variable '{name}'", "it has no GUID or no name"))
                continue
            c.variables[g] = (name, v.get("typeOfVariable") or "Text")
        self.read_memo_links()
        scopes = self.extras.get("attributes")
        if isinstance(scopes, dict):
            c.scopes = {
                norm_guid(k) or "": v for k, v in scopes.items() if v in ("case", "document")
            }
        self.read_cases(root)
        sources = child(root, "Sources")
        items = list(sources) if sources is not None else []
        for i, el in enumerate(items):
            self.read_source(el)
            label = el.get("name") or ""
            check(progress, i + 1, len(items), label, "reading the project was cancelled")
        self.resolve_case_sources()
        self.read_notes(child(root, "Notes"))
        self.place_note_passages()
        self.read_sets(root)
        c.description = child_text(root, "Description") or ""
        c.project_note_refs = _refs(root)
        for kind in ("Links", "Graphs"):
            el = child(root, kind)
            if el is not None and len(el):
                c.skipped.append((f"{len(el)} {kind.lower()}", "Coder has no place for them"))
        return c

    def read_cases(self, root: Any) -> None:
        c = self.content
        cases = child(root, "Cases")
        for el in children(cases, "Case") if cases is not None else []:
            g = norm_guid(el.get("guid"))
            if not g:
                c.skipped.append((f"case '{el.get('name') or ''}'", "it has no GUID"))
                continue
            case = CaseIn(
                g,
                (el.get("name") or "").strip(),
                child_text(el, "Description") or "",
                self.values(el),
                _refs(el, "SourceRef"),
                _refs(el, "SelectionRef"),
            )
            if children(el, "CodeRef"):
                c.skipped.append(
                    (
                        f"case '{case.name}'",
                        "codes linked to a case are not kept (Coder codes passages)",
                    )
                )
            c.cases.append(case)

    def read_sets(self, root: Any) -> None:
        c = self.content
        sets = child(root, "Sets")
        for el in children(sets, "Set") if sets is not None else []:
            name = " ".join((el.get("name") or "").split())
            members = _refs(el, "MemberSource")
            if members and name:
                c.groups.append((name, members))
            if children(el, "MemberCode") or children(el, "MemberNote"):
                c.skipped.append(
                    (
                        f"set '{name}'",
                        "Coder groups documents only (codes and notes in sets are not kept)",
                    )
                )

    def read_memo_links(self) -> None:
        """Links from memos to documents, codes, codings and cases (Coder's own files)."""
        links = self.extras.get("memo_links")
        if not isinstance(links, dict):
            return
        for memo_guid, targets in links.items():
            g = norm_guid(str(memo_guid))
            if g and isinstance(targets, list):
                self.content.memo_links[g] = [
                    (str(t[0]), norm_guid(str(t[1])) or "")
                    for t in targets
                    if isinstance(t, list) and len(t) == 2
                ]

    def read_notes(self, notes: Any) -> None:
        for el in children(notes, "Note") if notes is not None else []:
            g = norm_guid(el.get("guid"))
            if not g:
                continue
            text = child_text(el, "PlainTextContent")
            if text is None:
                member = self.member_for(el.get("plainTextPath"))
                text = normalise(self.read_member_text(member, "note")) if member else ""
            desc = child_text(el, "Description")
            if desc and desc.strip() and desc not in text:
                text = merge_text(desc, text)
            note = NoteIn(g, (el.get("name") or "").strip(), text,
                          _attr_dt(el, "creationDateTime"), _attr_dt(el, "modifiedDateTime"),
                          norm_guid(el.get("creatingUser") or el.get("modifyingUser")))  # fmt: skip
            sel = child(el, "PlainTextSelection")
            if sel is not None:
                start, end = _int(sel.get("startPosition")), _int(sel.get("endPosition"))
                if start is not None and end is not None and 0 <= start < end:
                    note.selection = (norm_guid(sel.get("guid")), start, end)
            self.content.notes[g] = note

    def resolve_case_sources(self) -> None:
        """Case links naming a file of the archive rather than a source (QualCoder 4.0 writes the
        GUID of a copy of the text) go to the one source with exactly that text."""
        c = self.content
        known = {src.guid for src in c.sources}
        for case in c.cases:
            for n, g in enumerate(case.source_refs):
                if g in known:
                    continue
                member = self.member_for(f"{g}.txt")
                if member is None:
                    continue
                try:
                    text = normalise(self.read_member_text(member, f"case '{case.name}'"))
                except (ExchangeError, ValueError):
                    continue
                same = [src.guid for src in c.sources if src.text == text]
                if len(same) == 1:
                    case.source_refs[n] = same[0]

    def place_note_passages(self) -> None:
        """Notes holding a passage of the source that refers to them are annotations there."""
        c = self.content
        for src in c.sources:
            choice = self.choices.get(src.guid)
            for g in list(src.note_refs):
                note = c.notes.get(g)
                if note is None or note.selection is None or choice is None:
                    continue
                sel_guid, start, end = note.selection
                start, end = choice.read(start), choice.read(end, end=True)
                end = min(end, len(src.text))
                if start >= end:
                    continue
                src.note_refs.remove(g)
                src.selections.append(SelectionIn(sel_guid or derived_guid("note-passage", g),
                                                  start, end, note.user, note.created_at,
                                                  note_refs=[g]))  # fmt: skip

    def values(self, el: Any) -> list[ValueIn]:
        out = []
        for vv in children(el, "VariableValue"):
            ref = child(vv, "VariableRef")
            g = norm_guid(ref.get("targetGUID")) if ref is not None else None
            value_el = next((x for x in vv if localname(x).endswith("Value")), None)
            if g is None or value_el is None:
                continue
            out.append(
                ValueIn(g, localname(value_el)[: -len("Value")], "".join(value_el.itertext()))
            )
        return out

    def read_source(self, el: Any) -> None:
        c = self.content
        kind = localname(el)
        name = (el.get("name") or "").strip()
        label = f"source '{name or el.get('guid') or '?'}'"
        guid = norm_guid(el.get("guid"))
        if guid is None:
            c.skipped.append((label, "it has no GUID"))
            return
        text_el = el
        if kind == "PDFSource":
            rep = child(el, "Representation")
            text_el = rep if rep is not None else el
            for _ in children(el, "PDFSelection"):
                c.skipped.append((label, "PDF area selections are not kept (Coder codes text)"))
                break
        elif kind != "TextSource":
            c.skipped.append((label, f"{kind} is not a text source (Coder imports text)"))
            return
        found = self.source_text(el, text_el, label)
        if found is None:
            return
        text, turns, posmap, source_format = found
        extra = self.extra_documents.get(guid)
        if turns is None:
            turns = self._extra_turns(extra, text, label)
        if turns is None:
            turns = detect_turns(text) if self.speakers == "auto" else []
        plain_member = self.member_for(text_el.get("plainTextPath"))
        rich_member = self.member_for(text_el.get("richTextPath") or el.get("path"))
        src = SourceIn(
            guid=guid,
            name=name or (PurePosixPath(plain_member or rich_member or "Document").stem),
            text=text,
            turns=turns,
            created_at=_attr_dt(el, "creationDateTime"),
            user=norm_guid(el.get("creatingUser")),
            source_name=str(extra.get("source_name", ""))
            if extra
            else (PurePosixPath(rich_member).name if rich_member else ""),
            source_format=str(extra.get("source_format", "")) if extra else source_format,
            note_refs=_refs(el) + ([] if text_el is el else _refs(text_el)),
            description=child_text(el, "Description") or "",
            values=self.values(el),
        )
        self.read_selections(src, text_el, posmap, label)
        c.sources.append(src)
        if posmap is not None:
            self.choices[guid] = posmap

    def source_text(
        self, el: Any, text_el: Any, label: str
    ) -> tuple[str, list[Turn] | None, Choice | None, str] | None:
        """(text, turns if known, position map, format) of a source, or None (skipped)."""
        c = self.content
        raw: str | None = None
        unreadable = ""
        turns: list[Turn] | None = None
        source_format = ""
        inline = child_text(text_el, "PlainTextContent")
        plain_member = self.member_for(text_el.get("plainTextPath"))
        rich_member = self.member_for(text_el.get("richTextPath") or el.get("path"))
        if inline is not None:
            raw = inline
            source_format = "txt"
        elif plain_member is not None:
            try:
                raw = self.read_member_text(plain_member, label)
            except ExchangeError as e:
                unreadable = f"its text file cannot be read ({str(e).split(': ', 1)[-1]})"
            except ValueError:
                unreadable = "its text is in an encoding Coder cannot tell"
            source_format = "txt"
        posmap: Choice | None = None
        text = ""
        rich_failure = ""
        if rich_member is not None and (raw is None or not normalise(raw).strip()):
            # NVivo writes empty .txt files next to the .docx that has the text.
            rich = self.read_rich(rich_member)
            if isinstance(rich, str):
                rich_failure = rich
            elif rich[0].strip() or raw is None:
                raw = None
                text, turns = rich
                source_format = PurePosixPath(rich_member).suffix.lstrip(".").lower()
                if children(text_el, "PlainTextSelection"):
                    c.warnings.append(
                        (label, "text taken from its rich-text file; check that passages line up")
                    )
        if raw is None and turns is None:
            if unreadable or rich_failure:
                c.skipped.append((label, unreadable or rich_failure))
                return None
            where = text_el.get("plainTextPath") or text_el.get("richTextPath") or el.get("path")
            why = f"its text ({where}) is not inside the file" if where else "it has no text"
            c.skipped.append((label, why))
            return None
        if raw is not None:
            text = normalise(raw)
            posmap = self.reading(raw, text, text_el, label)
            if not text.strip():
                c.warnings.append(
                    (label, "it has no text" + (f"; {rich_failure}" if rich_failure else ""))
                )
        return text, turns, posmap, source_format

    def reading(self, raw: str, text: str, text_el: Any, label: str) -> Choice:
        """How this source's positions are counted (see :mod:`coder.core.refi.positions`)."""
        spans, written = [], []
        for s in children(text_el, "PlainTextSelection"):
            start, end = _int(s.get("startPosition")), _int(s.get("endPosition"))
            # Indexes must match the selections': unusable positions still take a place.
            spans.append((start or 0, end or 0))
            written.append(s.get("name") or None)
        choice = choose_reading(raw, text, spans, self.convention, written)
        if choice.warning:
            self.content.warnings.append((label, choice.warning))
        return choice

    def read_selections(
        self, src: SourceIn, text_el: Any, posmap: Choice | None, label: str
    ) -> None:
        c = self.content
        text = src.text
        clamped = 0
        for index, s in enumerate(children(text_el, "PlainTextSelection")):
            start, end = _int(s.get("startPosition")), _int(s.get("endPosition"))
            sel_label = f"passage {s.get('startPosition')}-{s.get('endPosition')} in '{src.name}'"
            if start is None or end is None or start < 0 or end < 0:
                c.skipped.append((sel_label, "its positions are not numbers of 0 or more"))
                continue
            if posmap is not None:
                start, end = posmap.span(index, start, end)
            if end > len(text):
                clamped += 1
                end = len(text)
            if start >= end:
                c.skipped.append((sel_label, "it is empty or lies past the end of the text"))
                continue
            sel = SelectionIn(
                norm_guid(s.get("guid")), start, end, norm_guid(s.get("creatingUser")),
                _attr_dt(s, "creationDateTime"), [], _refs(s), child_text(s, "Description") or "",
            )  # fmt: skip
            for cd in children(s, "Coding"):
                sel.codings.append(self.coding(cd))
            src.selections.append(sel)
        if clamped:
            c.warnings.append(
                (
                    label,
                    f"{clamped} passage(s) ran past the end of the text and were cut at its end",
                )
            )
        whole = children(text_el, "Coding")
        if whole and text:
            sel = SelectionIn(None, 0, len(text), None, None, [self.coding(cd) for cd in whole])
            src.selections.append(sel)

    def coding(self, el: Any) -> CodingIn:
        ref = child(el, "CodeRef")
        return CodingIn(
            norm_guid(el.get("guid")),
            norm_guid(ref.get("targetGUID")) if ref is not None else None,
            norm_guid(el.get("creatingUser")),
            _attr_dt(el, "creationDateTime"),
            _refs(el),
        )

    def _extra_turns(self, extra: Any, text: str, label: str) -> list[Turn] | None:
        if not isinstance(extra, dict) or not isinstance(extra.get("turns"), list):
            return None
        out = []
        try:
            for t in extra["turns"]:
                speaker, start, end, ts, te = t
                if not (
                    isinstance(start, int)
                    and isinstance(end, int)
                    and 0 <= start <= end <= len(text)
                ):
                    raise ValueError
                out.append(
                    Turn(
                        None if speaker is None else str(speaker),
                        start,
                        end,
                        None if ts is None else float(ts),
                        None if te is None else float(te),
                    )
                )
        except (TypeError, ValueError):
            self.content.warnings.append(
                (label, "its stored speaker turns are damaged; detected again")
            )
            return None
        return out


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        try:
            f = float(value)
        except ValueError:
            return None
        return int(f) if f == f and abs(f) < 2**62 else None


def _find_qde(archive: SafeArchive) -> str:
    names = archive.names()
    top = [n for n in names if "/" not in n and n.lower().endswith(".qde")]
    for n in top:
        if n.lower() == "project.qde":
            return n
    if len(top) >= 1:
        return sorted(top)[0]
    nested = [n for n in names if n.lower().endswith(".qde")]
    if len(nested) == 1:
        return nested[0]
    raise ExchangeError(
        f"{archive.path.name} is not a REFI-QDA project: it has no project.qde inside"
    )


def read_qdpx(
    path: str | Path, limits: Limits = DEFAULT_LIMITS, progress: Progress | None = None,
    speakers: str = "auto",
) -> QdpxContent:  # fmt: skip
    """Read a .qdpx into memory (pure: no project involved; safe for a worker thread)."""
    path = Path(path)
    with SafeArchive(path, limits) as archive:
        qde = _find_qde(archive)
        data = archive.read(qde, limits.max_xml_bytes)
        root = parse_xml(data, f"{path.name} ({qde})", limits.max_xml_bytes)
        if localname(root) != "Project":
            raise ExchangeError(
                f"{path.name} is not a REFI-QDA project (the root of {qde} is <{localname(root)}>)"
            )
        check_unique_guids(root, path.name)
        reader = _Reader(archive, limits, speakers)
        member = archive.find(EXTRAS_MEMBER)
        if member:
            try:
                extras = json.loads(archive.read(member, 256 * 1024 * 1024))
                if isinstance(extras, dict) and extras.get("format") == EXTRAS_FORMAT:
                    reader.extras = extras
            except (ValueError, RecursionError, ExchangeError):
                reader.content.warnings.append(
                    (EXTRAS_MEMBER, "damaged; speaker turns detected again")
                )
        try:
            return reader.read_project(root, progress)
        finally:
            reader.close()
