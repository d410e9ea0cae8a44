"""Read an application's accessibility tree over AT-SPI, as a screen reader does.

Run by the Python that has pyatspi (Debian's python3-pyatspi lives in the system Python, not
in a virtual environment), with the display and D-Bus session of the application:

    python3 atspi_reader.py tree APP      every object of APP as JSON lines
    python3 atspi_reader.py listen APP    events of APP as JSON lines, until stdin closes

Each line is one JSON object. ``tree`` gives path, role, name, description, states, and for
objects with a text interface the text, caret, selection and the attributes at the caret.
``listen`` prints {"ready": true} once listening, then announcements, notifications shown,
description changes and caret moves.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

import pyatspi  # type: ignore[import-not-found]

TEXT_LIMIT = 200_000


def emit(item: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def find_app(name: str) -> Any:
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        if app is not None and app.name == name:
            return app
    return None


def text_of(acc: Any) -> dict[str, Any]:
    try:
        text = acc.queryText()
    except NotImplementedError:
        return {}
    count = text.characterCount
    caret = text.caretOffset
    attrs, a, b = text.getAttributes(max(caret, 0))
    selections = [list(text.getSelection(i)) for i in range(text.getNSelections())]
    return {
        "chars": count,
        "text": text.getText(0, min(count, TEXT_LIMIT)),
        "caret": caret,
        "selections": selections,
        "attributes": attrs,
        "attribute_run": [a, b],
    }


def tree(app: Any) -> None:
    todo = [(app, "")]
    while todo:
        acc, parent = todo.pop()
        try:
            role = acc.getRoleName()
            name = acc.name or ""
            path = f"{parent}/{name or '[' + role + ']'}"
            states = sorted(pyatspi.stateToString(s) for s in acc.getState().getStates())
            item = {"path": path, "role": role, "name": name, "description": acc.description,
                    "states": states, **text_of(acc)}  # fmt: skip
            count = acc.childCount
        except Exception as e:  # an object that went away while read
            emit({"path": f"{parent}/?", "error": str(e)})
            continue
        emit(item)
        for i in range(count - 1, -1, -1):
            child = acc.getChildAtIndex(i)
            if child is not None:
                todo.append((child, path))


def listen(name: str) -> None:
    def on_event(event: Any) -> None:
        try:
            source = event.source
            if source is None or source.getApplication().name != name:
                return
            item = {"type": event.type, "role": source.getRoleName(), "name": source.name}
            if event.type.startswith("object:announcement"):
                item["message"] = str(event.any_data)
            elif event.type.startswith("object:property-change:accessible-description"):
                item["description"] = source.description
            elif event.type.startswith("object:text-caret-moved"):
                item["caret"] = event.detail1
            elif event.type.startswith("object:state-changed:showing"):
                item["showing"] = bool(event.detail1)
            emit(item)
        except Exception as e:
            emit({"error": str(e)})

    # Name changes too, as every screen reader listens for them: Qt sends only the events
    # someone listens for, and the client's cache of names follows them.
    kinds = ("object:announcement", "object:property-change:accessible-description",
             "object:property-change:accessible-name", "object:text-caret-moved",
             "object:state-changed:showing")  # fmt: skip
    pyatspi.Registry.registerEventListener(on_event, *kinds)

    def stop_when_stdin_closes() -> None:
        sys.stdin.read()
        pyatspi.Registry.stop()

    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    emit({"ready": True})
    pyatspi.Registry.start()


def main() -> int:
    command, name = sys.argv[1], sys.argv[2]
    if command == "tree":
        app = find_app(name)
        if app is None:
            emit({"error": f"no application named {name}"})
            return 1
        tree(app)
    elif command == "listen":
        listen(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
