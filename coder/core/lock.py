"""One writer at a time: a lock file beside the project, held with an OS advisory lock.

``<project>.lock`` holds JSON ``{pid, host, user, started}`` so that a second opener can say
who has the project open. The file alone would outlive a crash, so the holder also keeps an
OS-level lock on it (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows) for the project's
lifetime: when that lock can be taken, its holder is gone and the lock file is stale. Some
network drives do not pass OS locks between computers, so the holder also touches the file
every minute, and a lock file written by another computer counts as live until it has gone
untouched for ten minutes.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import json
import os
import re
import socket
import stat
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from coder.core import settings
from coder.core.errors import ProjectLocked, ProjectNotWritable, file_reason

LOCK_SUFFIX = ".lock"
# The holder touches its lock file this often; a lock file from another computer untouched
# for FOREIGN_STALE_SECONDS belongs to a Coder that is gone.
HEARTBEAT_SECONDS = 60.0
FOREIGN_STALE_SECONDS = 10 * 60.0
# Windows locks byte ranges (mandatory); lock one far past the JSON so others can still read it.
_WIN_LOCK_OFFSET = 0x7FFF0000


@dataclass(frozen=True)
class LockInfo:
    """Who holds a project: process id, host name, user name, ISO time it was opened."""

    pid: int
    host: str
    user: str
    started: str

    @classmethod
    def mine(cls) -> LockInfo:
        started = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
        return cls(os.getpid(), socket.gethostname(), settings.coder_name(), started)

    @classmethod
    def parse(cls, data: bytes) -> LockInfo | None:
        try:
            value = json.loads(data.decode("utf-8"))
            return cls(
                int(value["pid"]), str(value["host"]), str(value["user"]), str(value["started"])
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def since(self) -> str:
        """The opening time for people: "10:42" today, else "3 Mar 10:42"."""
        try:
            when = _dt.datetime.fromisoformat(self.started).astimezone()
        except ValueError:
            return self.started or "an unknown time"
        if when.date() == _dt.datetime.now().astimezone().date():
            return when.strftime("%H:%M")
        return f"{when.day} {when.strftime('%b %H:%M')}"

    def to_json(self) -> bytes:
        data = {"pid": self.pid, "host": self.host, "user": self.user, "started": self.started}
        return json.dumps(data).encode("utf-8")


def lock_path(project_path: str | Path) -> Path:
    """``<project>.lock`` beside the real file (a symlinked path shares the target's lock)."""
    project_path = Path(os.path.realpath(project_path))
    return project_path.with_name(project_path.name + LOCK_SUFFIX)


def locked_message(project_path: Path, info: LockInfo | None) -> str:
    if info is None:
        who = "another Coder (being opened right now)"
        return f"{project_path.name} is open in {who}; open it read-only or try again"
    return (
        f"{project_path.name} is open in Coder by {info.user} on {info.host} since {info.since()}; "
        "open it read-only or ask them to close it"
    )


def _raise_locked(project_path: Path, info: LockInfo | None) -> None:
    err = ProjectLocked(locked_message(project_path, info))
    err.info = info  # for the window's read-only or cancel choice
    err.path = project_path
    raise err


# Never through a link, never blocking on a pipe: a lock path is ours only as a regular file.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _open_existing(path: Path, flags: int) -> int:
    """Open an existing lock file without following a link; OSError (ELOOP for a link,
    EISDIR for a folder, EINVAL for a pipe or device) when it is not a regular file."""
    if not _NOFOLLOW and os.path.islink(path):  # Windows: no O_NOFOLLOW
        raise OSError(errno.ELOOP, "it is a symbolic link", str(path))
    fd = os.open(path, flags | _NOFOLLOW)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "it is not a regular file", str(path))
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_lock(project_path: str | Path) -> LockInfo | None:
    """The lock file's holder (live or stale), or None when there is no readable lock file."""
    try:
        fd = _open_existing(lock_path(project_path), os.O_RDONLY)
    except OSError:
        return None
    try:
        return LockInfo.parse(_read_fd(fd))
    except OSError:
        return None
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ok = ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return bool(ok) and code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _os_lock(fd: int) -> bool | None:
    """Take the OS lock without waiting: True taken, False held by another, None unsupported."""
    try:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as e:
        if isinstance(e, BlockingIOError) or e.errno in (errno.EAGAIN, errno.EACCES, errno.EDEADLK):
            return False
        return None  # e.g. ENOLCK / EOPNOTSUPP on some network file systems


def _os_unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        if sys.platform == "win32":
            import msvcrt

            os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (not deleted or replaced meanwhile,
    by a link to it or to anything else)."""
    try:
        a, b = os.fstat(fd), os.lstat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _read_fd(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks: list[bytes] = []
    while True:
        chunk = os.read(fd, 4096)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        if sum(map(len, chunks)) > 65536:
            return b""


def _write_fd(fd: int, data: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    with contextlib.suppress(OSError):
        os.fsync(fd)


def _heartbeat(path: Path, fd: int, stop: threading.Event, every: float) -> None:
    """Touch the lock file now and then: proof of life where OS locks do not cross machines."""
    while not stop.wait(every):
        with contextlib.suppress(OSError):
            if _same_file(fd, path):
                os.utime(fd if os.utime in os.supports_fd else path)


class ProjectLock:
    """A held project lock; :meth:`release` it when the project closes."""

    def __init__(self, path: Path, fd: int, info: LockInfo) -> None:
        self.path = path
        self.info = info
        self._fd: int | None = fd
        self._stop = threading.Event()
        # The thread holds no reference to self, so a forgotten lock is still collected.
        threading.Thread(
            target=_heartbeat, args=(path, fd, self._stop, HEARTBEAT_SECONDS),
            name=f"coder-lock-{path.name}", daemon=True,
        ).start()  # fmt: skip

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        self._stop.set()
        if sys.platform == "win32":
            # An open file cannot be deleted on Windows: unlock, close, then delete.
            _os_unlock(fd)
            os.close(fd)
            with contextlib.suppress(OSError):
                self.path.unlink()
            return
        # Delete while still holding the OS lock, so nobody takes over a file about to vanish
        # (a waiter that opened it meanwhile sees it is no longer the file at the path).
        if _same_file(fd, self.path):
            with contextlib.suppress(OSError):
                self.path.unlink()
        _os_unlock(fd)
        os.close(fd)

    def __del__(self) -> None:
        # A lock forgotten without close() must not outlive the object. (At interpreter exit
        # module globals may be gone already; the OS drops the lock with the process then.)
        try:
            self.release()
        except Exception:
            pass


def _not_writable(project_path: Path, path: Path, error: OSError) -> ProjectNotWritable:
    """Why the lock cannot be taken, in one line: the project can still be opened read-only."""
    if error.errno in (errno.ELOOP, errno.EISDIR, errno.EINVAL, errno.ENXIO):
        what = "a link" if error.errno == errno.ELOOP else "not a regular file"
        planted = ProjectNotWritable(
            f"{project_path.name} cannot be opened for writing: its lock file {path.name} is "
            f"{what}, not Coder's (remove it if nobody has the project open)"
        )
        planted.reason = f"its lock file {path.name} is {what}, not Coder's"
        planted.advice = "Remove that lock file if nobody has the project open, then open it again."
        return planted
    folder = path.parent
    where = {
        errno.EROFS: f"its folder {folder} is on a read-only disk",
        errno.EACCES: f"you cannot write in its folder {folder}",
        errno.EPERM: f"you cannot write in its folder {folder}",
        errno.ENOSPC: f"the disk holding {folder} is full",
        errno.EDQUOT: f"your disk quota for {folder} is used up",
    }.get(error.errno or 0, f"{file_reason(error)} in {folder}")
    error_ = ProjectNotWritable(
        f"{project_path.name} cannot be changed: {where} (open it read-only, or copy it to a "
        "folder you can write)"
    )
    error_.reason = where
    return error_


def check_writable(project_path: str | Path) -> None:
    """Raise ProjectNotWritable when the project file itself cannot be written (marked
    read-only or immutable, another user's, on a read-only disk). SQLite would open it
    read-only without a word, fail at the first edit and leave its -wal and -shm behind."""
    project_path = Path(project_path)
    try:
        fd = os.open(project_path, os.O_RDWR | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        if e.errno == errno.EROFS:
            raise _not_writable(project_path, project_path, e) from None
        if e.errno not in (errno.EACCES, errno.EPERM, errno.ETXTBSY):
            return  # anything else is for the opening itself to say
        why = {
            errno.EACCES: "the file is read-only for you",
            errno.EPERM: "the file is marked immutable",
        }.get(e.errno, file_reason(e))
        error = ProjectNotWritable(
            f"{project_path.name} cannot be changed: {why} (open it read-only, or copy it to a "
            "folder you can write)"
        )
        error.reason = why
        raise error from None
    os.close(fd)


def acquire(project_path: str | Path) -> ProjectLock:
    """Take the project's lock, taking over a stale one; raises ProjectLocked when held and
    ProjectNotWritable when no lock can be written there (a read-only disk, a full disk, a
    lock path that is a link, a folder, a pipe or a device)."""
    project_path = Path(project_path)
    path = lock_path(project_path)
    me = LockInfo.mine()
    for _attempt in range(20):
        try:
            # O_EXCL: never opens an existing path, a link included.
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            created = True
        except FileExistsError:
            try:
                fd = _open_existing(path, os.O_RDWR)
            except FileNotFoundError:
                continue  # released meanwhile: try to create it again
            except PermissionError:
                # Readable but not ours to write: cannot take it, so report its holder.
                _raise_locked(project_path, read_lock(project_path))
            except OSError as e:
                raise _not_writable(project_path, path, e) from None
            created = False
        except OSError as e:
            raise _not_writable(project_path, path, e) from None
        try:
            return _take(project_path, path, fd, created, me)
        except _Retry:
            continue
        except ProjectLocked:
            raise
        except BaseException as e:  # a full disk, a signal: leave no lock behind
            with contextlib.suppress(OSError):
                os.close(fd)
            if created:
                with contextlib.suppress(OSError):
                    path.unlink()
            if isinstance(e, OSError):
                raise _not_writable(project_path, path, e) from None
            raise
    raise ProjectLocked(f"{project_path.name} could not be locked: its lock file keeps changing")


class _Retry(Exception):
    """The lock file changed while it was being taken: start again."""


def _take(project_path: Path, path: Path, fd: int, created: bool, me: LockInfo) -> ProjectLock:
    """Take the lock open as ``fd`` unless a live holder has it. ``fd`` is closed when this
    raises _Retry or ProjectLocked; on any other error the caller closes it."""
    try:
        state = _os_lock(fd)
        if state is not False and not _same_file(fd, path):
            os.close(fd)  # deleted or replaced while we opened it
            raise _Retry
        holder = None if created else LockInfo.parse(_read_fd(fd))
        if state is False:
            # The OS lock is held. Trust it, unless its recorded holder is a dead process
            # of this host (the lock passed to a child process that outlived it, say).
            if holder and holder.host == me.host and not _pid_alive(holder.pid):
                os.close(fd)
                with contextlib.suppress(OSError):
                    path.unlink()
                raise _Retry
            os.close(fd)
            _raise_locked(project_path, holder)
        if state is True and holder is not None and holder.host != me.host:
            # Some network drives do not pass OS locks between machines: a lock file
            # written on another computer is live while its holder keeps touching it.
            age = time.time() - os.fstat(fd).st_mtime
            if age < FOREIGN_STALE_SECONDS:
                os.close(fd)
                _raise_locked(project_path, holder)
        if state is None and holder is not None:
            # No OS lock here (some network drives): fall back to the recorded process.
            if holder.host == me.host:
                stale = not _pid_alive(holder.pid)
            else:
                stale = time.time() - os.fstat(fd).st_mtime >= FOREIGN_STALE_SECONDS
            if not stale:
                os.close(fd)
                _raise_locked(project_path, holder)
        _write_fd(fd, me.to_json())
    except (_Retry, ProjectLocked):
        raise  # fd already closed
    return ProjectLock(path, fd, me)


# --------------------------------------------------------------------------- cloud folders

_CLOUD_NAMES = {
    "dropbox": "Dropbox",
    "onedrive": "OneDrive",
    "google drive": "Google Drive",
    "googledrive": "Google Drive",
    "my drive": "Google Drive",
    "icloud": "iCloud",
    "icloud drive": "iCloud",
    "iclouddrive": "iCloud",
    "mobile documents": "iCloud",
    "box sync": "Box",
    "nextcloud": "Nextcloud",
    "owncloud": "ownCloud",
    "pcloud drive": "pCloud",
    "megasync": "MEGA",
}
_NETWORK_FS = {
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "sshfs", "fuse", "fuse.sshfs",
    "fuse.rclone", "fuse.s3fs", "fuse.gvfsd-fuse", "fuse.davfs", "davfs", "afs", "ceph",
    "glusterfs", "fuse.glusterfs", "lustre", "ncpfs", "coda",
}  # fmt: skip


def _cloud_service(path: Path) -> str | None:
    for part in path.parts[:-1] if path.suffix else path.parts:
        folded = part.casefold()
        for key, service in _CLOUD_NAMES.items():
            # "Dropbox", "Dropbox (Team)", "OneDrive - University", "OneDrive-Personal"
            if folded == key or re.match(re.escape(key) + r"\s*[-(]", folded):
                return service
        if folded.startswith("com~apple~clouddocs"):
            return "iCloud"
    return None


def _linux_mount_type(path: Path, mounts_file: str = "/proc/mounts") -> str | None:
    try:
        lines = Path(mounts_file).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    best, best_type = "", None
    target = str(path)
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        # /proc/mounts escapes spaces and tabs in mount points as octal (\040).
        point = fields[1].encode("latin-1", "replace").decode("unicode_escape", "replace")
        inside = target == point or target.startswith(point.rstrip("/") + "/") or point == "/"
        if inside and len(point) >= len(best):
            best, best_type = point, fields[2]
    return best_type


def _windows_network_drive(path: Path) -> bool:
    if sys.platform != "win32":
        return False
    text = str(path)
    if text.startswith("\\\\") and not text.startswith("\\\\?\\"):
        return True  # UNC path: \\server\share
    try:
        import ctypes

        root = (path.drive or text[:2]) + "\\"
        return ctypes.windll.kernel32.GetDriveTypeW(root) == 4  # DRIVE_REMOTE
    except Exception:
        return False


def network_filesystem(path: str | Path, mounts_file: str = "/proc/mounts") -> str | None:
    """The network file system type holding ``path`` ("nfs", "cifs"...), or None if local."""
    path = Path(os.path.abspath(path))
    if sys.platform == "win32":
        return "network drive" if _windows_network_drive(path) else None
    if sys.platform.startswith("linux"):
        fs = _linux_mount_type(path, mounts_file)
        if fs and (fs in _NETWORK_FS or fs.startswith(("nfs", "smb", "fuse.sshfs"))):
            return fs
    return None


def cloud_warning(path: str | Path) -> str | None:
    """A warning for a project kept in a cloud-sync or network folder, else None."""
    path = Path(os.path.abspath(path))
    service = _cloud_service(path)
    if service:
        return (
            f"{path.name} is in a {service} folder. Sync services can upload a half-written "
            "project or make conflicting copies, and two people opening it on different "
            "computers cannot see each other's lock. Keep projects in a local folder and share "
            "copies (File → Export) instead; Coder's backups are no substitute."
        )
    fs = network_filesystem(path)
    if fs:
        return (
            f"{path.name} is on a network drive ({fs}). A dropped connection while saving can "
            "damage a project, and some network drives do not pass on Coder's lock. Keep "
            "projects in a local folder and copy them to the share when you finish."
        )
    return None
