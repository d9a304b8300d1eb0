# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that writes files: temporary file in the target directory, then rename."""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import time
import typing as t

PENDING_KEY_SUFFIX = ".esa-pending"
RECORD_SUFFIX = ".esa.json"


def record_path(certificate_path: str) -> str:
    """Where the ESA id of a certificate file is kept, so a no-op run needs one ESA read, not a search."""
    return certificate_path + RECORD_SUFFIX


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
    with open(path, "rb") as handle:
        data = handle.read()
    create_private_file(backup, data, os.stat(path).st_mode & 0o7777)
    return backup


def read_bytes(path: str) -> bytes | None:
    """The file's content, or None when it does not exist; other errors (permissions) propagate."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def directory_problem(path: str, what: str) -> str | None:
    """Why a file could not be written at path, before anything is asked of ESA."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        return f"{what}: directory {directory} does not exist"
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"{what}: directory {directory} is not writable"
    if os.path.isdir(path):
        return f"{what}: {path} is a directory"
    return None


def write_atomically(path: str, data: bytes, mode: int) -> None:
    """Write data to path so readers see the old content or the new, never a part.

    The temporary file is created with `mode` from its first byte (O_EXCL, no umask widening
    afterwards), so a private key is never readable by others, not even for an instant.
    """
    directory, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
    create_private_file(temporary, data, mode)
    try:
        os.replace(temporary, path)
    except OSError:
        remove_if_present(temporary)
        raise
    sync_directory(directory)


def create_private_file(path: str, data: bytes, mode: int) -> None:
    """Create path exclusively with `mode` already applied, write and fsync it."""
    remove_if_present(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode & 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # The file was created at most 0600; widen only now that it is whole, and only if asked.
        os.chmod(path, mode)
    except BaseException:
        remove_if_present(path)
        raise


def move_into_place(source: str, destination: str) -> None:
    os.replace(source, destination)
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


def read_record(certificate_path: str) -> dict[str, t.Any] | None:
    """The bookkeeping record of a certificate file, or None when missing or not ours."""
    data = read_bytes(record_path(certificate_path))
    if data is None:
        return None
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        return None
    return record


def write_record(certificate_path: str, record: dict[str, t.Any], mode: int = 0o644) -> None:
    payload = json.dumps(record, sort_keys=True, indent=1).encode("utf-8") + b"\n"
    write_atomically(record_path(certificate_path), payload, mode)
