"""Crash safety: a process killed with SIGKILL at random moments loses nothing it reported done.

A child process edits the project and prints each finished edit (flushed) to its stdout; the
test kills it at a random moment, then opens the project: the file passes ``integrity_check``,
every edit the child reported is there, and nothing is half-written. Each test kills a fixed
number of children (the same work on a busy machine as on an idle one).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from coder.core.project import Project

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

CODING_KILLS = 24  # children killed while coding
IMPORT_KILLS = 16  # children killed while importing

CODING_CHILD = textwrap.dedent(
    """
    import sys, uuid, random
    from coder.core.project import Project
    p = Project.open(sys.argv[1])
    doc = p.find_document("Interview").id
    codes = [c.id for c in p.codes()]
    n = len(p.document_text(doc))
    rnd = random.Random(int(sys.argv[2]))
    print("ready", flush=True)
    while True:
        start = rnd.randrange(0, n - 50)
        guid = str(uuid.uuid4())
        changes = p.apply_code(doc, rnd.choice(codes), start, start + rnd.randrange(1, 50),
                               guid=guid)
        if rnd.random() < 0.2:  # other edits in between: memos, removing a coding
            p.set_coding_memo(changes.created("codings")[0], "memo " + guid)
        print(guid, flush=True)
    """
)

IMPORT_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from coder.core.project import Project
    p = Project.open(sys.argv[1])
    files = sorted(Path(sys.argv[2]).glob("*.txt"))
    print("ready", flush=True)
    def progress(done, total, path):
        print(Path(path).stem, flush=True)   # called after the file's transaction committed
        return True
    p.import_files(files, case_per_document=True, progress=progress)
    print("finished", flush=True)
    """
)


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _run_and_kill(args: list[str], lines_before_kill: int, extra_delay: float) -> list[str]:
    """Start the child, let it report some edits, SIGKILL it; return every complete line."""
    proc = subprocess.Popen(
        [sys.executable, "-c", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    lines: list[str] = []
    try:
        first = proc.stdout.readline().decode().strip()
        assert first == "ready", proc.stderr.read().decode()
        while len(lines) < lines_before_kill:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.decode())
        time.sleep(extra_delay)  # land anywhere: inside a transaction, between two...
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.read().decode()
        proc.wait(10)
    assert proc.returncode in (-signal.SIGKILL, 0), proc.stderr.read().decode()
    text = "".join(lines) + rest
    complete = text.split("\n")[:-1]  # a last line without its newline was cut by the kill
    return [line.strip() for line in complete if line.strip()]


def test_codings_reported_done_survive_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "crash.coder"
    with Project.create(path) as p:
        p.add_document("Interview", "Ana: " + "we talked about trust and fear. " * 400)
        for name in ("Trust", "Fear", "Hope"):
            p.add_code(name)
    rnd = random.Random(20261122)
    reported: set[str] = set()
    for trial in range(1, CODING_KILLS + 1):
        lines = _run_and_kill(
            [CODING_CHILD, str(path), str(trial)], rnd.randrange(0, 60), rnd.random() * 0.03
        )
        done = [line for line in lines if line != "ready"]
        reported.update(done)
        assert _integrity(path) == "ok", f"trial {trial}"
        with Project.open(path) as p:  # takes over the killed child's stale lock
            present = {r[0] for r in p.db.execute("SELECT guid FROM codings")}
            missing = reported - present
            assert not missing, f"trial {trial}: {len(missing)} reported codings lost"
            bad = p.db.execute(
                'SELECT count(*) FROM codings_at WHERE start < 0 OR "end" <= start'
            ).fetchone()[0]
            assert bad == 0
            fk = p.db.execute("PRAGMA foreign_key_check").fetchall()
            assert fk == []
    assert len(reported) > CODING_KILLS, "the children really coded between the kills"


def test_import_killed_half_way_leaves_no_half_document(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    turns_per_doc = 12
    for i in range(60):
        lines = [
            f"{'Interviewer' if t % 2 == 0 else f'Person{i}'}: answer {t} " + "text " * 300
            for t in range(turns_per_doc)
        ]
        (sources / f"doc{i:03d}.txt").write_text("\n".join(lines), encoding="utf-8")
    rnd = random.Random(7)
    for trial in range(1, IMPORT_KILLS + 1):
        path = tmp_path / f"import{trial}.coder"
        Project.create(path).close()
        lines = _run_and_kill(
            [IMPORT_CHILD, str(path), str(sources)], rnd.randrange(0, 40), rnd.random() * 0.05
        )
        reported = {line for line in lines if line.startswith("doc")}
        assert _integrity(path) == "ok", f"trial {trial}"
        with Project.open(path) as p:
            docs = p.documents()
            names = {d.name for d in docs}
            assert reported <= names, f"trial {trial}: reported imports lost"
            for d in docs:
                turns = p.turns(d.id)
                assert len(turns) == turns_per_doc, f"trial {trial}: {d.name} is half-imported"
                assert d.case == d.name, f"trial {trial}: {d.name} lost its case"
                assert len(p.document_text(d.id)) == d.characters > 0
            fts = p.db.execute("SELECT count(*) FROM documents_fts").fetchone()[0]
            assert fts == len(docs)
            cases = p.db.execute("SELECT count(*) FROM cases").fetchone()[0]
            assert cases == len(docs), "no case without its document"
            assert p.db.execute("PRAGMA foreign_key_check").fetchall() == []
        path.unlink()
        for leftover in tmp_path.glob(f"import{trial}.*"):
            if leftover.is_dir():
                for f in leftover.iterdir():
                    f.unlink()
                leftover.rmdir()
