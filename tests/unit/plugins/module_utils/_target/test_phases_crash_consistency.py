# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SIGKILL the target-side write sequence at every point; the next run always ends with a matching pair.

A forked child runs the real prepare and install phases. Just before the chosen step it tells the
parent and waits; the parent kills it with SIGKILL, so nothing after that point runs, as in a crash.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.facts import load_pem_certificate, public_key_sha256
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import load_private_key
from ansible_collections.alibabacloud.esa.plugins.module_utils._reissue import ReissuePolicy, local_state_from_inspection, reissue_reasons
from ansible_collections.alibabacloud.esa.plugins.module_utils._target import phases
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import Bookkeeping
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time, utc_now

CA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)

# (name, os function to intercept, what the call touches, which such call): each is one step of the write sequence.
KILL_POINTS = [
    ("pending key written, not yet synced", "fsync", ".esa-pending", 1),
    ("before the key rename", "replace", "", 1),
    ("certificate temp file written, not yet synced", "fsync", ".c.crt.", 1),
    ("between key and certificate renames", "replace", "", 2),
    ("after both renames, before the bookkeeping file", "replace", "", 3),
]


def _touches(function: str, args: tuple) -> str:
    """The path an os.replace or os.fsync call works on (fsync names its file through /proc)."""
    if function == "replace":
        return str(args[0])
    return os.readlink(f"/proc/self/fd/{args[0]}")


def sign(csr_pem: str) -> str:
    csr = x509.load_pem_x509_csr(csr_pem.encode())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(csr.subject)
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ESA CA")])).public_key(csr.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=90))
            .sign(CA_KEY, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def run_once(params, token):
    """One issuing run of the target phases, as the action plugin drives them."""
    expected = phases.inspect(params).certificate_file_sha256
    prepared = phases.prepare_key_and_csr(params, new_key=True, common_name="crash.example.com", run_token=token)
    return phases.install(params, sign(prepared.csr_pem), None, Bookkeeping(site_id=1, id=token), token, expected, prepared.public_key_sha256)


def pair_state(params):
    cert_data, key_data = _files.read_bytes(params["path"]), _files.read_bytes(params["privatekey_path"])
    cert = load_pem_certificate(cert_data) if cert_data else None
    key = load_private_key(key_data) if key_data else None
    return cert_data, key_data, cert, key


def matching(params) -> bool:
    _cd, _kd, cert, key = pair_state(params)
    return cert is not None and key is not None and public_key_sha256(cert.public_key()) == public_key_sha256(key.public_key())


def next_run_reasons(params):
    local = local_state_from_inspection(phases.inspect(params), parse_esa_time)
    return reissue_reasons(local, None, ReissuePolicy(uses_csr=False, pkey_type="RSA", verify_remote=False), utc_now())


def kill_during(params, function: str, nth: int, touching: str = "") -> None:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the target-side module
        os.close(read_end)
        real = getattr(os, function)
        calls = {"n": 0}

        def intercepted(*args, **kwargs):
            if touching in _touches(function, args):
                calls["n"] += 1
                if calls["n"] == nth:
                    os.write(write_end, b"x")
                    signal.pause()  # wait here for SIGKILL
            return real(*args, **kwargs)

        setattr(os, function, intercepted)
        try:
            run_once(params, "crashing")
        finally:
            os._exit(3)  # reached only if the kill point was never hit
    os.close(write_end)
    reached = os.read(read_end, 1)
    os.close(read_end)
    if reached:
        os.kill(pid, signal.SIGKILL)
    _pid, status = os.waitpid(pid, 0)
    assert reached == b"x", "the kill point was never reached"
    assert os.WIFSIGNALED(status)
    assert os.WTERMSIG(status) == signal.SIGKILL


@pytest.mark.parametrize("point,function,touching,nth", KILL_POINTS, ids=[p[0] for p in KILL_POINTS])
def test_killed_run_is_repaired_by_the_next_and_never_leaves_half_a_file(tmp_path, point, function, touching, nth):
    params = {"path": str(tmp_path / "c.crt"), "privatekey_path": str(tmp_path / "c.key"), "state": "present",
              "pkey_type": "RSA", "backup": False, "csr_path": None, "csr_content": None}
    run_once(params, "first")
    old_cert, old_key, _c, _k = pair_state(params)
    assert matching(params)

    kill_during(params, function, nth, touching)

    cert_data, key_data, cert, key = pair_state(params)
    # Never half a file: each is the old one or a whole new one.
    assert cert is not None, point
    assert key is not None, point
    assert cert_data == old_cert or cert_data.startswith(b"-----BEGIN CERTIFICATE") and cert_data.endswith(b"-----END CERTIFICATE-----\n")
    if cert_data == old_cert and key_data == old_key:
        assert next_run_reasons(params) == [], point  # the old pair, untouched
    reasons = next_run_reasons(params)
    assert reasons in ([], ["key_mismatch"]), (point, reasons)
    if reasons:
        run_once(params, "repair")
    assert matching(params), point
    assert next_run_reasons(params) == []
    # Whatever the killed run left behind that holds key material is private.
    for name in os.listdir(tmp_path):
        data = (tmp_path / name).read_bytes()
        if b"PRIVATE KEY" in data:
            assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) & 0o077 == 0, name


def test_the_old_pair_survives_a_kill_before_the_key_rename(tmp_path):
    params = {"path": str(tmp_path / "c.crt"), "privatekey_path": str(tmp_path / "c.key"), "state": "present",
              "pkey_type": "RSA", "backup": False, "csr_path": None, "csr_content": None}
    run_once(params, "first")
    before = pair_state(params)[:2]
    kill_during(params, "replace", 1)
    assert pair_state(params)[:2] == before
