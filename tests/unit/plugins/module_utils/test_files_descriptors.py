# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mode and owner changes land on the file that was opened, never on what a swapped name points to.

In a directory another account can write, that account can rename a symlink to a root-only file over any name
between two steps of a write. Each test here swaps the name at the worst moment (right after the file at it was
opened), or races a real process running as ``nobody``, and checks that the victim keeps its mode, owner and bytes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pwd
import signal
import stat
import time

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files

DATA = b"-----BEGIN PRIVATE KEY-----\nnew\n-----END PRIVATE KEY-----\n"
VICTIM_BYTES = b"root:only:secret\n"
# Only root can give a file away; an unprivileged run asks for its own ids, which it may always set.
OWNER = (12345, 23456) if os.geteuid() == 0 else (os.getuid(), os.getgid())
RACE_SECONDS = 2.0


def snapshot(path):
    """Mode, owner, group and bytes of path itself."""
    found = os.lstat(str(path))
    with open(str(path), "rb") as handle:
        return stat.S_IMODE(found.st_mode), found.st_uid, found.st_gid, handle.read()


@pytest.fixture
def victim(tmp_path):
    path = tmp_path / "victim"
    path.write_bytes(VICTIM_BYTES)
    path.chmod(0o600)
    return path


def swap_after_open(monkeypatch, matches, victim, displaced):
    """Right after the first os.open (or os.lstat) of a path that ``matches``, move the file at that name to
    ``displaced`` and rename a symlink to ``victim`` over the name, as another account writing the directory can."""
    real_open, real_lstat = os.open, os.lstat
    swapped = []

    def swap(path):
        if swapped or not matches(str(path)):
            return
        swapped.append(str(path))
        os.rename(str(path), str(displaced))
        os.symlink(str(victim), str(path) + ".link")
        os.rename(str(path) + ".link", str(path))

    def spy_open(path, flags, mode=0o777, *args, **kwargs):
        descriptor = real_open(path, flags, mode, *args, **kwargs)
        swap(path)
        return descriptor

    def spy_lstat(path, *args, **kwargs):
        found = real_lstat(path, *args, **kwargs)
        swap(path)
        return found

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "lstat", spy_lstat)
    return swapped


def assert_landed_on(displaced, mode, owner, data):
    """The change went to the file that was opened: it has the mode, the owner (where one was asked) and the bytes."""
    found = os.lstat(str(displaced))
    assert stat.S_ISREG(found.st_mode)
    assert stat.S_IMODE(found.st_mode) == mode
    if owner is not None:
        assert (found.st_uid, found.st_gid) == owner
    assert displaced.read_bytes() == data


# --- each function, with the name swapped right after it opened the file ---------------------------------


def test_write_atomically_gives_mode_and_owner_to_its_temporary_not_to_a_swapped_name(tmp_path, victim, monkeypatch):
    before = snapshot(victim)
    target, displaced = tmp_path / "client.crt", tmp_path / "displaced"
    swapped = swap_after_open(monkeypatch, lambda path: path.endswith(".tmp"), victim, displaced)
    _files.write_atomically(str(target), DATA, 0o644, OWNER)
    assert swapped
    assert snapshot(victim) == before
    assert_landed_on(displaced, 0o644, OWNER, DATA)


def test_create_private_file_widens_through_its_descriptor_not_a_swapped_name(tmp_path, victim, monkeypatch):
    before = snapshot(victim)
    target, displaced = tmp_path / ".client.key.t0k3n.esa-pending", tmp_path / "displaced"
    swapped = swap_after_open(monkeypatch, lambda path: path == str(target), victim, displaced)
    _files.create_private_file(str(target), DATA, 0o644)
    assert swapped
    assert snapshot(victim) == before
    assert_landed_on(displaced, 0o644, None, DATA)


def test_write_in_place_gives_mode_and_owner_to_the_file_it_opened(tmp_path, victim, monkeypatch):
    target, displaced = tmp_path / "bind-mounted.crt", tmp_path / "displaced"
    target.write_bytes(b"old")
    target.chmod(0o600)
    before = snapshot(victim)
    swapped = swap_after_open(monkeypatch, lambda path: path == str(target), victim, displaced)
    _files.write_in_place(str(target), DATA, 0o644, OWNER)
    assert swapped
    assert snapshot(victim) == before
    assert_landed_on(displaced, 0o644, OWNER, DATA)


def test_write_in_place_refuses_a_symlink_planted_at_the_path(tmp_path, victim):
    before = snapshot(victim)
    target = tmp_path / "bind-mounted.crt"
    target.symlink_to(victim)
    with pytest.raises(OSError) as raised:
        _files.write_in_place(str(target), DATA, 0o644, OWNER)
    assert raised.value.errno in (errno.ELOOP, errno.EMLINK)
    assert snapshot(victim) == before


def test_write_bookkeeping_gives_the_certificates_attributes_to_its_temporary_only(tmp_path, victim, monkeypatch):
    certificate, displaced = tmp_path / "client.crt", tmp_path / "displaced"
    _files.write_atomically(str(certificate), b"certificate", 0o644, OWNER)
    before = snapshot(victim)
    swapped = swap_after_open(monkeypatch, lambda path: path.endswith(".tmp"), victim, displaced)
    _files.write_bookkeeping(str(certificate), {"id": "abc"})
    assert swapped
    assert snapshot(victim) == before
    found = os.lstat(str(displaced))
    assert stat.S_IMODE(found.st_mode) == 0o644
    assert (found.st_uid, found.st_gid) == OWNER


def test_match_bookkeeping_attributes_changes_the_file_it_opened_not_a_swapped_name(tmp_path, victim, monkeypatch):
    certificate, displaced = tmp_path / "client.crt", tmp_path / "displaced"
    _files.write_atomically(str(certificate), b"certificate", 0o644, OWNER)
    record = _files.bookkeeping_path(str(certificate))
    _files.write_atomically(record, b'{"id": "abc"}\n', 0o600)
    before = snapshot(victim)
    swapped = swap_after_open(monkeypatch, lambda path: path == record, victim, displaced)
    _files.match_bookkeeping_attributes(str(certificate))
    assert swapped
    assert snapshot(victim) == before
    assert_landed_on(displaced, 0o644, OWNER, b'{"id": "abc"}\n')


def test_a_hard_link_at_the_record_is_never_changed(tmp_path, victim):
    """A second name of another file (root may link anything; others where fs.protected_hardlinks is off)."""
    certificate = tmp_path / "client.crt"
    _files.write_atomically(str(certificate), b"certificate", 0o644, OWNER)
    os.link(str(victim), _files.bookkeeping_path(str(certificate)))
    before = snapshot(victim)
    assert _files.bookkeeping_attributes_differ(str(certificate)) is False
    _files.match_bookkeeping_attributes(str(certificate))
    assert snapshot(victim) == before


def test_backup_copy_takes_its_mode_from_the_bytes_it_read(tmp_path, monkeypatch):
    key, public, displaced = tmp_path / "client.key", tmp_path / "public.txt", tmp_path / "displaced"
    _files.write_atomically(str(key), DATA, 0o600)
    public.write_bytes(b"anyone may read this")
    public.chmod(0o644)
    swap_after_open(monkeypatch, lambda path: path == str(key), public, displaced)
    backup = _files.backup_copy(str(key))
    assert stat.S_IMODE(os.lstat(backup).st_mode) == 0o600
    with open(backup, "rb") as handle:
        assert handle.read() == DATA


def test_unsafe_move_into_place_takes_its_mode_from_the_bytes_it_read(tmp_path, monkeypatch):
    pending, key = tmp_path / ".client.key.t0k3n.esa-pending", tmp_path / "client.key"
    public, displaced = tmp_path / "public.txt", tmp_path / "displaced"
    _files.create_private_file(str(pending), DATA, 0o600)
    key.write_bytes(b"old")
    key.chmod(0o600)
    public.write_bytes(b"anyone may read this")
    public.chmod(0o644)
    monkeypatch.setattr(os, "replace", busy_replace)
    swap_after_open(monkeypatch, lambda path: path == str(pending), public, displaced)
    _files.move_into_place(str(pending), str(key), unsafe_writes=True)
    assert stat.S_IMODE(os.lstat(str(key)).st_mode) == 0o600
    assert key.read_bytes() == DATA


def busy_replace(source, destination):
    """os.replace onto a file bind-mounted into a container."""
    raise OSError(errno.EBUSY, "Device or resource busy", str(destination))


# --- a FIFO never blocks ------------------------------------------------------------------------------------


@contextlib.contextmanager
def within(seconds):
    """Fail (instead of hanging the run) when the body blocks longer than ``seconds``."""

    def expire(_signum, _frame):
        raise TimeoutError(f"blocked for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_fifo_at_the_record_is_left_alone_without_blocking(tmp_path):
    certificate = tmp_path / "client.crt"
    _files.write_atomically(str(certificate), b"certificate", 0o644)
    record = _files.bookkeeping_path(str(certificate))
    os.mkfifo(record, 0o600)
    with within(2):
        assert _files.bookkeeping_attributes_differ(str(certificate)) is False
        _files.match_bookkeeping_attributes(str(certificate))
    found = os.lstat(record)
    assert stat.S_ISFIFO(found.st_mode)
    assert stat.S_IMODE(found.st_mode) == 0o600


def test_a_fifo_at_an_in_place_write_fails_at_once(tmp_path):
    target = tmp_path / "bind-mounted.crt"
    os.mkfifo(str(target), 0o600)
    with within(2):
        with pytest.raises(OSError) as nobody_reading:
            _files.write_in_place(str(target), DATA, 0o644)
        assert nobody_reading.value.errno == errno.ENXIO
        reader = os.open(str(target), os.O_RDONLY | os.O_NONBLOCK)  # with a reader the open succeeds; fstat refuses
        try:
            with pytest.raises(_files.NotRegularFileError):
                _files.write_in_place(str(target), DATA, 0o644)
        finally:
            os.close(reader)
    assert stat.S_IMODE(os.lstat(str(target)).st_mode) == 0o600


# --- a real race against another account -----------------------------------------------------------------


def race_as(account, directory_descriptor, victim, seconds, report):
    """In a forked child: become ``account`` and, for ``seconds``, rename a symlink to victim over every regular
    file in the directory. Writes the number of swaps to ``report``; never returns."""
    swaps = 0
    try:
        os.setgroups([])
        os.setgid(account.pw_gid)
        os.setuid(account.pw_uid)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for name in os.listdir(directory_descriptor):
                link = f"link.{swaps}"
                try:
                    if not stat.S_ISREG(os.stat(name, dir_fd=directory_descriptor, follow_symlinks=False).st_mode):
                        continue
                    os.symlink(str(victim), link, dir_fd=directory_descriptor)
                    os.rename(link, name, src_dir_fd=directory_descriptor, dst_dir_fd=directory_descriptor)
                    swaps += 1
                except OSError:
                    with contextlib.suppress(OSError):
                        os.unlink(link, dir_fd=directory_descriptor)
        os.write(report, str(swaps).encode())
    except BaseException:  # pylint: disable=broad-exception-caught  # the exit status tells the parent
        os._exit(1)
    os._exit(0)


def test_another_account_racing_every_write_never_changes_a_root_only_file(tmp_path, victim):
    if os.geteuid() != 0:
        pytest.skip("needs root: the racing child drops to the account nobody, and only root gives files away")
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no account named nobody on this host")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # writable by every account, without the sticky bit
    before = snapshot(victim)
    certificate, pending, in_place = shared / "client.crt", shared / ".client.key.t0k3n.esa-pending", shared / "in-place.crt"
    owner = (nobody.pw_uid, nobody.pw_gid)  # asked for on purpose: a chown through a swapped name would give the victim away

    # The child works through a descriptor of the directory opened now: the directories above it stay root-only.
    directory = os.open(str(shared), os.O_RDONLY | os.O_DIRECTORY)
    report, report_end = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(report)
        race_as(nobody, directory, victim, RACE_SECONDS, report_end)
    os.close(report_end)
    os.close(directory)

    steps = [
        (_files.write_atomically, (str(certificate), DATA, 0o644, owner)),
        (_files.match_bookkeeping_attributes, (str(certificate),)),
        (_files.write_bookkeeping, (str(certificate), {"id": "abc"})),
        (_files.write_atomically, (str(certificate), DATA, 0o640, owner)),  # another mode, so the record differs again
        (_files.match_bookkeeping_attributes, (str(certificate),)),
        (_files.create_private_file, (str(pending), DATA, 0o644)),
        (_files.write_in_place, (str(in_place), DATA, 0o644, owner)),
    ]
    done = refused = 0
    deadline = time.monotonic() + RACE_SECONDS
    try:
        while time.monotonic() < deadline:
            for function, arguments in steps:
                try:
                    function(*arguments)
                    done += 1
                except OSError:
                    refused += 1  # the other account may make a step fail; it may never change the victim
    finally:
        _pid, status = os.waitpid(child, 0)
        swaps = os.read(report, 64)
        os.close(report)
    assert os.WIFEXITED(status)
    assert os.WEXITSTATUS(status) == 0
    assert int(swaps) > 0, "the racing child never swapped a name: the race did not happen"
    assert done > 0
    assert snapshot(victim) == before
