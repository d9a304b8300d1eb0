# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The target side on real files: inspection, key and CSR, atomic install, removal."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files, _parse_cache
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import key_wrap as _key_wrap
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.key_wrap import seal
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import build_csr_pem, generate_private_key, private_key_pem
from ansible_collections.alibabacloud.esa.plugins.module_utils._target import phases
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import Bookkeeping, InstallOutcome, KeyView, Possession

CA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def issue_for(public_key, common_name="web01.example.com", days=365):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ESA CA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(CA_KEY, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


@pytest.fixture
def params(tmp_path):
    return {"path": str(tmp_path / "client.crt"), "privatekey_path": str(tmp_path / "client.key"), "state": "present",
            "pkey_type": "RSA", "backup": False, "csr_path": None, "csr_content": None}


TOKEN = "t0k3n"


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def install(params, pem, key_pem=None, record=None, expected="unchanged", expected_key=None, proof_nonce=None):
    """install() with the certificate file as inspected just before, as the action plugin passes it.

    A key_pem stands for the key ESA generated: sealed for the one-time key of the prepare step, as the controller does.
    """
    if expected == "unchanged":
        expected = _files.content_sha256(params["path"])
    sealed = None
    if key_pem is not None:
        sealed = seal(key_pem.encode("ascii"), phases.prepare_recipient(params, TOKEN).recipient_public_key)
    return phases.install(params, pem, sealed, Bookkeeping.from_dict(record or {"site_id": 1, "id": "abc"}), TOKEN, expected, expected_key, proof_nonce)


def test_inspect_missing_files(params):
    found = phases.inspect(params)
    assert found.certificate_state == "missing"
    assert found.key == KeyView(state="missing")
    assert found.bookkeeping is None
    assert found.problems == []


def test_inspect_reports_unreadable_certificate(params):
    with open(params["path"], "w") as handle:
        handle.write("not a certificate")
    assert phases.inspect(params).certificate_state == "unreadable"


def test_inspect_names_missing_and_unwritable_directories(params, tmp_path, monkeypatch):
    params["path"] = str(tmp_path / "nope" / "client.crt")
    assert any("path: directory" in p and "does not exist" in p for p in phases.inspect(params).problems)
    locked = tmp_path / "locked"
    locked.mkdir()
    params["path"] = str(locked / "client.crt")
    real_access = os.access
    # Root may write anywhere, so the permission answer is faked at the os boundary.
    monkeypatch.setattr(os, "access", lambda path, mode: False if str(path) == str(locked) else real_access(path, mode))
    assert any("path: directory" in p and "not writable" in p for p in phases.inspect(params).problems)


def test_inspect_rejects_garbage_csr_and_bad_signature(params):
    params.update(privatekey_path=None, csr_content="-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")
    assert any("csr_content: not a PEM" in p for p in phases.inspect(params).problems)
    key = generate_private_key("ECDSA")
    good = build_csr_pem(key, "app.example.com")
    der = bytearray(x509.load_pem_x509_csr(good.encode()).public_bytes(serialization.Encoding.DER))
    der[-1] ^= 0x01  # flip a bit of the signature
    tampered = "-----BEGIN CERTIFICATE REQUEST-----\n" + base64.encodebytes(bytes(der)).decode() + "-----END CERTIFICATE REQUEST-----\n"
    params["csr_content"] = tampered
    assert phases.inspect(params).problems == ["csr_content: the CSR's signature does not verify with its own public key"]


def test_prepare_writes_a_0600_pending_key_and_a_matching_csr(params):
    out = phases.prepare_key_and_csr(params, new_key=True, common_name="web01.example.com", run_token=TOKEN)
    pending = _files.pending_key_path(params["privatekey_path"], TOKEN)
    assert stat.S_IMODE(os.stat(pending).st_mode) == 0o600
    csr = x509.load_pem_x509_csr(out.csr_pem.encode())
    assert csr.is_signature_valid
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "web01.example.com"
    assert not os.path.exists(params["privatekey_path"])


def test_install_puts_key_then_certificate_and_records_the_fingerprint(params):
    out = phases.prepare_key_and_csr(params, new_key=True, common_name="web01.example.com", run_token=TOKEN)
    csr = x509.load_pem_x509_csr(out.csr_pem.encode())
    pem = issue_for(csr.public_key())
    install(params, pem)
    assert stat.S_IMODE(os.stat(params["privatekey_path"]).st_mode) == 0o600
    assert not os.path.exists(_files.pending_key_path(params["privatekey_path"], TOKEN))
    found = phases.inspect(params)
    assert found.certificate.public_key_sha256 == found.key.public_key_sha256
    der = x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
    record = json.loads(open(_files.bookkeeping_path(params["path"])).read())
    parsed = record.pop("parsed")
    assert record == {"site_id": 1, "id": "abc", "fingerprint_sha256": hashlib.sha256(der).hexdigest()}
    assert found.certificate.fingerprint_sha256 == record["fingerprint_sha256"]
    # The facts of the files just written are remembered under their digest, and the next inspection reuses them.
    assert parsed["digest"] == _parse_cache.files_digest(read(params["path"]), read(params["privatekey_path"]), None)
    assert found.parse_cache_hit
    assert found.bookkeeping.to_dict() == record


def test_install_refuses_a_certificate_for_another_key_and_writes_nothing(params):
    phases.prepare_key_and_csr(params, new_key=True, common_name="web01.example.com", run_token=TOKEN)
    stranger = issue_for(ec.generate_private_key(ec.SECP256R1()).public_key())
    with pytest.raises(phases.TargetError):
        install(params, stranger)
    assert not os.path.exists(params["path"])
    assert not os.path.exists(params["privatekey_path"])


def test_install_with_esa_generated_key_and_backups_keep_0600(params):
    first = generate_private_key("RSA")
    install(params, issue_for(first.public_key()), private_key_pem(first).decode())
    second = generate_private_key("ECDSA")
    params["backup"] = True
    out = install(params, issue_for(second.public_key()), private_key_pem(second).decode())
    assert stat.S_IMODE(os.stat(out.privatekey_backup_file).st_mode) == 0o600
    assert os.path.exists(out.backup_file)
    assert phases.inspect(params).key.key_type == "ECDSA"


def test_rotate_key_false_reuses_the_existing_key(params):
    key = generate_private_key("RSA")
    _files.write_atomically(params["privatekey_path"], private_key_pem(key), 0o600)
    out = phases.prepare_key_and_csr(params, new_key=False, common_name="web01.example.com", run_token=TOKEN)
    assert not os.path.exists(_files.pending_key_path(params["privatekey_path"], TOKEN))
    before = open(params["privatekey_path"], "rb").read()
    install(params, issue_for(key.public_key()), expected_key=out.public_key_sha256)
    stranger = generate_private_key("RSA")
    with pytest.raises(phases.TargetError, match="CSR's public key"):
        install(params, issue_for(stranger.public_key()), expected_key=out.public_key_sha256)
    assert open(params["privatekey_path"], "rb").read() == before


def test_remove_is_idempotent(params):
    key = generate_private_key("RSA")
    install(params, issue_for(key.public_key()), private_key_pem(key).decode())
    assert sorted(phases.remove(params).removed) == sorted([params["path"], params["privatekey_path"]])
    assert not os.path.exists(_files.bookkeeping_path(params["path"]))
    assert phases.remove(params).removed == []


def test_remove_leaves_a_csr_users_key_alone(params):
    key = generate_private_key("RSA")
    _files.write_atomically(params["privatekey_path"], private_key_pem(key), 0o600)
    params["csr_content"] = build_csr_pem(key, "x")
    _files.write_atomically(params["path"], issue_for(key.public_key()).encode(), 0o644)
    phases.remove(params)
    assert os.path.exists(params["privatekey_path"])
    assert not os.path.exists(params["path"])


def test_write_atomically_creates_private_files_without_a_wider_instant(tmp_path, monkeypatch):
    seen = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):
        seen.append(mode)
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    target = str(tmp_path / "k.pem")
    _files.write_atomically(target, b"secret", 0o600)
    assert seen[0] == 0o600
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert [name for name in os.listdir(tmp_path) if name.endswith(".tmp")] == []


def test_install_loses_the_race_when_another_run_replaced_the_certificate(params):
    first = generate_private_key("RSA")
    install(params, issue_for(first.public_key()), private_key_pem(first).decode())
    seen = _files.content_sha256(params["path"])
    # Another run replaces the pair after this run inspected it.
    other = generate_private_key("RSA")
    install(params, issue_for(other.public_key()), private_key_pem(other).decode())
    on_disk = open(params["path"], "rb").read()
    ours = generate_private_key("RSA")
    out = install(params, issue_for(ours.public_key()), private_key_pem(ours).decode(), expected=seen)
    assert out == InstallOutcome(raced=True)
    assert open(params["path"], "rb").read() == on_disk


def test_stale_pending_keys_are_swept_and_young_ones_kept(params):
    old = _files.pending_key_path(params["privatekey_path"], "old")
    young = _files.pending_key_path(params["privatekey_path"], "young")
    for path in (old, young):
        _files.create_private_file(path, b"k", 0o600)
    os.utime(old, (1, 1))
    assert _files.remove_stale_pending_keys(params["privatekey_path"], 3600) == [old]
    assert os.path.exists(young)


def test_backup_copy_of_a_key_is_never_wider_than_0600(tmp_path, monkeypatch):
    key = tmp_path / "k.key"
    _files.write_atomically(str(key), b"-----BEGIN PRIVATE KEY-----", 0o600)
    modes = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):
        if str(path).startswith(str(key) + "."):
            modes.append(mode)
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    os.umask(0)
    try:
        backup = _files.backup_copy(str(key))
    finally:
        os.umask(0o022)
    assert modes == [0o600]
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600


# --- issue 12: what a host's files may not do -------------------------------------------------


def test_a_fifo_at_any_path_is_refused_without_blocking(params, tmp_path):
    for which in ("path", "privatekey_path", "record"):
        target = _files.bookkeeping_path(params["path"]) if which == "record" else params[which]
        os.mkfifo(target)  # opening a FIFO for reading would block forever; inspection must not
        problems = phases.inspect(params).problems
        assert any("is a FIFO, not a regular file" in problem for problem in problems), problems
        os.unlink(target)


def test_a_huge_file_is_never_read_whole(params):
    with open(params["path"], "wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: 60 MB without using the disk
    found = phases.inspect(params)
    assert found.certificate_state == "unreadable"
    assert "larger than" in found.certificate_error
    with pytest.raises(_files.FileTooLargeError):
        _files.read_bytes(params["path"])


def test_an_oversized_or_garbage_record_is_ignored(params):
    key = generate_private_key("RSA")
    install(params, issue_for(key.public_key()), private_key_pem(key).decode())
    with open(_files.bookkeeping_path(params["path"]), "wb") as handle:
        handle.write(b"{" + b" " * (2 * 1024 * 1024) + b"}")
    assert phases.inspect(params).bookkeeping is None


def test_an_encrypted_key_is_refused_before_anything_is_asked_of_esa(params):
    key = generate_private_key("RSA")
    encrypted = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"passphrase"))
    with open(params["privatekey_path"], "wb") as handle:
        handle.write(encrypted)
    params["csr_content"] = build_csr_pem(key, "app.example.com")
    problems = phases.inspect(params).problems
    assert problems
    assert "holds an encrypted private key" in problems[0]


def test_a_csr_users_key_must_be_the_csrs(params):
    key, stranger = generate_private_key("ECDSA"), generate_private_key("ECDSA")
    params["csr_content"] = build_csr_pem(key, "app.example.com")
    assert any("does not exist" in p for p in phases.inspect(params).problems)
    _files.write_atomically(params["privatekey_path"], private_key_pem(stranger), 0o600)
    assert any("is not the private key of the CSR" in p for p in phases.inspect(params).problems)
    _files.write_atomically(params["privatekey_path"], private_key_pem(key), 0o600)
    assert phases.inspect(params).problems == []


def test_two_options_naming_one_file_through_a_symlink_are_refused(params, tmp_path):
    os.symlink(params["path"], str(tmp_path / "alias.key"))
    params["privatekey_path"] = str(tmp_path / "alias.key")
    assert any("privatekey_path and path name the same file" in p for p in phases.inspect(params).problems)


def test_the_record_follows_the_certificates_mode_and_owner(params):
    key = generate_private_key("RSA")
    install(params, issue_for(key.public_key()), private_key_pem(key).decode())
    os.chmod(params["path"], 0o640)
    record = _files.bookkeeping_path(params["path"])
    assert _files.bookkeeping_attributes_differ(params["path"])
    _files.match_bookkeeping_attributes(params["path"])
    assert stat.S_IMODE(os.stat(record).st_mode) == 0o640
    assert not _files.bookkeeping_attributes_differ(params["path"])
    phases.maintain(params, Bookkeeping.from_dict(_files.read_bookkeeping(params["path"])), _files.content_sha256(params["path"]))
    assert stat.S_IMODE(os.stat(record).st_mode) == 0o640
    if os.geteuid() == 0:
        os.chown(params["path"], 1234, 5678)
        _files.match_bookkeeping_attributes(params["path"])
        assert (os.stat(record).st_uid, os.stat(record).st_gid) == (1234, 5678)


def test_a_planted_symlink_at_the_record_is_never_chmodded_through(params, tmp_path):
    key = generate_private_key("RSA")
    install(params, issue_for(key.public_key()), private_key_pem(key).decode())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("x")
    os.chmod(str(elsewhere), 0o600)
    os.unlink(_files.bookkeeping_path(params["path"]))
    os.symlink(str(elsewhere), _files.bookkeeping_path(params["path"]))
    os.chmod(params["path"], 0o644)
    _files.match_bookkeeping_attributes(params["path"])
    assert stat.S_IMODE(os.stat(str(elsewhere)).st_mode) == 0o600


def test_inspection_proves_possession_only_with_the_key(params):
    from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import possession as _possession  # pylint: disable=import-outside-toplevel

    key = generate_private_key("ECDSA")
    install(params, issue_for(key.public_key()), private_key_pem(key).decode())
    params["state"] = "absent"
    nonce = _possession.new_nonce()
    params["site_id"] = 7
    proof = phases.inspect(params, proof_nonce=nonce).possession
    assert _possession.verify(key.public_key(), _possession.proof_message(nonce, 7), proof.signature)
    os.unlink(params["privatekey_path"])
    assert phases.inspect(params, proof_nonce=nonce).possession == Possession(unavailable=f"privatekey_path {params['privatekey_path']} cannot be read")


def test_install_signs_with_the_key_it_replaces(params):
    from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import possession as _possession  # pylint: disable=import-outside-toplevel

    old, new = generate_private_key("RSA"), generate_private_key("RSA")
    install(params, issue_for(old.public_key()), private_key_pem(old).decode())
    params["site_id"] = 7
    nonce = _possession.new_nonce()
    out = install(params, issue_for(new.public_key()), private_key_pem(new).decode(), proof_nonce=nonce)
    message = _possession.proof_message(nonce, 7)
    assert _possession.verify(old.public_key(), message, out.possession.signature)
    assert not _possession.verify(new.public_key(), message, out.possession.signature)


def test_a_sealed_key_for_another_run_is_refused_and_nothing_written(params):
    key = generate_private_key("RSA")
    phases.prepare_recipient(params, TOKEN)
    _private, someone_elses = _key_wrap.new_recipient()
    sealed = _key_wrap.seal(private_key_pem(key), someone_elses)
    with pytest.raises(phases.TargetError, match="does not open"):
        phases.install(params, issue_for(key.public_key()), sealed, {"site_id": 1, "id": "abc"}, TOKEN, None)
    assert not os.path.exists(params["path"])
    assert not os.path.exists(params["privatekey_path"])


# --- unsafe_writes (issue 15, item 8) ---------------------------------------------------------


def refuse_renames_onto(monkeypatch, *targets):
    """os.replace fails with EBUSY onto these paths, as it does onto a file bind-mounted into a container."""
    import errno  # pylint: disable=import-outside-toplevel

    real_replace = os.replace
    blocked = {os.path.abspath(str(target)) for target in targets}

    def replace(source, destination):
        if os.path.abspath(str(destination)) in blocked:
            raise OSError(errno.EBUSY, "Device or resource busy", str(destination))
        return real_replace(source, destination)

    monkeypatch.setattr(os, "replace", replace)


def test_a_rename_that_cannot_replace_the_file_fails_without_unsafe_writes(params, monkeypatch):
    old = generate_private_key("RSA")
    install(params, issue_for(old.public_key()), private_key_pem(old).decode())
    refuse_renames_onto(monkeypatch, params["path"])
    new = generate_private_key("RSA")
    with pytest.raises(OSError):
        install(params, issue_for(new.public_key()), private_key_pem(new).decode())


def test_unsafe_writes_writes_in_place_where_a_rename_cannot_and_keeps_keys_private(params, monkeypatch):
    old = generate_private_key("RSA")
    install(params, issue_for(old.public_key()), private_key_pem(old).decode())
    os.chmod(params["privatekey_path"], 0o644)  # a wide key file in place: it must be narrowed before the new key goes in
    refuse_renames_onto(monkeypatch, params["path"], params["privatekey_path"], _files.bookkeeping_path(params["path"]))
    params["unsafe_writes"] = True
    new = generate_private_key("RSA")
    pem = issue_for(new.public_key())
    install(params, pem, private_key_pem(new).decode())
    assert read(params["path"]).decode() == pem
    assert stat.S_IMODE(os.stat(params["privatekey_path"]).st_mode) == 0o600
    found = phases.inspect(params)
    assert found.key.public_key_sha256 == found.certificate.public_key_sha256
    assert [name for name in os.listdir(os.path.dirname(params["path"])) if name.endswith((".tmp", ".esa-pending"))] == []


# --- the key and CSR made during the inspection (issue 16) ------------------------------------


def test_files_that_call_for_a_new_certificate_get_their_key_and_csr_in_the_inspection(params):
    import datetime  # pylint: disable=import-outside-toplevel

    now = datetime.datetime.now(datetime.timezone.utc)
    params.update(key_source="local", rotate_key=True, common_name="web01.example.com", remaining_days=None, force=False)
    inspected = phases.prepare_if_due(params, phases.inspect(params), TOKEN, now)
    assert inspected.prepared.csr_pem.startswith("-----BEGIN CERTIFICATE REQUEST-----")
    assert inspected.prepared.new_key
    assert stat.S_IMODE(os.stat(_files.pending_key_path(params["privatekey_path"], TOKEN)).st_mode) == 0o600
    install(params, issue_for(x509.load_pem_x509_csr(inspected.prepared.csr_pem.encode()).public_key()))
    healthy = phases.prepare_if_due(params, phases.inspect(params), "other", now)
    assert healthy.prepared is None
    assert not os.path.exists(_files.pending_key_path(params["privatekey_path"], "other"))


def test_key_source_esa_gets_its_one_time_key_in_the_inspection_and_a_csr_nothing(params):
    import datetime  # pylint: disable=import-outside-toplevel

    now = datetime.datetime.now(datetime.timezone.utc)
    params.update(key_source="esa", rotate_key=True, common_name=None, remaining_days=None, force=False)
    assert phases.prepare_if_due(params, phases.inspect(params), TOKEN, now).prepared.recipient_public_key
    key = generate_private_key("ECDSA")
    params.update(key_source="local", csr_content=build_csr_pem(key, "app.example.com"), privatekey_path=None)
    assert phases.prepare_if_due(params, phases.inspect(params), TOKEN, now).prepared is None
