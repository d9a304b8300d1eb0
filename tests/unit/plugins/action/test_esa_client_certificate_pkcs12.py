# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pkcs12_path end to end in one process (the real module as the target, the emulator as ESA): written with the pair,
rewritten only when due, predicted in check mode, never an ESA write of its own, and the passphrase in no result."""

from __future__ import annotations

import json
import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import support
from ansible_collections.alibabacloud.esa.plugins.module_utils._target import bundles, phases

PASSPHRASE = "s3cret-bundle-passphrase"


def calls(emulator):
    return {action: count for action, count in emulator.stats()["calls"].items() if count}


@pytest.fixture
def bundle_task(task, tmp_path):
    """The task with a PKCS#12 bundle beside the pair in tmp_path/host."""

    def run(**options):
        options.setdefault("pkcs12_path", str(tmp_path / "host" / "client.p12"))
        options.setdefault("pkcs12_passphrase", PASSPHRASE)
        return task(**options)

    return run


def bundle(tmp_path):
    return (tmp_path / "host" / "client.p12").read_bytes()


def test_a_fresh_issue_writes_a_0600_bundle_of_the_certificate(bundle_task, tmp_path):
    result, _target = bundle_task()
    assert result["pkcs12_written"] is True
    assert result["pkcs12_file"] == str(tmp_path / "host" / "client.p12")
    assert stat.S_IMODE(os.stat(tmp_path / "host" / "client.p12").st_mode) == 0o600
    _key, certificate, _cas = pkcs12.load_key_and_certificates(bundle(tmp_path), PASSPHRASE.encode())
    assert certificate.public_bytes(serialization.Encoding.PEM) == (tmp_path / "host" / "client.crt").read_bytes()


def test_the_passphrase_is_in_no_result_and_no_file_but_the_bundle(bundle_task, tmp_path):
    result, _target = bundle_task()
    assert PASSPHRASE not in json.dumps(result)
    assert PASSPHRASE not in (tmp_path / "host" / "client.crt.esa.json").read_text()


def test_a_rerun_changes_nothing_makes_no_bundle_and_reads_esa_once(bundle_task, esa_emulator, tmp_path, monkeypatch):
    bundle_task()
    before = bundle(tmp_path)
    esa_emulator.service.stats.reset()
    monkeypatch.setattr(bundles, "_pkcs12_bytes", lambda *_args: pytest.fail("a current bundle was made again"))
    monkeypatch.setattr(phases, "_crypto", lambda: pytest.fail("a no-op with a current bundle imported cryptography"))
    again, target = bundle_task()
    assert again["changed"] is False
    assert again["pkcs12_written"] is False
    assert target.phases == ["inspect"]
    assert calls(esa_emulator) == {"GetClientCertificate": 1}
    assert bundle(tmp_path) == before


def test_a_new_passphrase_rewrites_the_bundle_without_an_esa_write(bundle_task, esa_emulator, tmp_path):
    first, _target = bundle_task()
    esa_emulator.service.stats.reset()
    again, _target = bundle_task(pkcs12_passphrase="another passphrase")
    assert again["changed"] is True
    assert again["reasons"] == []
    assert again["pkcs12_written"] is True
    assert again["certificate"]["id"] == first["certificate"]["id"]
    assert calls(esa_emulator) == {"GetClientCertificate": 1}
    _key, certificate, _cas = pkcs12.load_key_and_certificates(bundle(tmp_path), b"another passphrase")
    assert certificate.public_bytes(serialization.Encoding.PEM) == (tmp_path / "host" / "client.crt").read_bytes()


def test_check_mode_predicts_the_rewrite_and_writes_nothing(bundle_task, tmp_path):
    bundle_task()
    before = bundle(tmp_path)
    predicted, target = bundle_task(check_mode=True, pkcs12_passphrase="another passphrase")
    assert predicted["changed"] is True
    assert predicted["pkcs12_written"] is True
    assert target.phases == ["inspect"]
    assert bundle(tmp_path) == before


def test_check_mode_on_a_new_host_predicts_the_bundle_and_writes_none(bundle_task, tmp_path):
    predicted, _target = bundle_task(check_mode=True)
    assert predicted["pkcs12_written"] is True
    assert not (tmp_path / "host" / "client.p12").exists()


def test_a_missing_bundle_is_written_again_without_an_esa_write(bundle_task, esa_emulator, tmp_path):
    bundle_task()
    os.unlink(tmp_path / "host" / "client.p12")
    esa_emulator.service.stats.reset()
    again, _target = bundle_task()
    assert again["pkcs12_written"] is True
    assert calls(esa_emulator) == {"GetClientCertificate": 1}


def test_too_old_a_cryptography_fails_in_one_line_before_any_esa_call(bundle_task, esa_emulator, monkeypatch):
    monkeypatch.setattr(support, "installed_cryptography_version", lambda: "2.8")
    result, _target = bundle_task()
    assert result["failed"] is True
    assert "cryptography 2.8" in result["msg"]
    assert "3.0 or later" in result["msg"]
    assert calls(esa_emulator) == {}


def test_a_ca_content_that_is_not_a_certificate_is_refused_before_any_esa_call(bundle_task, esa_emulator):
    result, target = bundle_task(ca_certificate_content="-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    assert result["failed"] is True
    assert "private key" in result["msg"]
    assert target.phases == []
    assert calls(esa_emulator) == {}


def test_pkcs12_path_without_a_passphrase_is_refused(task, tmp_path, esa_emulator):
    result, _target = task(pkcs12_path=str(tmp_path / "host" / "client.p12"))
    assert "pkcs12_path needs pkcs12_passphrase" in result["msg"]
    assert calls(esa_emulator) == {}


def test_diff_names_the_bundle_a_run_writes(bundle_task, tmp_path):
    bundle_task()
    result, _target = bundle_task(diff=True, pkcs12_passphrase="another passphrase")
    assert result["diff"]["after"]["writes"] == [str(tmp_path / "host" / "client.p12")]


def test_absent_removes_the_bundle(bundle_task, tmp_path):
    bundle_task()
    removed, _target = bundle_task(state="absent", pkcs12_passphrase=None)
    assert removed["changed"] is True
    assert not (tmp_path / "host" / "client.p12").exists()
