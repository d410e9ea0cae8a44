"""Coding commands: apply, in vivo, new code, quick keys, remove, memo, resize, recode.

Every edit goes through ``window.push`` as one undoable command with a readable text. The
selection is read from the document view in code points, snapped outwards to whole
characters, so a passage never starts or ends inside a surrogate pair.
"""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QMenu

from coder.core.errors import CoderError, InvalidValue
from coder.core.project import Changes, Project
from coder.ui.actions import action
from coder.ui.features import screen_reader

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow
    from coder.ui.views.document_view import Span

IN_VIVO_MAX = 60
RECENT_CODES = 8
RESIZE_MERGE_ID = 4101  # nudging one coding's edges merges into one undo step


def _code_name(window: MainWindow, code_id: int) -> str:
    style = window.view.styles.get(code_id)
    if style is not None:
        return style.name
    assert window.project is not None
    return window.project.code(code_id).name


def _selection(window: MainWindow) -> tuple[int, int, int] | None:
    view = window.view
    if window.project is None or view.doc_id is None:
        return None
    a, b = view.selection_cp()
    if b <= a:
        window.show_status("Select a passage first", 3000)
        return None
    return view.doc_id, a, b


def _remember(window: MainWindow, code_id: int) -> None:
    window.last_code_id = code_id
    recent = [c for c in window.recent_codes if c != code_id]
    window.recent_codes = [code_id, *recent][:RECENT_CODES]


def _make_active(window: MainWindow, changes: Changes | None) -> None:
    """After coding, the new coding is the one Shift/Alt+arrows and M act on."""
    view = window.view
    created = changes.created("codings") if changes else []
    if created and created[-1] in view.spans:
        view.set_active_coding(created[-1])


def _last_command_changes(window: MainWindow) -> Changes | None:
    stack = window.undo_stack
    if stack is None or stack.count() == 0:
        return None
    cmd = stack.command(stack.index() - 1)
    return getattr(cmd, "changes", None)


def apply_code(
    window: MainWindow, code_id: int, passage: tuple[int, int, int] | None = None
) -> bool:
    """Code the selection (or ``passage`` = (doc_id, start, end)) with a code."""
    target = passage or _selection(window)
    if target is None:
        return False
    doc_id, start, end = target
    name = _code_name(window, code_id)
    assert window.project is not None
    if not window.project.code(code_id).codable:
        window.show_status(f"'{name}' is a category: it groups codes and cannot be applied", 5000)
        return False
    ok = window.push(
        f"Apply code '{name}'",
        lambda p: p.apply_code(doc_id, code_id, start, end),
    )
    if ok:
        _remember(window, code_id)
        _make_active(window, _last_command_changes(window))
        window.show_status(f"Coded {end - start} characters with '{name}'", 3000)
    return ok


def in_vivo_name(text: str) -> str:
    """A code name from a passage's words: whitespace collapsed, quotes and punctuation at
    the ends dropped, at most 60 characters (cut between words)."""
    name = re.sub(r"\s+", " ", text).strip(" \"'“”‘’«»()[].,;:!?…-–—")
    if len(name) > IN_VIVO_MAX:
        cut = name[: IN_VIVO_MAX - 1]
        if " " in cut[IN_VIVO_MAX // 2 :]:
            cut = cut[: cut.rfind(" ")]
        name = cut.rstrip(" ,.;:") + "…"
    return name


def code_with_new(window: MainWindow, name: str, text: str, passage: tuple[int, int, int]) -> bool:
    """Create a top-level code (or reuse one of that name) and apply it: one undo step."""
    doc_id, start, end = passage

    def service(project: Project) -> Changes:
        found = project.find_top_level_code(name)
        existing = found.id if found is not None else None
        if existing is not None:
            return project.apply_code(doc_id, existing, start, end)
        created = project.add_code(name)
        code_id = created.created("codes")[0]
        try:
            return created | project.apply_code(doc_id, code_id, start, end)
        except CoderError:
            project.undo(created)
            raise

    ok = window.push(text, service)
    if ok:
        changes = _last_command_changes(window)
        codings = changes.created("codings") if changes else []
        if codings and codings[-1] in window.view.spans:
            _remember(window, window.view.spans[codings[-1]].code_id)
        _make_active(window, changes)
    return ok


@action(
    "coding.in_vivo",
    "Code",
    "Code &in vivo",
    shortcut="V",
    enabled_when="selection",
    order=120,
    status_tip="Create a code named after the selected words and apply it",
)
def in_vivo(window: MainWindow) -> None:
    """Code the selection's whole words with a new code named after them."""
    if _selection(window) is None:
        return
    doc_id = window.view.doc_id
    assert doc_id is not None
    start, end = window.view.word_selection_cp()
    name = in_vivo_name(window.view.text[start:end])
    if not name:
        raise InvalidValue("the selection has no words to name a code with")
    code_with_new(window, name, f"Code in vivo '{name}'", (doc_id, start, end))


@action(
    "coding.new_code",
    "Code",
    "Code with a &new code…",
    shortcut="Ctrl+Shift+K",
    enabled_when="selection",
    order=110,
)
def new_code(window: MainWindow) -> None:
    target = _selection(window)
    if target is None:
        return
    name = window.ask_text("New code", "Name of the new code for the selection:")
    if name is None or not name.strip():
        return
    name = name.strip()
    code_with_new(window, name, f"Apply new code '{name}'", target)


@action(
    "coding.last",
    "Code",
    "Code with the &last code",
    shortcut="Q",
    enabled_when="selection",
    order=100,
)
def code_with_last(window: MainWindow) -> None:
    if window.last_code_id is None:
        current = window.codebook_dock.current_code_id()
        if current is None:
            window.show_status("No code used yet: choose one in the codebook", 4000)
            return
        window.last_code_id = current
    apply_code(window, window.last_code_id)


@action(
    "coding.apply_current",
    "Code",
    "Code with the code selected in the &codebook",
    shortcut="Ctrl+Return",
    enabled_when="selection",
    order=105,
)
def code_with_current(window: MainWindow) -> None:
    current = window.codebook_dock.current_code_id()
    if current is None:
        window.show_status("Select a code in the codebook first", 4000)
        return
    apply_code(window, current)


def quick_code_id(window: MainWindow, digit: int) -> int | None:
    return window.codebook_dock.quick_code(digit)


def quick(window: MainWindow, digit: int) -> None:
    if _selection(window) is None:
        return
    code_id = quick_code_id(window, digit)
    if code_id is None:
        window.show_status(f"No code assigned to key {digit} (set it in the codebook)", 4000)
        return
    apply_code(window, code_id)


def refresh_quick_titles(window: MainWindow) -> None:
    """Name each quick key's code in the Code → Quick codes menu."""
    for digit in range(1, 10):
        act = window.actions_by_id.get(f"coding.quick{digit}")
        if act is None:
            continue
        code_id = quick_code_id(window, digit) if window.project is not None else None
        style = window.view.styles.get(code_id) if code_id is not None else None
        act.setText(
            f"Quick code {digit}: {style.path}" if style else f"Quick code {digit} (not assigned)"
        )


for _d in range(1, 10):
    action(
        f"coding.quick{_d}",
        "Code/Quick codes",
        f"Quick code {_d}",
        shortcut=str(_d),
        enabled_when="selection",
        order=_d,
    )(partial(quick, digit=_d))


def is_mine(coder: str) -> bool:
    """Whether a coding's coder is the one using Coder now (Edit → Preferences)."""
    from coder.core import settings

    return coder.casefold() == settings.coder_name().casefold()


def coding_label(window: MainWindow, coding_id: int) -> str:
    """How menus and messages name a coding: its code and its coder ("'Family pull' — Sam")."""
    span = window.view.spans.get(coding_id)
    if span is not None:
        return f"'{_code_name(window, span.code_id)}' — {span.coder or 'unknown coder'}"
    assert window.project is not None
    coding = window.project.coding(coding_id)
    return f"'{window.project.code(coding.code_id).name}' — {coding.coder or 'unknown coder'}"


def _coder_of(window: MainWindow, coding_id: int) -> str:
    span = window.view.spans.get(coding_id)
    if span is not None:
        return span.coder
    assert window.project is not None
    return window.project.coding(coding_id).coder


def confirm_others(window: MainWindow, coding_ids: list[int], verb: str) -> bool:
    """Ask before changing codings that other coders made, naming them; True when none are
    someone else's, or the user agrees."""
    from coder.core import settings

    others = [c for c in coding_ids if not is_mine(_coder_of(window, c))]
    if not others:
        return True
    coders = sorted({_coder_of(window, c) or "an unknown coder" for c in others})
    who = ", ".join(coders)
    if len(coding_ids) == 1:
        code = coding_label(window, others[0]).rsplit(" — ", 1)[0]
        question = (
            f"{verb.capitalize()} {who}'s coding of {code}?\n\n"
            f"It was made by {who}, not by you ({settings.coder_name()})."
        )
    else:
        question = (
            f"{verb.capitalize()} {len(coding_ids)} codings? {len(others)} of them were made "
            f"by {who}, not by you ({settings.coder_name()})."
        )
    return window.confirm(question, yes=f"{verb.capitalize()} {who}'s coding")


def remove_coding(window: MainWindow, coding_id: int) -> bool:
    """Remove one coding (asking first when another coder made it); says so in the status bar."""
    label = coding_label(window, coding_id)
    if not confirm_others(window, [coding_id], "remove"):
        return False
    ok = window.push(f"Remove coding {label}", lambda p: p.remove_coding(coding_id))
    if ok:
        window.show_status(f"Removed coding {label} (Ctrl+Z undoes it)", 5000)
    return ok


def coding_to_remove(window: MainWindow) -> Span | None:
    """The coding U acts on: the selected one; else, of the codings the selection or caret
    points at (innermost first), your own before anyone else's."""
    view = window.view
    candidates = view.target_spans()
    if not candidates:
        return None
    active = view.active_span()
    if active is not None:
        return active
    mine = [s for s in candidates if is_mine(s.coder)]
    return mine[0] if mine else candidates[0]


@action(
    "coding.remove",
    "Code",
    "&Remove coding under the cursor",
    shortcut="U",
    enabled_when="document",
    order=200,
    status_tip="Remove your coding at the cursor (asks before removing another coder's)",
)
def remove_at_cursor(window: MainWindow) -> None:
    span = coding_to_remove(window)
    if span is None:
        window.show_status("No coding at the cursor", 3000)
        return
    remove_coding(window, span.id)


def edit_memo(window: MainWindow, coding_id: int) -> None:
    span = window.view.spans.get(coding_id)
    assert window.project is not None
    current = span.memo if span is not None else window.project.coding(coding_id).memo
    name = _code_name(window, span.code_id) if span is not None else "coding"
    memo = window.ask_text("Coding memo", f"Memo on this '{name}' coding:", current, multiline=True)
    if memo is None or memo == current:
        return
    window.push("Edit coding memo", lambda p: p.set_coding_memo(coding_id, memo))


@action(
    "coding.memo", "Code", "&Memo on the coding…", shortcut="M", enabled_when="document", order=210
)
def memo_at_cursor(window: MainWindow) -> None:
    span = window.view.target_span()
    if span is None:
        window.show_status("No coding at the cursor", 3000)
        return
    edit_memo(window, span.id)


def recode(window: MainWindow, coding_id: int, code_id: int) -> bool:
    """Give a coding another code (asking first when another coder made it)."""
    name = _code_name(window, code_id)
    label = coding_label(window, coding_id)
    if not confirm_others(window, [coding_id], "recode"):
        return False
    ok = window.push(f"Recode {label} as '{name}'", lambda p: p.recode(coding_id, code_id))
    if ok:
        window.show_status(f"Recoded {label} as '{name}'", 5000)
    return ok


# ---------------------------------------------------------------------------- resizing


# (edge, direction): Shift+Left grows the start, Shift+Right grows the end,
# Alt+Right shrinks the start, Alt+Left shrinks the end.
def resize(window: MainWindow, edge: str, grow: bool, by_word: bool = False) -> None:
    """Move the selected coding's ``edge`` by a character (or a word), as one undo step with
    the moves before it; without a selected coding, the keys select text as usual."""
    from PySide6.QtGui import QTextCursor

    view = window.view
    span = view.active_span()
    if span is None:
        # No coding selected: the keys keep their usual meaning (extend the selection).
        if edge in ("start", "end") and grow:
            op = QTextCursor.MoveOperation
            moves = {
                ("start", False): op.Left, ("end", False): op.Right,
                ("start", True): op.PreviousWord, ("end", True): op.NextWord,
            }  # fmt: skip
            c = view.textCursor()
            c.movePosition(moves[(edge, by_word)], QTextCursor.MoveMode.KeepAnchor)
            view.setTextCursor(c)
        return
    start, end = span.start, span.end
    if by_word:
        if edge == "start":
            start = view.word_step_cp(start, "start", grow)
        else:
            end = view.word_step_cp(end, "end", grow)
    elif edge == "start":
        start = view.step_cp(start, forward=not grow)
    else:
        end = view.step_cp(end, forward=grow)
    if end <= start or (start, end) == (span.start, span.end):
        return
    coding_id = span.id
    label = coding_label(window, coding_id)
    if window.push(
        f"Resize coding {label}",
        lambda p: p.resize_coding(coding_id, start, end),
        merge_id=RESIZE_MERGE_ID,
        merge_key=coding_id,
    ):
        view.active_coding_id = coding_id
        view.select_cp(start, end)


for _id, _title, _key, _edge, _grow, _order in (
    ("grow_start_word", "Grow start (one word earlier)", "Ctrl+Shift+Left", "start", True, 5),
    ("grow_end_word", "Grow end (one word later)", "Ctrl+Shift+Right", "end", True, 6),
    ("shrink_start_word", "Shrink start (one word later)", "Ctrl+Alt+Right", "start", False, 7),
    ("shrink_end_word", "Shrink end (one word earlier)", "Ctrl+Alt+Left", "end", False, 8),
):
    action(
        f"coding.{_id}", "Code/Resize coding", _title, shortcut=_key,
        enabled_when="document", order=_order,
    )(lambda window, e=_edge, g=_grow: resize(window, e, g, by_word=True))  # fmt: skip


@action(
    "coding.grow_start",
    "Code/Resize coding",
    "Grow start (one character earlier)",
    shortcut="Shift+Left",
    enabled_when="document",
    order=1,
)
def grow_start(window: MainWindow) -> None:
    resize(window, "start", grow=True)


@action(
    "coding.grow_end",
    "Code/Resize coding",
    "Grow end (one character later)",
    shortcut="Shift+Right",
    enabled_when="document",
    order=2,
)
def grow_end(window: MainWindow) -> None:
    resize(window, "end", grow=True)


@action(
    "coding.shrink_start",
    "Code/Resize coding",
    "Shrink start (one character later)",
    shortcut="Alt+Right",
    enabled_when="document",
    order=3,
)
def shrink_start(window: MainWindow) -> None:
    resize(window, "start", grow=False)


@action(
    "coding.shrink_end",
    "Code/Resize coding",
    "Shrink end (one character earlier)",
    shortcut="Alt+Left",
    enabled_when="document",
    order=4,
)
def shrink_end(window: MainWindow) -> None:
    resize(window, "end", grow=False)


def _step_coding(window: MainWindow, forward: bool) -> None:
    """Select the next/previous coded passage (by start) from the selected coding or caret."""
    from bisect import bisect_left, bisect_right

    view = window.view
    order = view.span_order  # (utf16 start, utf16 end, id), sorted
    if not order:
        return
    current = view.spans.get(view.active_coding_id) if view.active_coding_id is not None else None
    if current is not None:
        key = current.key
    else:
        key = (view.pm.to_utf16(view.selection_cp()[0]), -1, -1)
    if forward:
        i = bisect_right(order, key)
        i = i if i < len(order) else 0
    else:
        i = bisect_left(order, key) - 1
        i = i if i >= 0 else len(order) - 1
    target = order[i]
    view.stripes.select_coding(target[2])
    view.centerCursor()
    view.setFocus()
    screen_reader.announce_coding(window, target[2], f"coded passage {i + 1} of {len(order)}")


@action(
    "coding.next",
    "Code",
    "Next coded passage",
    shortcut="Alt+Down",
    enabled_when="document",
    order=300,
)
def next_coding(window: MainWindow) -> None:
    _step_coding(window, True)


@action(
    "coding.previous",
    "Code",
    "Previous coded passage",
    shortcut="Alt+Up",
    enabled_when="document",
    order=301,
)
def previous_coding(window: MainWindow) -> None:
    _step_coding(window, False)


# ---------------------------------------------------------------------------- menus


def fill_text_menu(window: MainWindow, menu: QMenu, inside: list[int]) -> None:
    """Right-click in the text: code with a recent code, new code, in vivo; and the codings here."""
    view = window.view
    has_sel = view.has_selection()
    recent = menu.addMenu("Code with &recent code")
    recent.setEnabled(has_sel and bool(window.recent_codes))
    for code_id in window.recent_codes:
        style = view.styles.get(code_id)
        if style is None:
            continue
        recent.addAction(_swatch(style.line), style.path).triggered.connect(
            lambda _=False, c=code_id: apply_code(window, c)
        )
    for action_id in ("coding.last", "coding.new_code", "coding.in_vivo", "edit.copy_passage"):
        act = window.actions_by_id.get(action_id)
        if act is not None:
            menu.addAction(act)
    similar = window.actions_by_id.get("explore.similar")
    if similar is not None:
        menu.addAction(similar)
    for coding_id in inside[:6]:
        span = view.spans.get(coding_id)
        style = view.styles.get(span.code_id) if span else None
        if span is None or style is None:
            continue
        coder = span.coder or "unknown coder"
        sub = menu.addMenu(_swatch(style.line), f"Coding '{style.path}' — {coder}")
        fill_coding_menu(window, sub, coding_id)


def fill_coding_menu(window: MainWindow, menu: QMenu, coding_id: int) -> None:
    """Menu for one coding: select, remove, recode (submenu of codes), memo."""
    view = window.view
    label = coding_label(window, coding_id).replace("&", "&&")
    menu.addAction(f"&Select passage of {label}").triggered.connect(
        lambda: view.stripes.select_coding(coding_id)
    )
    menu.addAction(f"&Remove coding {label}").triggered.connect(
        lambda: remove_coding(window, coding_id)
    )
    recode_menu = menu.addMenu(f"Re&code {label} as")
    span = view.spans.get(coding_id)
    if window.project is not None:
        for code in window.project.codes():
            act = recode_menu.addAction(_swatch(code.color), "    " * code.depth + code.name)
            act.setEnabled(code.codable and (span is None or code.id != span.code_id))
            act.triggered.connect(lambda _=False, c=code.id: recode(window, coding_id, c))
    menu.addAction(f"&Memo on coding {label}…").triggered.connect(
        lambda: edit_memo(window, coding_id)
    )


def _swatch(color: QColor | str) -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(QColor(color))
    return QIcon(pix)
