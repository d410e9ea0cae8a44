"""Team work: merge projects, agreement, coders, preferences (coder name), coder filters.

Menus: File → Merge project…; Edit → Preferences…; Team → Agreement…, Coders…, My coder
name…; View → Coders → All coders / Only one coder… / Compare two coders….
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coder.ui.actions import action
from coder.ui.views import common

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow


# --------------------------------------------------------------------------- coder filter


def set_coder_filter(
    window: MainWindow, coder_ids: set[int] | None, compare: tuple[int, int] | None = None
) -> None:
    """Show all coders (None), only some, or compare two (stripes per coder) in the text."""
    ids = None if coder_ids is None else set(coder_ids)
    window.view.set_coder_filter(ids, compare)
    window.coder_filter = (ids, compare)
    project = window.project
    names = {c.id: c.name for c in project.coders()} if project is not None else {}
    mode = ["Read-only"] if project is not None and project.read_only else []
    if compare is not None:
        first, second = names.get(compare[0], "?"), names.get(compare[1], "?")
        message = f"Comparing {first} and {second}"
        # Always on screen while comparing: whose stripes are where.
        mode.append(f"Stripes: {first} (left) │ {second} (right)")
    elif ids is None:
        message = "Showing the codings of all coders"
    else:
        message = "Showing only the codings of " + ", ".join(sorted(names.get(i, "?") for i in ids))
    window.mode_label.setText(" · ".join(mode))
    window.statusBar().showMessage(message, 6000)


def _coder_names(window: MainWindow) -> list[str]:
    assert window.project is not None
    return [c.name for c in window.project.coders()]


@action(
    "view.coders_all",
    "View/Coders",
    "&All coders",
    enabled_when="project",
    order=10,
    status_tip="Show every coder's codings",
)
def show_all_coders(window: MainWindow) -> None:
    set_coder_filter(window, None)


@action(
    "view.coders_only",
    "View/Coders",
    "&Only one coder…",
    enabled_when="project",
    order=20,
    status_tip="Show the codings of one coder only",
)
def show_one_coder(window: MainWindow) -> None:
    names = _coder_names(window)
    if not names:
        window.show_error("Nobody has coded in this project yet.")
        return
    name = common.ask_choice(window, "Only one coder", "Show the codings of:", names)
    if name is None:
        return
    assert window.project is not None
    set_coder_filter(window, {window.project.find_coder(name).id})


@action(
    "view.coders_compare",
    "View/Coders",
    "&Compare two coders…",
    enabled_when="project",
    order=30,
    status_tip="Show two coders' codings side by side in the stripes",
)
def compare_two_coders(window: MainWindow) -> None:
    names = _coder_names(window)
    if len(names) < 2:
        window.show_error("Comparing needs codings by two coders: merge a colleague's project.")
        return
    first = common.ask_choice(window, "Compare two coders", "First coder:", names)
    if first is None:
        return
    rest = [n for n in names if n != first]
    second = common.ask_choice(window, "Compare two coders", f"Compare {first} with:", rest)
    if second is None:
        return
    assert window.project is not None
    a, b = window.project.find_coder(first).id, window.project.find_coder(second).id
    set_coder_filter(window, {a, b}, compare=(a, b))


# --------------------------------------------------------------------------- merge


@action(
    "file.merge",
    "File",
    "&Merge project…",
    enabled_when="project",
    order=130,
    status_tip="Bring a team member's copy of this project in",
)
def merge_project(window: MainWindow) -> None:
    from coder.ui.dialogs.merge_dialog import MergeDialog

    dialog = MergeDialog(window)
    dialog.exec()


# --------------------------------------------------------------------------- agreement


@action(
    "team.agreement",
    "Team",
    "&Agreement…",
    enabled_when="project",
    order=10,
    status_tip="Inter-coder agreement per code, and where coders disagree",
)
def agreement_window(window: MainWindow) -> None:
    from PySide6.QtCore import QTimer

    from coder.ui.views.agreement_window import AgreementWindow

    existing = window.agreement_window
    if existing is not None and existing.window_.project is window.project:
        existing.read_choices()
        common.bring_forward(existing)
        return
    if existing is not None:
        existing.close()
    # The window first; on a later turn of the event loop, the coders and documents are read
    # off the GUI thread, then the figures computed at once for the usual two-coder case.
    window.agreement_window = opened = AgreementWindow(window, read=False)
    opened.show()
    opened.status.setText("Reading the coders…")
    QTimer.singleShot(1, opened, lambda: opened.read_choices(then=opened.compute_if_two))


@action(
    "team.coders",
    "Team",
    "&Coders…",
    enabled_when="project",
    order=20,
    status_tip="Who has coded in this project, and how much",
)
def coders_overview(window: MainWindow) -> None:
    from coder.core import intercoder

    assert window.project is not None
    rows = intercoder.coder_summaries(window.project)
    if not rows:
        window.show_info("Nobody has coded in this project yet.")
        return
    lines = [
        f"{r.name}: {r.codings} coding{'s' if r.codings != 1 else ''} in {r.documents} "
        f"document{'s' if r.documents != 1 else ''}, {r.codes} code{'s' if r.codes != 1 else ''}"
        for r in rows
    ]
    window.show_info(f"{len(rows)} coder{'s' if len(rows) != 1 else ''}:\n\n" + "\n".join(lines))


# --------------------------------------------------------------------------- preferences


@action(
    "edit.preferences",
    "Edit",
    "&Preferences…",
    shortcut="Ctrl+,",
    enabled_when="always",
    order=900,
    status_tip="Your coder name and backups",
)
def preferences(window: MainWindow) -> None:
    from coder.ui.dialogs.preferences import PreferencesDialog

    PreferencesDialog(window).exec()


@action(
    "team.coder_name",
    "Team",
    "My coder &name…",
    enabled_when="always",
    order=100,
    status_tip="The name recorded with every coding you make",
)
def my_coder_name(window: MainWindow) -> None:
    preferences(window)
