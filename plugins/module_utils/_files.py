# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that writes files: temporary file in the target directory, then rename.

A directory other accounts may write (a service account's own directory is common) is not refused: every mode and
owner change goes through the descriptor that was opened (O_EXCL|O_NOFOLLOW for new files, O_NOFOLLOW for existing
ones), never through a name, so a name swapped for a symlink between two steps moves that name and changes no other file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import hashlib
import json
import os
import stat
import time
import typing as t

PENDING_KEY_SUFFIX = ".esa-pending"
BOOKKEEPING_SUFFIX = ".esa.json"
# Certificates, keys, CSRs and the bookkeeping file are a few kilobytes; anything far larger at one of
# these paths is not ours, and reading it whole would cost the target memory for nothing.
MAX_FILE_BYTES = 1024 * 1024
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# What open(2) says for a symlink under O_NOFOLLOW: ELOOP on Linux, EMLINK on FreeBSD, EFTYPE on NetBSD.
_SYMLINK_ERRNOS = frozenset(code for code in (errno.ELOOP, errno.EMLINK, getattr(errno, "EFTYPE", None)) if code is not None)


class NotRegularFileError(OSError):
    """A FIFO, socket or device where a file is expected: reading it could block forever or never end."""


class FileTooLargeError(OSError):
    """More than MAX_FILE_BYTES where a certificate, key, CSR or bookkeeping file is expected."""


def bookkeeping_path(certificate_path: str) -> str:
    """Where the ESA id of a certificate file is kept, so a no-op run needs one ESA read, not a search."""
    return certificate_path + BOOKKEEPING_SUFFIX


def pending_key_path(privatekey_path: str, run_token: str) -> str:
    """A new key waits here, hidden and 0600, until its certificate has been issued.

    The run's token is in the name, so two runs for the same key never take each other's pending key.
    """
    directory, name = os.path.split(privatekey_path)
    return os.path.join(directory, f".{name}.{run_token}{PENDING_KEY_SUFFIX}")


def pending_keys(privatekey_path: str) -> list[str]:
    """Every pending key of privatekey_path, including those an interrupted run left behind."""
    directory, name = os.path.split(privatekey_path)
    return glob.glob(os.path.join(glob.escape(directory), f".{glob.escape(name)}.*{PENDING_KEY_SUFFIX}"))


def remove_stale_pending_keys(privatekey_path: str, older_than_seconds: float, now: float | None = None) -> list[str]:
    """Pending keys of runs that died long ago; young ones may belong to a run still waiting for ESA."""
    now = time.time() if now is None else now
    removed = []
    for path in pending_keys(privatekey_path):
        try:
            if now - os.stat(path).st_mtime > older_than_seconds and remove_if_present(path):
                removed.append(path)
        except FileNotFoundError:
            continue
    return removed


def content_sha256(path: str) -> str | None:
    """Digest of the file's bytes (whatever they are), or None when it does not exist."""
    data = read_bytes(path)
    return None if data is None else hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def directory_locks(*paths: str) -> t.Iterator[None]:
    """Exclusive flock on the directories of paths, in a fixed order so two runs cannot deadlock.

    The kernel drops the locks when the process dies, so a killed run never leaves a lock behind.
    """
    directories = sorted({os.path.dirname(os.path.abspath(path)) for path in paths})
    descriptors = []
    try:
        for directory in directories:
            descriptor = os.open(directory, os.O_RDONLY)
            descriptors.append(descriptor)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        for descriptor in reversed(descriptors):
            os.close(descriptor)


def backup_copy(path: str) -> str:
    """A timestamped copy beside path that is never wider than path, not even while it is written.

    (shutil.copy2, which AnsibleModule.backup_local uses, creates the copy with the umask's mode first
    and copies the mode afterwards: a key's backup would be readable by others for an instant.)
    """
    backup = f"{path}.{os.getpid()}.{time.strftime('%Y-%m-%d@%H:%M:%S~')}"
    # Whatever its size (a huge non-certificate at path is still the user's data), but never a FIFO.
    # The mode comes from the descriptor the bytes came from: a name swapped since could lend a key a wider mode.
    found = _read_regular(path, limit=None)
    if found is None:
        raise FileNotFoundError(2, "vanished before its backup was made", path)
    data, status = found
    create_private_file(backup, data, status.st_mode & 0o7777)
    return backup


def read_bytes(path: str, limit: int | None = MAX_FILE_BYTES) -> bytes | None:
    """The file's content, or None when it does not exist; other errors (permissions) propagate.

    Opened non-blocking and checked with fstat before reading, so a FIFO planted at the path fails at once
    (NotRegularFileError) instead of hanging the module; more than ``limit`` bytes is FileTooLargeError (None: no limit).
    """
    found = _read_regular(path, limit)
    return None if found is None else found[0]


def _read_regular(path: str, limit: int | None, follow_symlinks: bool = True) -> tuple[bytes, os.stat_result] | None:
    """read_bytes, with the fstat of the descriptor the bytes were read from."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | _CLOEXEC | (0 if follow_symlinks else os.O_NOFOLLOW)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise NotRegularFileError(0, f"not a regular file ({file_kind(status.st_mode)})", path)
        data = handle.read() if limit is None else handle.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise FileTooLargeError(0, f"larger than {limit // 1024} KiB, so not a certificate, key, CSR or bookkeeping file", path)
    return data, status


def file_kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def special_file_problem(path: str | None, what: str) -> str | None:
    """Why path cannot be one of our files (a FIFO, socket or device), without opening it; None when it can."""
    if not path:
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):  # directories are reported by directory_problem, with their own advice
        return None
    return f"{what}: {path} is {file_kind(mode)}, not a regular file; remove it or choose another path"


def directory_problem(path: str, what: str, missing_ok: bool = False) -> str | None:
    """Why a file could not be written at path, before anything is asked of ESA.

    ``missing_ok`` (check mode): a directory that does not exist yet is no problem, since an earlier task (skipped in
    check mode, like ansible.builtin.file) may create it; the run would then write a new file there.
    """
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        if missing_ok and not os.path.lexists(directory):
            return None
        return f"{what}: directory {directory} does not exist"
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"{what}: directory {directory} is not writable"
    if os.path.isdir(path):
        return f"{what}: {path} is a directory"
    return None


def write_atomically(path: str, data: bytes, mode: int, owner: tuple[int, int] | None = None, unsafe_writes: bool = False) -> None:
    """Write data to path so readers see the old content or the new, never a part.

    The temporary file is created with at most `mode & 0600` from its first byte (O_EXCL|O_NOFOLLOW, no umask
    widening afterwards), so a private key is never readable by others, not even for an instant.
    ``owner`` (uid, gid) and then `mode` are given to it through its descriptor before the rename, where the process may.
    ``unsafe_writes`` (Ansible's option): when the rename cannot replace path (a file bind-mounted into a
    container, another filesystem), write the bytes into path instead, as ansible.builtin.copy does.
    """
    directory, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
    _create_file(temporary, data, mode, owner)
    try:
        os.replace(temporary, path)
    except OSError as exc:
        remove_if_present(temporary)
        if not (unsafe_writes and exc.errno in UNSAFE_WRITE_ERRNOS):
            raise
        write_in_place(path, data, mode, owner)
        return
    sync_directory(directory)


# The errors for which AnsibleModule.atomic_move falls back to a write in place when unsafe_writes is set.
UNSAFE_WRITE_ERRNOS = frozenset((errno.EPERM, errno.EXDEV, errno.EACCES, errno.ETXTBSY, errno.EBUSY))


def write_in_place(path: str, data: bytes, mode: int, owner: tuple[int, int] | None = None) -> None:
    """Overwrite path's content (not atomic: only for unsafe_writes). The file is narrowed to ``mode & 0600``
    before the first byte goes in, so a key never sits in a file others may read, and given ``owner`` and ``mode`` after.

    Opened with O_NOFOLLOW (a symlink at path is an error, never a way to another file) and O_NONBLOCK, then
    checked with fstat: a FIFO or device at path is NotRegularFileError, at once.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | _CLOEXEC
    descriptor = os.open(path, flags, mode & 0o600)
    try:
        _require_regular(descriptor, path)
        os.fchmod(descriptor, mode & 0o600)
        os.ftruncate(descriptor, 0)
        _write_all(descriptor, data)
        _give_attributes(descriptor, mode, owner)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def create_private_file(path: str, data: bytes, mode: int) -> None:
    """Create path exclusively with `mode` already applied, write and fsync it."""
    _create_file(path, data, mode, None)


def _create_file(path: str, data: bytes, mode: int, owner: tuple[int, int] | None) -> None:
    """Create path (O_EXCL|O_NOFOLLOW: a file or link planted at the name since the unlink is an error) at most 0600,
    write data, give it ``owner`` and ``mode`` through the descriptor, fsync it."""
    remove_if_present(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC, mode & 0o600)
    try:
        try:
            _write_all(descriptor, data)
            # Created at most 0600; widened only now that it is whole, and only if asked.
            _give_attributes(descriptor, mode, owner)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except BaseException:
        remove_if_present(path)
        raise


def _write_all(descriptor: int, data: bytes) -> None:
    with os.fdopen(descriptor, "wb", closefd=False) as handle:
        handle.write(data)


def _give_attributes(descriptor: int, mode: int, owner: tuple[int, int] | None) -> None:
    # Owner first: a chown clears the set-id bits, which the chmod then sets again if asked.
    if owner is not None:
        _fchown_if_permitted(descriptor, owner)
    os.fchmod(descriptor, mode)


def _require_regular(descriptor: int, path: str) -> None:
    kind = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(kind):
        raise NotRegularFileError(errno.EINVAL, f"not a regular file ({file_kind(kind)})", path)


def move_into_place(source: str, destination: str, unsafe_writes: bool = False) -> None:
    """Rename source over destination; with ``unsafe_writes``, copy it in place where a rename cannot (see write_atomically)."""
    try:
        os.replace(source, destination)
    except OSError as exc:
        if not (unsafe_writes and exc.errno in UNSAFE_WRITE_ERRNOS):
            raise
        found = _read_regular(source, limit=None, follow_symlinks=False)
        if found is None:
            raise
        data, status = found  # the mode of the bytes read, not of whatever is at the name now
        write_in_place(destination, data, status.st_mode & 0o7777)
        remove_if_present(source)
        return
    sync_directory(os.path.dirname(os.path.abspath(destination)))


def sync_directory(directory: str) -> None:
    """Persist a rename, so a crash right after it cannot bring the old name back."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def remove_if_present(path: str) -> bool:
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def _fchown_if_permitted(descriptor: int, owner: tuple[int, int]) -> None:
    # Only root may give a file away; an unprivileged run keeps its own ownership.
    with contextlib.suppress(PermissionError):
        os.fchown(descriptor, *owner)


def read_bookkeeping(certificate_path: str) -> dict[str, t.Any] | None:
    """The bookkeeping file of a certificate file, or None when missing, unreadable, oversized or not ours."""
    bookkeeping = read_bookkeeping_fields(certificate_path)
    if bookkeeping is None or not isinstance(bookkeeping.get("id"), str):
        return None
    return bookkeeping


def read_bookkeeping_fields(certificate_path: str) -> dict[str, t.Any] | None:
    """The bookkeeping file as a JSON object, with or without an ESA id (one that only records a PKCS#12 bundle has none)."""
    try:
        data = read_bytes(bookkeeping_path(certificate_path))
    except OSError:
        return None
    if data is None:
        return None
    try:
        bookkeeping = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return bookkeeping if isinstance(bookkeeping, dict) else None


def write_bookkeeping(certificate_path: str, bookkeeping: dict[str, t.Any], unsafe_writes: bool = False) -> None:
    """Write the bookkeeping file with the certificate's owner, group and mode (without execute bits): it says no more than the certificate."""
    payload = json.dumps(bookkeeping, sort_keys=True, indent=1).encode("utf-8") + b"\n"
    mode, owner = _attributes_of(certificate_path)
    write_atomically(bookkeeping_path(certificate_path), payload, mode, owner, unsafe_writes=unsafe_writes)


def bookkeeping_attributes_differ(certificate_path: str) -> bool:
    """Whether an existing bookkeeping file's owner, group or mode differ from the certificate's (as match_bookkeeping_attributes sets them)."""
    descriptor = _open_bookkeeping(certificate_path)
    if descriptor is None:
        return False
    try:
        return bool(_bookkeeping_attribute_changes(descriptor, certificate_path))
    finally:
        os.close(descriptor)


def set_mode(path: str, mode: int) -> bool:
    """Give the regular file at path exactly ``mode``; True when it changed. Never through a symlink: the file is opened
    with O_NOFOLLOW and changed through its descriptor, so a link planted at path since the write changes nothing."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | _CLOEXEC)
    try:
        current = os.fstat(descriptor)
        if not stat.S_ISREG(current.st_mode):
            raise NotRegularFileError(errno.EINVAL, f"{file_kind(current.st_mode)} where a file was written", path)
        if current.st_mode & 0o7777 == mode:
            return False
        os.fchmod(descriptor, mode)
        return True
    finally:
        os.close(descriptor)


def match_bookkeeping_attributes(certificate_path: str) -> None:
    """Give an existing bookkeeping file the certificate's owner, group and mode (without execute bits) again."""
    descriptor = _open_bookkeeping(certificate_path)
    if descriptor is None:
        return
    try:
        changes = _bookkeeping_attribute_changes(descriptor, certificate_path)
        if "owner" in changes:
            _fchown_if_permitted(descriptor, changes["owner"])
        if "mode" in changes:
            os.fchmod(descriptor, changes["mode"])
    finally:
        os.close(descriptor)


def _open_bookkeeping(certificate_path: str) -> int | None:
    """A descriptor of the bookkeeping file when it is one this module could have written, else None.

    Opened with O_NOFOLLOW and O_NONBLOCK and checked with fstat, so a symlink, FIFO or device planted at the name
    is left alone at once, and a second hard link (another file's name) is never changed either.
    An unprivileged run that may not even open it could not use it: left alone too.
    """
    target = bookkeeping_path(certificate_path)
    try:
        descriptor = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | _CLOEXEC)
    except (FileNotFoundError, PermissionError):
        return None
    except OSError as exc:
        if exc.errno in _SYMLINK_ERRNOS or exc.errno == errno.ENXIO:  # ENXIO: a socket
            return None
        raise
    try:
        current = os.fstat(descriptor)
    except BaseException:
        os.close(descriptor)
        raise
    if not stat.S_ISREG(current.st_mode) or current.st_nlink != 1:
        os.close(descriptor)
        return None
    return descriptor


def _bookkeeping_attribute_changes(descriptor: int, certificate_path: str) -> dict[str, t.Any]:
    if not os.path.exists(certificate_path):
        return {}
    current = os.fstat(descriptor)
    mode, owner = _attributes_of(certificate_path)
    changes: dict[str, t.Any] = {}
    # Only root can give a file away: an unprivileged run leaves ownership as it is and does not count it as a difference.
    if owner is not None and (current.st_uid, current.st_gid) != owner and os.geteuid() == 0:
        changes["owner"] = owner
    if current.st_mode & 0o7777 != mode:
        changes["mode"] = mode
    return changes


def _attributes_of(certificate_path: str) -> tuple[int, tuple[int, int] | None]:
    try:
        found = os.stat(certificate_path)
    except FileNotFoundError:
        return public_file_mode(), None
    return found.st_mode & 0o666, (found.st_uid, found.st_gid)


def public_file_mode() -> int:
    """0644 within the process's umask: what a new public file (a certificate) gets."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o644 & ~umask
