"""A 1366 × 768 laptop screen on a real X server: on first start the text has at least 55% of
the window's width, every document and code name of the demo is readable (in full or in its
tooltip), and every window and dialog fits 1366 × 728 with its title bar."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.xserver import Desktop, xvfb

pytestmark = pytest.mark.x11


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    data = tmp_path_factory.mktemp("laptop-user")
    (data / "settings.json").write_text(json.dumps({"coder_name": "Maria"}), encoding="utf-8")
    with xvfb(1366, 768) as display:
        desk = Desktop(display, data)
        out = subprocess.run(
            [sys.executable, "-m", "tests.ui.laptop_probe"],
            env=desk.env, capture_output=True, text=True, timeout=600, check=False,
            cwd=Path(__file__).resolve().parents[2],
        )  # fmt: skip
    assert out.returncode == 0, out.stderr
    yield json.loads(out.stdout.strip().splitlines()[-1])


def test_the_text_has_most_of_the_width_on_first_start(measured: dict) -> None:
    assert measured["window"][0] == 1366  # a laptop-sized screen: the window fills it
    assert measured["text"] / measured["window"][0] >= 0.55


def test_every_name_is_readable(measured: dict) -> None:
    assert measured["documents_cut"] == [] and measured["codes_cut"] == []


def test_every_window_fits_the_screen(measured: dict) -> None:
    titles = {w["title"] for w in measured["windows"]}
    assert {"Cases sheet", "Coder user guide", "Keyboard shortcuts"} <= titles
    assert len(measured["windows"]) >= 8
    for w in measured["windows"]:
        assert w["width"] <= 1366 and w["height"] <= 728 - 30, w
        assert w["min_width"] <= 1366 and w["min_height"] <= 728 - 30, w
