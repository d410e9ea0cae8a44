"""One writer at a time: the project lock, stale locks, and the cloud/network folder warning."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from coder.cli import main
from coder.core import lock, settings
from coder.core.errors import CoderError, ProjectFileError, ProjectLocked
from coder.core.project import Project

HOLDER = textwrap.dedent(
    """
    import os, sys
    from coder.core.project import Project
    p = Project.open(sys.argv[1])
    print("locked", flush=True)
    if sys.argv[2] == "crash":
        os._exit(0)          # dies without closing: the lock file stays behind
    sys.stdin.readline()     # hold the project until told to stop
    p.close()
    print("closed", flush=True)
    """
)


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "study.coder"
    with Project.create(path) as p:
        p.add_document("Interview 1", "Alice: hello\nBob: hi")
    return path


def lock_info(path: Path) -> lock.LockInfo:
    """Who holds the project's lock (there must be a lock file)."""
    info = lock.read_lock(path)
    assert info is not None
    return info


def _holder(path: Path, mode: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_writer_in_the_same_process_is_refused_with_who_and_since(
    project_path: Path,
) -> None:
    settings.set_value("coder_name", "alice")
    with Project.open(project_path):
        with pytest.raises(ProjectLocked) as err:
            Project.open(project_path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("study.coder is open in Coder by alice on ")
    assert socket.gethostname() in message and " since " in message
    assert "read-only" in message
    assert err.value.info.pid == os.getpid()


def test_lock_file_records_pid_host_user_and_start(project_path: Path) -> None:
    with Project.open(project_path):
        data = json.loads(lock.lock_path(project_path).read_text(encoding="utf-8"))
        assert data["pid"] == os.getpid()
        assert data["host"] == socket.gethostname()
        assert data["user"] == settings.coder_name()
        assert data["started"]
    assert not lock.lock_path(project_path).exists(), "closing releases the lock"


def test_created_project_is_locked_until_closed(tmp_path: Path) -> None:
    path = tmp_path / "new.coder"
    p = Project.create(path)
    with pytest.raises(ProjectLocked):
        Project.open(path)
    p.close()
    Project.open(path).close()


def test_read_only_opens_take_no_lock_and_work_beside_a_writer(project_path: Path) -> None:
    with Project.open(project_path) as writer:
        writer.add_code("Trust")
        with Project.open(project_path, read_only=True) as reader:
            assert [c.name for c in reader.codes()] == ["Trust"]
            with pytest.raises(CoderError):
                reader.add_code("Other")
    with Project.open(project_path, read_only=True):
        assert not lock.lock_path(project_path).exists()
        Project.open(project_path).close()  # a reader does not block a writer


def test_live_lock_of_another_process_is_respected(project_path: Path) -> None:
    proc = _holder(project_path, "hold")
    try:
        with pytest.raises(ProjectLocked) as err:
            Project.open(project_path)
        assert err.value.info.pid == proc.pid
        with Project.open(project_path, read_only=True) as reader:
            assert len(reader.documents()) == 1
    finally:
        assert proc.stdin is not None
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait(30)
    with Project.open(project_path) as p:
        assert lock_info(project_path).pid == os.getpid()
        assert len(p.documents()) == 1


def test_stale_lock_of_a_crashed_process_is_taken_over(project_path: Path) -> None:
    proc = _holder(project_path, "crash")
    proc.wait(30)
    stale = lock.read_lock(project_path)
    assert stale is not None and stale.pid == proc.pid, "the crash left its lock file"
    with Project.open(project_path) as p:
        assert lock_info(project_path).pid == os.getpid()
        assert p.documents()[0].name == "Interview 1"


def test_lock_file_without_os_lock_and_dead_pid_is_stale(project_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    info = lock.LockInfo(int(dead.stdout), socket.gethostname(), "bob", "2020-01-01T10:00:00+00:00")
    lock.lock_path(project_path).write_bytes(info.to_json())
    with Project.open(project_path):
        assert lock_info(project_path).pid == os.getpid()


def test_garbage_lock_file_is_taken_over(project_path: Path) -> None:
    lock.lock_path(project_path).write_bytes(b"\x00\xff not json")
    with Project.open(project_path):
        assert lock_info(project_path).pid == os.getpid()


def test_lock_held_by_a_dead_process_of_this_host_is_replaced() -> None:
    """Even when the OS lock is still held (inherited by a child), a dead recorded pid is stale."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        project = Path(d) / "x.coder"
        project.touch()
        fd = os.open(lock.lock_path(project), os.O_RDWR | os.O_CREAT)
        assert lock._os_lock(fd) is True
        dead = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        )
        info = lock.LockInfo(int(dead.stdout), socket.gethostname(), "bob", "2020-01-01T10:00:00")
        os.write(fd, info.to_json())
        try:
            held = lock.acquire(project)
            assert lock_info(project).pid == os.getpid()
            held.release()
        finally:
            os.close(fd)


def test_failed_open_leaves_no_lock(tmp_path: Path) -> None:
    path = tmp_path / "bad.coder"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(ProjectFileError):
        Project.open(path)
    assert not lock.lock_path(path).exists()


def test_cli_write_refuses_a_locked_project_but_reads_work(
    project_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Project.open(project_path):
        assert main(["code", "add", str(project_path), "Trust"]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("coder: error: study.coder is open in Coder by ")
        assert len(err.splitlines()) == 1
        assert main(["documents", str(project_path), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)[0]["name"] == "Interview 1"
    assert main(["code", "add", str(project_path), "Trust"]) == 0


@pytest.mark.parametrize(
    "folder, service",
    [
        ("/home/ana/Dropbox/thesis", "Dropbox"),
        ("/home/ana/Dropbox (Uni)/thesis", "Dropbox"),
        ("C:/Users/ana/OneDrive - University/thesis", "OneDrive"),
        ("/Users/ana/Google Drive/My Drive", "Google Drive"),
        ("/Users/ana/Library/Mobile Documents/com~apple~CloudDocs", "iCloud"),
        ("/Users/ana/iCloud Drive/thesis", "iCloud"),
    ],
)
def test_cloud_folders_get_a_warning(folder: str, service: str) -> None:
    message = lock.cloud_warning(Path(folder) / "study.coder")
    assert message is not None
    assert service in message and "study.coder" in message and "local folder" in message


def test_local_folder_gets_no_warning(tmp_path: Path) -> None:
    if lock.network_filesystem(tmp_path):
        pytest.skip("the temporary folder is on a network file system")
    assert lock.cloud_warning(tmp_path / "study.coder") is None
    assert lock.cloud_warning(tmp_path / "dropboxes-notes" / "x.coder") is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/mounts")
def test_network_file_systems_are_recognised_from_the_mount_table(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/sda1 / ext4 rw 0 0\n"
        "server:/export /mnt/lab nfs4 rw 0 0\n"
        "//nas/share /mnt/nas\\040drive cifs rw 0 0\n"
        "ana@host:/data /home/ana/remote fuse.sshfs rw 0 0\n"
        "/dev/sdb1 /mnt/lab/local ext4 rw 0 0\n"
    )
    fs = lock.network_filesystem
    assert fs("/mnt/lab/x.coder", str(mounts)) == "nfs4"
    assert fs("/mnt/nas drive/x.coder", str(mounts)) == "cifs"
    assert fs("/home/ana/remote/p/x.coder", str(mounts)) == "fuse.sshfs"
    assert fs("/mnt/lab/local/x.coder", str(mounts)) is None  # a local disk mounted inside
    assert fs("/home/ana/x.coder", str(mounts)) is None
    assert fs("/mnt/labs/x.coder", str(mounts)) is None  # a prefix is not a parent


RACER = textwrap.dedent(
    """
    import sys
    from coder.core.errors import ProjectLocked
    from coder.core.project import Project
    print("ready", flush=True)
    sys.stdin.readline()            # everyone starts together
    try:
        p = Project.open(sys.argv[1])
    except ProjectLocked:
        print("locked", flush=True)
    else:
        print("got", flush=True)
        sys.stdin.readline()        # hold it until every racer has answered
        p.close()
    """
)


def test_many_processes_racing_for_a_project_get_one_writer(project_path: Path) -> None:
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(project_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        for _ in range(5)
    ]
    try:
        for r in racers:
            assert r.stdout is not None and r.stdout.readline().strip() == "ready"
        for r in racers:
            assert r.stdin is not None
            r.stdin.write("go\n")
            r.stdin.flush()
        results = [r.stdout.readline().strip() for r in racers if r.stdout is not None]
        assert sorted(results) == ["got", "locked", "locked", "locked", "locked"], results
    finally:
        for r in racers:
            r.communicate("stop\n", timeout=60)
    assert not lock.lock_path(project_path).exists()


def test_lock_file_from_another_computer_is_live_while_it_is_touched(project_path: Path) -> None:
    """Network drives may not pass OS locks on: a fresh foreign lock file is respected."""
    info = lock.LockInfo(4242, "lab-pc-7", "bob", "2026-01-01T10:42:00+00:00")
    path = lock.lock_path(project_path)
    path.write_bytes(info.to_json())
    with pytest.raises(ProjectLocked, match="by bob on lab-pc-7"):
        Project.open(project_path)
    old = path.stat().st_mtime - lock.FOREIGN_STALE_SECONDS - 60
    os.utime(path, (old, old))
    with Project.open(project_path):
        assert lock_info(project_path).host == socket.gethostname()


def test_holder_keeps_touching_its_lock_file(
    project_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setattr(lock, "HEARTBEAT_SECONDS", 0.02)
    held = lock.acquire(project_path)
    try:
        os.utime(held.path, (1000, 1000))
        deadline = time.monotonic() + 10
        while held.path.stat().st_mtime == 1000 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert held.path.stat().st_mtime > 1000
    finally:
        held.release()
    assert not held.path.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_symlinked_path_shares_the_projects_lock(project_path: Path, tmp_path: Path) -> None:
    link = tmp_path / "elsewhere" / "alias.coder"
    link.parent.mkdir()
    link.symlink_to(project_path)
    with Project.open(project_path):
        with pytest.raises(ProjectLocked):
            Project.open(link)
    with Project.open(link):
        assert lock.lock_path(link) == lock.lock_path(project_path)
        with pytest.raises(ProjectLocked):
            Project.open(project_path)
