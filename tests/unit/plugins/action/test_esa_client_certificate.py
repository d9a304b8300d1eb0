# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The esa_client_certificate action end to end in one process: the real module as the target, the emulator behind the
official SDK as ESA. Each test counts the ESA calls and the target phases the action made."""

from __future__ import annotations

import json
import os
import shutil
import stat

import pytest

from ansible_collections.alibabacloud.esa.tests.unit.plugins.action.conftest import SITE


def calls(emulator):
    return {action: count for action, count in emulator.stats()["calls"].items() if count}


def test_a_fresh_issue_then_a_no_op_of_one_read(task, esa_emulator, tmp_path):
    first, target = task()
    assert first["changed"], first
    assert first["reasons"] == ["missing"], first
    # The key and CSR are made during the inspection, and the create is the one ESA call (issue 16).
    assert target.phases == ["inspect", "install"]
    assert calls(esa_emulator) == {"CreateClientCertificate": 1}
    assert stat.S_IMODE(os.stat(tmp_path / "host" / "client.key").st_mode) == 0o600
    esa_emulator.service.stats.reset()
    again, target = task()
    assert not again["changed"]
    assert again["reasons"] == []
    assert again["certificate"]["id"] == first["certificate"]["id"]
    assert target.phases == ["inspect"]
    assert calls(esa_emulator) == {"GetClientCertificate": 1}


def test_check_mode_reads_once_and_writes_nothing(task, esa_emulator, tmp_path):
    result, target = task(check_mode=True, diff=True)
    assert result["changed"]
    assert result["reasons"] == ["missing"]
    assert target.phases == ["inspect"]
    assert not (tmp_path / "host" / "client.crt").exists()
    assert calls(esa_emulator) == {"ListClientCertificates": 1}


def test_a_failed_inspection_stops_before_any_esa_call(task, esa_emulator, tmp_path):
    (tmp_path / "host").mkdir()
    os.mkfifo(tmp_path / "host" / "client.crt")
    result, _target = task()
    assert result["failed"]
    assert "is a FIFO" in result["msg"]
    assert calls(esa_emulator) == {}


def test_a_planted_id_is_ignored_and_never_revoked(task, esa_emulator, tmp_path):
    victim, _target = task(directory="victim")
    attacker, _target = task(directory="attacker")
    record = tmp_path / "attacker" / "client.crt.esa.json"
    record.write_text(json.dumps({"site_id": SITE, "id": victim["certificate"]["id"]}))
    result, target = task(directory="attacker", revoke_replaced=True, force=True)
    assert target.phases == ["inspect", "install"]
    assert result["replaced_certificate"]["id"] == attacker["certificate"]["id"]
    assert result["replaced_certificate"]["revoked"]
    assert result["replaced_certificate"]["possession_proven"] is True
    assert any(victim["certificate"]["id"] in warning for warning in result["warnings"])
    statuses = {entry["id"]: entry["status"] for entry in esa_emulator.state()}
    assert statuses[victim["certificate"]["id"]] == "active"
    assert statuses[attacker["certificate"]["id"]] == "revoked"


def test_absent_over_a_copied_public_certificate_revokes_nothing(task, esa_emulator, tmp_path):
    victim, _target = task(directory="victim")
    (tmp_path / "copy").mkdir()
    shutil.copy(tmp_path / "victim" / "client.crt", tmp_path / "copy" / "client.crt")
    result, target = task(directory="copy", state="absent")
    assert result["changed"]
    assert target.phases == ["inspect", "remove"]
    assert any(victim["certificate"]["id"] in warning for warning in result["warnings"])
    assert {entry["id"]: entry["status"] for entry in esa_emulator.state()}[victim["certificate"]["id"]] == "active"
    assert "RevokeClientCertificate" not in calls(esa_emulator)


def test_a_copied_certificate_and_record_renewed_with_revoke_replaced_leave_the_victim_active(task, esa_emulator, tmp_path):
    """The attacker copies the victim's public certificate and bookkeeping over its own files, keeps its own key, and
    renews with revoke_replaced: its key cannot sign for the victim's certificate, so nothing of the victim's is revoked."""
    victim, _target = task(directory="victim")
    attacker, _target = task(directory="attacker")
    for name in ("client.crt", "client.crt.esa.json"):
        shutil.copy(tmp_path / "victim" / name, tmp_path / "attacker" / name)
    result, target = task(directory="attacker", revoke_replaced=True)
    assert result["changed"], result
    assert result["reasons"] == ["key_mismatch"], result
    assert target.phases == ["inspect", "install"]
    assert result["replaced_certificate"]["revoked"] is False
    assert result["replaced_certificate"]["possession_proven"] is False
    assert any(victim["certificate"]["id"] in warning for warning in result["warnings"])
    statuses = {entry["id"]: entry["status"] for entry in esa_emulator.state()}
    assert statuses[victim["certificate"]["id"]] == "active"
    assert statuses[attacker["certificate"]["id"]] == "active"
    assert "RevokeClientCertificate" not in calls(esa_emulator)


def test_absent_revokes_its_own_certificate_and_keeps_the_record(task, esa_emulator):
    issued, _target = task()
    result, _target = task(state="absent")
    assert result["changed"]
    assert result["reasons"] == ["absent"]
    assert "warnings" not in result
    assert {entry["id"]: entry["status"] for entry in esa_emulator.state()} == {issued["certificate"]["id"]: "revoked"}


def revoke_out_of_band(emulator, cert_id):
    """Another operator revokes the certificate on ESA."""
    import datetime  # pylint: disable=import-outside-toplevel

    store = emulator.service.store
    store.set_status(store.get(SITE, cert_id), "revoked", datetime.datetime.now(datetime.timezone.utc))


def test_a_revoked_certificate_fails_with_on_revoked_fail_and_is_reissued_with_a_warning_otherwise(task, esa_emulator):
    issued, _target = task()
    revoke_out_of_band(esa_emulator, issued["certificate"]["id"])
    esa_emulator.service.stats.reset()
    stopped, target = task(on_revoked="fail")
    assert stopped["failed"]
    assert "on_revoked=fail" in stopped["msg"]
    assert issued["certificate"]["id"] in stopped["msg"]
    assert target.phases == ["inspect"]
    assert "CreateClientCertificate" not in calls(esa_emulator)
    reissued, _target = task()
    assert reissued["changed"]
    assert reissued["reasons"] == ["revoked"]
    assert any(issued["certificate"]["id"] in warning for warning in reissued["warnings"])


def test_key_source_esa_writes_a_private_key_that_only_travelled_sealed(task, tmp_path):
    result, target = task(key_source="esa")
    assert result["changed"]
    assert target.phases == ["inspect", "install"]
    install_args = target.arguments[-1]["_target"]
    assert "PRIVATE KEY" not in json.dumps(install_args)
    assert set(install_args["privatekey_sealed"]) == {"ephemeral_public", "nonce", "ciphertext"}
    assert b"PRIVATE KEY" in (tmp_path / "host" / "client.key").read_bytes()


def test_a_refused_create_discards_the_pending_key(task, esa_emulator, tmp_path):
    result, target = task(site_id=2222222222222)
    assert result["failed"]
    assert result["code"] == "QuotaCheckFailed.Function"
    assert target.phases == ["inspect", "discard"]
    assert [name for name in os.listdir(tmp_path / "host") if "pending" in name] == []


def test_a_failed_install_retires_the_certificate_it_was_issued_for(task, esa_emulator, monkeypatch, tmp_path):
    from ansible_collections.alibabacloud.esa.plugins.module_utils._target import phases as _target_phases  # pylint: disable=import-outside-toplevel

    def broken_install(*_args, **_kwargs):
        raise OSError(28, "No space left on device", "/etc/pki/c.crt")

    monkeypatch.setattr(_target_phases, "install", broken_install)
    result, target = task()
    assert result["failed"]
    assert "No space left on device" in result["msg"]
    assert "was revoked and deleted on ESA" in result["msg"]
    assert target.phases == ["inspect", "install", "discard"]
    assert esa_emulator.state() == []
    assert [name for name in os.listdir(tmp_path / "host") if "pending" in name] == []


def test_a_replaced_key_proves_nothing_about_the_replaced_certificate(task, esa_emulator, tmp_path):
    """Someone put another key in place: the run reissues (key_mismatch) but cannot vouch for the old certificate."""
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import generate_private_key, private_key_pem

    first, _target = task()
    (tmp_path / "host" / "client.key").write_bytes(private_key_pem(generate_private_key("RSA")))
    result, target = task(revoke_replaced=True)
    assert target.phases == ["inspect", "install"]
    assert result["reasons"] == ["key_mismatch"]
    # Without proof the id is not handed on (a playbook must not be invited to revoke it); the fingerprint says which one.
    assert result["replaced_certificate"] == {"id": None, "fingerprint_sha256": first["certificate"]["fingerprint_sha256"],
                                              "revoked": False, "possession_proven": False}
    assert any(first["certificate"]["id"] in warning and "was not revoked" in warning for warning in result["warnings"])
    assert {entry["id"]: entry["status"] for entry in esa_emulator.state()}[first["certificate"]["id"]] == "active"


def test_diff_says_what_would_be_issued_revoked_and_which_attributes_change(task, esa_emulator, tmp_path):
    missing, _target = task(check_mode=True, diff=True, common_name="web01.example.com", validity_days=90)
    assert missing["diff"]["before"] == {}
    assert missing["diff"]["after"] == {"common_name": "web01.example.com", "key_type": "RSA", "key": "a new key made on this host",
                                        "validity_days": 90, "reasons": ["missing"]}
    issued, _target = task(diff=True)
    assert issued["diff"]["after"]["reasons"] == ["missing"]
    assert issued["diff"]["after"]["id"] == issued["certificate"]["id"]
    os.chmod(tmp_path / "host" / "client.crt", 0o600)
    renewal, _target = task(check_mode=True, diff=True, force=True, revoke_replaced=True, mode="0644")
    assert renewal["diff"]["after"]["revokes"] == issued["certificate"]["id"]
    assert renewal["diff"]["after"]["reasons"] == ["forced"]
    path = str(tmp_path / "host" / "client.crt")
    assert renewal["diff"]["before"]["file_attributes"][path]["mode"] == "0600"
    assert renewal["diff"]["after"]["file_attributes"][path]["mode"] == "0644"
    retired, _target = task(check_mode=True, diff=True, state="absent")
    assert retired["diff"]["after"] == {"revokes": issued["certificate"]["id"], "removes_files": [path]}


def test_only_esa_reasons_make_the_key_in_a_phase_of_its_own(task, esa_emulator):
    """A certificate revoked on ESA: the files alone do not call for a new one, so the key is made after the read."""
    issued, _target = task()
    revoke_out_of_band(esa_emulator, issued["certificate"]["id"])
    esa_emulator.service.stats.reset()
    reissued, target = task()
    assert reissued["reasons"] == ["revoked"]
    assert target.phases == ["inspect", "prepare", "install"]
    assert calls(esa_emulator) == {"GetClientCertificate": 1, "CreateClientCertificate": 1}


def test_a_key_made_in_vain_is_discarded(task, esa_emulator):
    """The files say expiring, but the run stops (on_revoked=fail): the key made during the inspection goes."""
    issued, _target = task(validity_days=2)
    revoke_out_of_band(esa_emulator, issued["certificate"]["id"])
    stopped, target = task(validity_days=30, remaining_days=10, on_revoked="fail")
    assert stopped["failed"]
    assert target.phases == ["inspect", "discard"]


@pytest.fixture
def crypto_phases(monkeypatch):
    """The target phases in which the module imported cryptography (module_utils._target_phases._crypto)."""
    from ansible_collections.alibabacloud.esa.plugins.module_utils._target import phases as _target_phases  # pylint: disable=import-outside-toplevel
    from ansible_collections.alibabacloud.esa.plugins.modules import esa_client_certificate as module  # pylint: disable=import-outside-toplevel

    current, used = [], []
    real_run_phase, real_crypto = module.run_phase, _target_phases._crypto

    def run_phase(module_object, request):
        current.append(request.PHASE)
        return real_run_phase(module_object, request)

    def crypto():
        used.append(current[-1])
        return real_crypto()

    monkeypatch.setattr(module, "run_phase", run_phase)
    monkeypatch.setattr(_target_phases, "_crypto", crypto)
    return used


def without_remaining_days(facts):
    return {name: value for name, value in facts.items() if name != "remaining_days"}


def test_a_fresh_issue_installs_without_cryptography_on_the_target(task, esa_emulator, tmp_path, crypto_phases):
    """The controller checks ESA's certificate against the CSR and parses it; the install only hashes (issue 16)."""
    first, target = task()
    assert target.phases == ["inspect", "install"]
    assert set(crypto_phases) == {"inspect"}
    bookkeeping = json.loads((tmp_path / "host" / "client.crt.esa.json").read_text())
    assert bookkeeping["parsed"]["facts"]["certificate"]["fingerprint_sha256"] == first["certificate"]["fingerprint_sha256"]
    del crypto_phases[:]
    again, target = task()
    assert not again["changed"]
    assert without_remaining_days(again["certificate"]) == without_remaining_days(first["certificate"])
    # remaining_days is counted from now: a whole day can end between the runs (a new certificate is 365 days minus
    # the seconds since it was issued, so a slow second run may see 364)
    assert first["certificate"]["remaining_days"] - again["certificate"]["remaining_days"] in (0, 1)
    assert crypto_phases == []


def test_a_renewal_signs_for_the_replaced_certificate_while_making_the_key(task, esa_emulator, crypto_phases):
    """The files call for the renewal: the old key signs the challenge in the inspection, the install only hashes."""
    first, _target = task()
    del crypto_phases[:]
    renewed, target = task(force=True, revoke_replaced=True)
    assert target.phases == ["inspect", "install"]
    assert set(crypto_phases) == {"inspect"}
    assert renewed["replaced_certificate"] == {"id": first["certificate"]["id"], "fingerprint_sha256": first["certificate"]["fingerprint_sha256"],
                                               "revoked": True, "possession_proven": True}
    assert {entry["id"]: entry["status"] for entry in esa_emulator.state()}[first["certificate"]["id"]] == "revoked"


def test_when_only_esa_calls_for_a_new_certificate_the_install_signs(task, esa_emulator, crypto_phases):
    first, _target = task()
    revoke_out_of_band(esa_emulator, first["certificate"]["id"])
    del crypto_phases[:]
    reissued, target = task()
    assert target.phases == ["inspect", "prepare", "install"]
    assert "install" in crypto_phases
    assert reissued["replaced_certificate"]["id"] == first["certificate"]["id"]
    assert reissued["replaced_certificate"]["possession_proven"]


def test_a_certificate_for_another_key_is_never_installed(task, esa_emulator, monkeypatch, tmp_path):
    from ansible_collections.alibabacloud.esa.plugins.action import esa_client_certificate as action  # pylint: disable=import-outside-toplevel

    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import IssuedForAnotherKey

    def mismatch(*_args):
        raise IssuedForAnotherKey("the issued certificate does not match the CSR's public key; nothing was written")

    monkeypatch.setattr(action, "facts_for_install", mismatch)
    result, target = task()
    assert result["failed"]
    assert "does not match the CSR's public key" in result["msg"]
    assert "was revoked and deleted on ESA" in result["msg"]
    assert target.phases == ["inspect", "discard"]
    assert esa_emulator.state() == []
    assert sorted(os.listdir(tmp_path / "host")) == []


def test_a_fresh_issue_sends_the_target_no_secret_and_a_renewal_proves_possession(task, esa_emulator, tmp_path):
    first, target = task(mode="0640")
    assert target.phases == ["inspect", "install"]
    assert calls(esa_emulator) == {"CreateClientCertificate": 1}
    folder = tmp_path / "host"
    assert stat.S_IMODE(os.stat(folder / "client.key").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder / "client.crt").st_mode) == 0o640
    assert stat.S_IMODE(os.stat(folder / "client.crt.esa.json").st_mode) == 0o640
    assert [name for name in os.listdir(folder) if name.startswith(".")] == []  # no pending key left
    sent = json.dumps(target.arguments)
    key_line = (folder / "client.key").read_text().splitlines()[1]
    assert esa_emulator.credentials["access_key_secret"] not in sent
    assert key_line not in sent
    renewed, target = task(mode="0640", force=True, revoke_replaced=True)
    assert target.phases == ["inspect", "install"]
    assert renewed["replaced_certificate"]["revoked"] is True
    assert renewed["replaced_certificate"]["possession_proven"] is True


def test_an_install_that_fails_leaves_no_certificate_behind(task, esa_emulator):
    def failing_install(answer):
        return {"failed": True, "msg": "disk full"} if "raced" in answer else answer

    result, target = task(rewrite=failing_install)
    assert "disk full" in result["msg"]
    assert "was revoked and deleted on ESA" in result["msg"]
    assert target.phases == ["inspect", "install", "discard"]
    assert esa_emulator.state() == []
