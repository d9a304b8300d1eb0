# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 24: a new host's first --check, and results whose keys do not depend on the mode.

A play reads ``result.certificate.id`` after the task whatever happened; a key that exists only in some modes makes that
line fail in the others. Each scenario below ends in the result it is named for, and its key set is compared with the
documented one (Ansible's own ``diff`` and ``warnings`` aside)."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.esa.plugins.action.esa_client_certificate import ABSENT_RESULT_KEYS, PRESENT_RESULT_KEYS

ANSIBLE_KEYS = {"diff", "warnings"}


def calls(emulator):
    return {action: count for action, count in emulator.stats()["calls"].items() if count}


def keys(result):
    return set(result) - ANSIBLE_KEYS


# --- --check on a host whose directory does not exist yet ------------------------------------------------------------


def test_check_mode_on_a_missing_directory_predicts_the_issue(task, tmp_path):
    result, _target = task(check_mode=True, path=str(tmp_path / "new" / "client.crt"), privatekey_path=str(tmp_path / "new" / "client.key"))
    assert result["changed"] is True


def test_check_mode_on_a_missing_directory_gives_reason_missing(task, tmp_path):
    result, _target = task(check_mode=True, path=str(tmp_path / "new" / "client.crt"), privatekey_path=str(tmp_path / "new" / "client.key"))
    assert result["reasons"] == ["missing"]


def test_check_mode_on_a_missing_directory_shows_no_certificate(task, tmp_path):
    result, _target = task(check_mode=True, path=str(tmp_path / "new" / "client.crt"), privatekey_path=str(tmp_path / "new" / "client.key"))
    assert result["certificate"] is None


def test_check_mode_on_a_missing_directory_is_not_a_failure(task, tmp_path):
    result, _target = task(check_mode=True, path=str(tmp_path / "new" / "client.crt"), privatekey_path=str(tmp_path / "new" / "client.key"))
    assert "failed" not in result, result.get("msg")


def test_check_mode_on_a_missing_directory_creates_nothing(task, tmp_path):
    task(check_mode=True, path=str(tmp_path / "new" / "client.crt"), privatekey_path=str(tmp_path / "new" / "client.key"))
    assert not (tmp_path / "new").exists()


def test_check_mode_on_a_missing_directory_writes_nothing_on_esa(task, esa_emulator, tmp_path):
    task(check_mode=True, path=str(tmp_path / "new" / "client.crt"), privatekey_path=str(tmp_path / "new" / "client.key"))
    assert calls(esa_emulator) == {"ListClientCertificates": 1}


def test_check_mode_on_a_missing_directory_runs_only_the_inspection(task, tmp_path):
    _result, target = task(check_mode=True, path=str(tmp_path / "new" / "client.crt"), privatekey_path=str(tmp_path / "new" / "client.key"))
    assert target.phases == ["inspect"]


def test_check_mode_on_a_missing_key_directory_predicts_the_issue(task, tmp_path):
    result, _target = task(check_mode=True, privatekey_path=str(tmp_path / "keys" / "client.key"))
    assert result["reasons"] == ["missing"]


def test_check_mode_still_refuses_a_directory_it_cannot_write(task, tmp_path):
    (tmp_path / "locked").mkdir(mode=0o500)
    try:
        result, _target = task(check_mode=True, path=str(tmp_path / "locked" / "client.crt"))
    finally:
        (tmp_path / "locked").chmod(0o700)
    if result.get("failed") is None:  # root writes anywhere: nothing to refuse
        pytest.skip("this process may write into a read-only directory")
    assert "is not writable" in result["msg"]


def test_a_real_run_on_a_missing_directory_fails(task, tmp_path):
    result, _target = task(path=str(tmp_path / "new" / "client.crt"), privatekey_path=str(tmp_path / "new" / "client.key"))
    assert result["failed"] is True


def test_a_real_run_on_a_missing_directory_names_it(task, tmp_path):
    result, _target = task(path=str(tmp_path / "new" / "client.crt"), privatekey_path=str(tmp_path / "new" / "client.key"))
    assert result["msg"].startswith(f"path: directory {tmp_path / 'new'} does not exist")


def test_a_real_run_on_a_missing_directory_says_it_in_one_line(task, tmp_path):
    result, _target = task(path=str(tmp_path / "new" / "client.crt"), privatekey_path=str(tmp_path / "new" / "client.key"))
    assert "\n" not in result["msg"]


def test_a_real_run_on_a_missing_directory_calls_no_esa(task, esa_emulator, tmp_path):
    task(path=str(tmp_path / "new" / "client.crt"), privatekey_path=str(tmp_path / "new" / "client.key"))
    assert calls(esa_emulator) == {}


# --- the same keys in every mode --------------------------------------------------------------------------------------


def _fresh_check(task, tmp_path):
    return task(check_mode=True, diff=True)[0]


def _missing_directory_check(task, tmp_path):
    return task(check_mode=True, path=str(tmp_path / "new" / "client.crt"), privatekey_path=str(tmp_path / "new" / "client.key"))[0]


def _fresh_issue(task, tmp_path):
    return task()[0]


def _no_op(task, tmp_path):
    task()
    return task()[0]


def _no_op_check(task, tmp_path):
    task()
    return task(check_mode=True)[0]


def _reissue_check(task, tmp_path):
    task()
    return task(check_mode=True, force=True, revoke_replaced=True)[0]


def _reissue_with_backup(task, tmp_path):
    task()
    return task(force=True, backup=True, revoke_replaced=True)[0]


def _content_returned(task, tmp_path):
    return task(return_content=True)[0]


def _content_check(task, tmp_path):
    return task(check_mode=True, return_content=True)[0]


def _from_a_csr_check(task, tmp_path):
    """No privatekey_path at all: privatekey_filename is still there (null)."""
    return task(check_mode=True, privatekey_path=None, csr_content=_csr_pem())[0]


def _csr_pem():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "csr.example.com")])).sign(
        key, hashes.SHA256()
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode("ascii")


PRESENT_SCENARIOS = [
    _fresh_check,
    _missing_directory_check,
    _fresh_issue,
    _no_op,
    _no_op_check,
    _reissue_check,
    _reissue_with_backup,
    _content_returned,
    _content_check,
    _from_a_csr_check,
]


@pytest.mark.parametrize("scenario", PRESENT_SCENARIOS, ids=[scenario.__name__.strip("_") for scenario in PRESENT_SCENARIOS])
def test_present_results_have_the_documented_keys_in_every_mode(task, tmp_path, scenario):
    result = scenario(task, tmp_path)
    assert keys(result) == set(PRESENT_RESULT_KEYS), result.get("msg")


def test_a_no_op_without_a_replacement_says_replaced_certificate_null(task, tmp_path):
    result = _no_op(task, tmp_path)
    assert result["replaced_certificate"] is None


def test_a_real_run_has_possession_proven_null(task, tmp_path):
    result = _no_op(task, tmp_path)
    assert result["possession_proven"] is None


def test_a_reissue_check_predicts_the_replaced_certificate_id(task, tmp_path):
    first = task()[0]
    result = task(check_mode=True, force=True, revoke_replaced=True)[0]
    assert result["replaced_certificate"]["id"] == first["certificate"]["id"]


def test_a_reissue_check_predicts_the_revocation(task, tmp_path):
    task()
    result = task(check_mode=True, force=True, revoke_replaced=True)[0]
    assert result["replaced_certificate"]["revoked"] is True


def test_a_reissue_check_without_revoke_replaced_predicts_no_revocation(task, tmp_path):
    task()
    result = task(check_mode=True, force=True)[0]
    assert result["replaced_certificate"]["revoked"] is False


def test_a_reissue_check_revokes_nothing(task, esa_emulator, tmp_path):
    task()
    esa_emulator.service.stats.reset()
    task(check_mode=True, force=True, revoke_replaced=True)
    assert calls(esa_emulator) == {"GetClientCertificate": 1}


def _absent_check(task, tmp_path):
    task()
    return task(check_mode=True, state="absent", diff=True)[0]


def _absent(task, tmp_path):
    task()
    return task(state="absent")[0]


def _absent_with_backup(task, tmp_path):
    task()
    return task(state="absent", backup=True)[0]


def _absent_no_op(task, tmp_path):
    return task(state="absent")[0]


ABSENT_SCENARIOS = [_absent_check, _absent, _absent_with_backup, _absent_no_op]


@pytest.mark.parametrize("scenario", ABSENT_SCENARIOS, ids=[scenario.__name__.strip("_") for scenario in ABSENT_SCENARIOS])
def test_absent_results_have_the_documented_keys_in_every_mode(task, tmp_path, scenario):
    result = scenario(task, tmp_path)
    assert keys(result) == set(ABSENT_RESULT_KEYS), result.get("msg")
