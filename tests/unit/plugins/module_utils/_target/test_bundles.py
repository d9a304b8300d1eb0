# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PKCS#12 bundle and full-chain file on the target, on real files: written 0600 and atomically, rewritten only when due."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import support
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import generate_private_key, private_key_pem
from ansible_collections.alibabacloud.esa.plugins.module_utils._target import bundles, phases
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import Bookkeeping

CA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PASSPHRASE = "correct horse battery staple"


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def ca_pem():
    now = dt.datetime.now(dt.timezone.utc)
    ca = (x509.CertificateBuilder().subject_name(_name("ESA CA")).issuer_name(_name("ESA CA")).public_key(CA_KEY.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(CA_KEY, hashes.SHA256()))
    return ca.public_bytes(serialization.Encoding.PEM).decode("ascii")


def issue_for(public_key, common_name="web01.example.com"):
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(_name("ESA CA")).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
            .sign(CA_KEY, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


@pytest.fixture
def params(tmp_path):
    return {"path": str(tmp_path / "client.crt"), "privatekey_path": str(tmp_path / "client.key"), "state": "present", "pkey_type": "RSA",
            "backup": False, "csr_path": None, "csr_content": None, "pkcs12_path": str(tmp_path / "client.p12"), "pkcs12_passphrase": PASSPHRASE,
            "pkcs12_friendly_name": None, "ca_certificate_content": None, "fullchain_path": None}


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def install_pair(params):
    """A key at privatekey_path and a certificate for it installed (the bundle and chain with them); the key."""
    key = generate_private_key("RSA")
    _files.create_private_file(params["privatekey_path"], private_key_pem(key), 0o600)
    phases.install(params, issue_for(key.public_key()), None, Bookkeeping(site_id=1, id="abc"), "t0k3n", _files.content_sha256(params["path"]))
    return key


def maintain(params):
    return phases.maintain(params, None, _files.content_sha256(params["path"]))


def test_the_bundle_holds_the_certificate_and_key_and_opens_with_the_passphrase(params):
    key = install_pair(params)
    loaded_key, loaded_certificate, _cas = pkcs12.load_key_and_certificates(read(params["pkcs12_path"]), PASSPHRASE.encode())
    assert loaded_certificate.public_bytes(serialization.Encoding.PEM) == read(params["path"])
    assert loaded_key.private_numbers() == key.private_numbers()


def test_the_bundle_does_not_open_without_the_passphrase(params):
    install_pair(params)
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(read(params["pkcs12_path"]), b"another passphrase")


@pytest.fixture
def open_umask():
    """The widest umask: a mode then comes from the descriptor alone."""
    saved = os.umask(0)
    yield
    os.umask(saved)


def test_the_bundle_is_created_0600_from_its_first_byte(params, monkeypatch, open_umask):
    opened = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):
        if os.path.basename(path).startswith(".client.p12."):
            opened.append((flags & os.O_CREAT, mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    install_pair(params)
    assert opened == [(os.O_CREAT, 0o600)]
    assert stat.S_IMODE(os.stat(params["pkcs12_path"]).st_mode) == 0o600


def test_the_bundle_is_renamed_into_place_from_its_own_directory(params, monkeypatch):
    renamed = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda source, target: (renamed.append((source, target)), real_replace(source, target))[1])
    install_pair(params)
    into_bundle = [source for source, target in renamed if target == params["pkcs12_path"]]
    assert [os.path.dirname(source) for source in into_bundle] == [os.path.dirname(params["pkcs12_path"])]


def test_a_failed_rename_keeps_the_old_bundle_and_leaves_no_temporary_file(params, monkeypatch):
    install_pair(params)
    before = read(params["pkcs12_path"])
    params["pkcs12_passphrase"] = "a new passphrase"
    real_replace = os.replace

    def refuse(source, target):
        if target == params["pkcs12_path"]:
            raise PermissionError(1, "Operation not permitted", target)
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        maintain(params)
    assert read(params["pkcs12_path"]) == before
    assert sorted(os.listdir(os.path.dirname(params["pkcs12_path"]))) == ["client.crt", "client.crt.esa.json", "client.key", "client.p12"]


def test_a_current_bundle_is_not_due_and_not_rewritten(params, monkeypatch):
    install_pair(params)
    before = read(params["pkcs12_path"])
    assert not phases.inspect(params).pkcs12_due
    monkeypatch.setattr(bundles, "_pkcs12_bytes", lambda *_args: pytest.fail("a current bundle was made again"))
    assert not maintain(params).pkcs12_written
    assert read(params["pkcs12_path"]) == before


@pytest.mark.parametrize("option, value", [("pkcs12_passphrase", "a new passphrase"), ("pkcs12_friendly_name", "web01"), ("ca_certificate_content", ca_pem())])
def test_a_changed_option_makes_the_bundle_due_and_rewrites_it(params, option, value):
    install_pair(params)
    params[option] = value
    assert phases.inspect(params).pkcs12_due
    assert maintain(params).pkcs12_written
    assert not phases.inspect(params).pkcs12_due


def test_after_a_passphrase_change_the_bundle_opens_with_the_new_one(params):
    install_pair(params)
    params["pkcs12_passphrase"] = "a new passphrase"
    maintain(params)
    _key, certificate, _cas = pkcs12.load_key_and_certificates(read(params["pkcs12_path"]), b"a new passphrase")
    assert certificate.public_bytes(serialization.Encoding.PEM) == read(params["path"])


def test_a_new_certificate_rewrites_the_bundle(params):
    key = install_pair(params)
    before = read(params["pkcs12_path"])
    phases.install(params, issue_for(key.public_key()), None, Bookkeeping(site_id=1, id="def"), "t0k3n", _files.content_sha256(params["path"]))
    assert read(params["pkcs12_path"]) != before


def test_with_backup_a_new_certificate_keeps_a_0600_copy_of_the_replaced_bundle_and_chain(params, tmp_path):
    params.update(fullchain_path=str(tmp_path / "fullchain.pem"), ca_certificate_content=ca_pem())
    key = install_pair(params)
    bundle_before, chain_before = read(params["pkcs12_path"]), read(params["fullchain_path"])
    params["backup"] = True
    installed = phases.install(params, issue_for(key.public_key()), None, Bookkeeping(site_id=1, id="def"), "t0k3n", _files.content_sha256(params["path"]))
    assert read(installed.pkcs12_backup_file) == bundle_before
    assert stat.S_IMODE(os.stat(installed.pkcs12_backup_file).st_mode) == 0o600
    assert read(installed.fullchain_backup_file) == chain_before


def test_with_backup_a_first_bundle_has_no_copy(params):
    params["backup"] = True
    installed_key = generate_private_key("RSA")
    _files.create_private_file(params["privatekey_path"], private_key_pem(installed_key), 0o600)
    installed = phases.install(params, issue_for(installed_key.public_key()), None, Bookkeeping(site_id=1, id="abc"), "t0k3n", None)
    assert installed.pkcs12_written
    assert installed.pkcs12_backup_file is None


def test_without_backup_a_rewritten_bundle_leaves_no_copy(params, tmp_path):
    install_pair(params)
    params["pkcs12_passphrase"] = "a new passphrase"
    kept = maintain(params)
    assert kept.pkcs12_written
    assert kept.pkcs12_backup_file is None
    assert sorted(os.listdir(tmp_path)) == sorted(["client.crt", "client.key", "client.p12", "client.crt.esa.json"])


def test_with_backup_a_passphrase_change_keeps_a_copy_that_opens_with_the_old_one(params):
    install_pair(params)
    params.update(backup=True, pkcs12_passphrase="a new passphrase")
    kept = maintain(params)
    _key, certificate, _cas = pkcs12.load_key_and_certificates(read(kept.pkcs12_backup_file), PASSPHRASE.encode())
    assert certificate.public_bytes(serialization.Encoding.PEM) == read(params["path"])


def test_a_replaced_key_makes_the_bundle_due(params):
    install_pair(params)
    os.unlink(params["privatekey_path"])
    _files.create_private_file(params["privatekey_path"], private_key_pem(generate_private_key("RSA")), 0o600)
    assert phases.inspect(params).pkcs12_due


@pytest.mark.parametrize("damage", ["corrupt", "remove", "widen", "forget"])
def test_a_damaged_missing_or_widened_bundle_or_a_lost_record_is_due(params, damage):
    install_pair(params)
    if damage == "corrupt":
        with open(params["pkcs12_path"], "r+b") as handle:
            handle.write(b"\0\0\0\0")
    elif damage == "remove":
        os.unlink(params["pkcs12_path"])
    elif damage == "widen":
        os.chmod(params["pkcs12_path"], 0o644)
    else:
        os.unlink(_files.bookkeeping_path(params["path"]))
    assert phases.inspect(params).pkcs12_due


def test_a_lost_bookkeeping_file_settles_with_a_record_of_its_own(params):
    install_pair(params)
    os.unlink(_files.bookkeeping_path(params["path"]))
    assert maintain(params).pkcs12_written
    assert not phases.inspect(params).pkcs12_due


def test_the_record_never_holds_the_passphrase(params):
    install_pair(params)
    text = read(_files.bookkeeping_path(params["path"])).decode()
    assert PASSPHRASE not in text
    assert set(json.loads(text)[bundles.RECORD_FIELD]) == {"digest", "file_sha256"}


def test_the_bundle_has_the_keys_owner_and_group(params):
    install_pair(params)
    key_status, bundle_status = os.stat(params["privatekey_path"]), os.stat(params["pkcs12_path"])
    assert (bundle_status.st_uid, bundle_status.st_gid) == (key_status.st_uid, key_status.st_gid)


def test_the_ca_certificates_go_into_the_bundle(params):
    params["ca_certificate_content"] = "  \n" + ca_pem()  # surrounding text is ignored
    install_pair(params)
    _key, _certificate, cas = pkcs12.load_key_and_certificates(read(params["pkcs12_path"]), PASSPHRASE.encode())
    assert [ca.subject for ca in cas] == [_name("ESA CA")]


def test_the_full_chain_is_the_certificate_then_the_ca(params, tmp_path):
    ca = ca_pem()
    params.update(fullchain_path=str(tmp_path / "fullchain.pem"), ca_certificate_content=ca)
    install_pair(params)
    assert read(params["fullchain_path"]) == read(params["path"]) + ca.strip().encode() + b"\n"


def test_the_full_chain_follows_the_certificates_mode_and_a_new_ca_rewrites_it(params, tmp_path):
    params.update(fullchain_path=str(tmp_path / "fullchain.pem"), ca_certificate_content=ca_pem())
    install_pair(params)
    assert stat.S_IMODE(os.stat(params["fullchain_path"]).st_mode) == stat.S_IMODE(os.stat(params["path"]).st_mode) & 0o666
    assert not phases.inspect(params).fullchain_due
    params["ca_certificate_content"] = ca_pem()
    assert maintain(params).fullchain_written


def test_removal_takes_the_bundle_and_the_chain(params, tmp_path):
    params.update(fullchain_path=str(tmp_path / "fullchain.pem"), ca_certificate_content=ca_pem())
    install_pair(params)
    removed = phases.remove(params)
    assert params["pkcs12_path"] in removed.removed
    assert not os.path.exists(params["fullchain_path"])


@pytest.mark.parametrize("version", ["2.8", "2.9.2"])
def test_cryptography_before_3_0_is_refused_in_one_line_naming_both_versions(params, monkeypatch, version):
    monkeypatch.setattr(support, "installed_cryptography_version", lambda: version)
    problems = [problem for problem in phases.inspect(params).problems if problem.startswith("pkcs12_path")]
    assert len(problems) == 1
    assert f"cryptography {version}" in problems[0]
    assert "3.0 or later" in problems[0]
    assert "\n" not in problems[0]


def test_cryptography_3_0_is_enough(params, monkeypatch):
    monkeypatch.setattr(support, "installed_cryptography_version", lambda: "3.0")
    assert phases.inspect(params).problems == []


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file away")
def test_as_root_a_bundle_of_another_group_than_the_key_is_due(params):
    install_pair(params)
    os.chown(params["pkcs12_path"], 0, 1)
    assert phases.inspect(params).pkcs12_due
