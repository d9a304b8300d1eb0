# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The identity ESA certifies is the play's: a compromised host (its answers rewritten) never gets another one certified,
and a host's claim to hold a certificate counts only with proof of possession. In one process: the real module as the
target, its answers rewritten as a hostile interpreter would, the emulator behind the official SDK as ESA."""

from __future__ import annotations

import os
import shutil

from ansible_collections.alibabacloud.esa.plugins.action import esa_client_certificate as action_module
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import build_csr_pem, generate_private_key
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.issuance import Issued
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import EsaApiError
from ansible_collections.alibabacloud.esa.tests.unit.plugins.action.action_runner import INVENTORY_HOSTNAME


def creates(emulator):
    return emulator.stats()["calls"].get("CreateClientCertificate", 0)


def common_names(emulator):
    return sorted(entry["common_name"] for entry in emulator.state())


def pending(folder):
    return [name for name in os.listdir(folder) if "pending" in name]


def csr_for(common_name):
    return build_csr_pem(generate_private_key("RSA"), common_name)


def rewriting_csrs(common_name):
    """A host that answers every CSR it made or read with one for ``common_name`` (a key of its own)."""
    forged = csr_for(common_name)

    def rewrite(answer):
        inspection = answer.get("inspection") or {}
        if inspection.get("prepared"):
            inspection["prepared"]["csr_pem"] = forged
        if inspection.get("csr"):
            inspection["csr"]["pem"] = forged
        if answer.get("csr_pem"):  # the prepare phase's answer
            answer["csr_pem"] = forged
        return answer

    return rewrite


def test_without_common_name_the_inventory_hostname_is_certified(task):
    result, _target = task()
    assert result["certificate"]["common_name"] == INVENTORY_HOSTNAME


def test_check_mode_diff_shows_the_common_name_that_would_be_certified(task):
    result, _target = task(check_mode=True, diff=True)
    assert result["diff"]["after"]["common_name"] == INVENTORY_HOSTNAME


def test_an_inventory_hostname_that_cannot_be_a_common_name_is_refused_before_esa(task, esa_emulator):
    result, _target = task(task_vars={"inventory_hostname": "x" * 65})
    assert "set common_name" in result["msg"]
    assert sum(esa_emulator.stats()["calls"].values()) == 0


def test_a_host_rewriting_the_csr_it_made_gets_nothing_certified(task, esa_emulator, tmp_path):
    result, _target = task(common_name="host-a", rewrite=rewriting_csrs("host-b"))
    assert result["failed"]
    assert result["msg"].endswith("nothing was sent to ESA")
    assert creates(esa_emulator) == 0
    assert common_names(esa_emulator) == []
    assert pending(tmp_path / "host") == []


def test_a_host_claiming_another_key_for_its_csr_gets_nothing_certified(task, esa_emulator):
    forged = csr_for("host-a")  # the right name, but a key the host says it did not make

    def rewrite(answer):
        prepared = (answer.get("inspection") or {}).get("prepared")
        if prepared:
            prepared["csr_pem"] = forged
        return answer

    result, _target = task(common_name="host-a", rewrite=rewrite)
    assert "another public key" in result["msg"]
    assert creates(esa_emulator) == 0


def test_a_csr_file_naming_another_identity_is_refused_in_one_line(task, esa_emulator, tmp_path):
    folder = tmp_path / "csr"
    folder.mkdir()
    (folder / "app.csr").write_text(csr_for("host-b"))
    result, _target = task(directory="csr", privatekey_path=None, csr_path=str(folder / "app.csr"), common_name="host-a")
    assert "CN='host-b'" in result["msg"]
    assert "\n" not in result["msg"]
    assert creates(esa_emulator) == 0


def test_a_csr_file_is_checked_against_the_inventory_hostname_by_default(task, esa_emulator, tmp_path):
    folder = tmp_path / "csr"
    folder.mkdir()
    (folder / "app.csr").write_text(csr_for("host-b"))
    result, _target = task(directory="csr", privatekey_path=None, csr_path=str(folder / "app.csr"))
    assert f"not the task's common_name '{INVENTORY_HOSTNAME}'" in result["msg"]
    assert creates(esa_emulator) == 0


def test_a_csr_file_is_refused_in_check_mode_too(task, esa_emulator, tmp_path):
    folder = tmp_path / "csr"
    folder.mkdir()
    (folder / "app.csr").write_text(csr_for("host-b"))
    result, _target = task(check_mode=True, directory="csr", privatekey_path=None, csr_path=str(folder / "app.csr"), common_name="host-a")
    assert result["msg"].endswith("nothing was sent to ESA")


def test_csr_content_is_sent_as_the_task_gave_it_not_as_the_host_echoes_it(task, esa_emulator):
    result, _target = task(privatekey_path=None, csr_content=csr_for("svc.example.com"), rewrite=rewriting_csrs("host-b"))
    assert result["certificate"]["common_name"] == "svc.example.com"
    assert common_names(esa_emulator) == ["svc.example.com"]


def test_csr_content_with_another_common_name_than_the_tasks_is_refused(task, esa_emulator):
    result, _target = task(privatekey_path=None, csr_content=csr_for("svc.example.com"), common_name="other.example.com")
    assert "CN='svc.example.com'" in result["msg"]
    assert creates(esa_emulator) == 0


def test_a_bad_one_time_recipient_key_stops_before_esa_makes_a_key(task, esa_emulator, tmp_path):
    def rewrite(answer):
        prepared = (answer.get("inspection") or {}).get("prepared")
        if prepared:
            prepared["recipient_public_key"] = "AAAA"
        return answer

    result, _target = task(key_source="esa", rewrite=rewrite)
    assert "one-time recipient key" in result["msg"]
    assert creates(esa_emulator) == 0
    assert pending(tmp_path / "host") == []


def test_a_certificate_esa_issued_for_another_name_is_revoked_deleted_and_never_written(task, esa_emulator, tmp_path, monkeypatch):
    other, _target = task(directory="other", common_name="host-b")
    other_pem = (tmp_path / "other" / "client.crt").read_text()
    monkeypatch.setattr(action_module, "issue", lambda *_args, **_kwargs: Issued({"Id": other["certificate"]["id"]}, other_pem, None))
    result, _target = task(common_name="host-a")
    assert "revoked and deleted on ESA and never sent to the host" in result["msg"]
    assert [entry["id"] for entry in esa_emulator.state()] == []
    assert sorted(os.listdir(tmp_path / "host")) == []


def test_a_lookup_that_fails_after_the_key_was_made_leaves_no_pending_key(task, tmp_path, monkeypatch):
    task()

    def failing_lookup(*_args, **_kwargs):
        raise EsaApiError("ESA is down")

    monkeypatch.setattr(action_module, "find_record", failing_lookup)
    result, target = task(force=True)
    assert result["msg"] == "ESA is down"
    assert target.phases[-1] == "discard"
    assert pending(tmp_path / "host") == []


def test_check_mode_proves_the_host_holds_its_certificate(task):
    task()
    result, _target = task(check_mode=True)
    assert result["possession_proven"] is True


def test_a_copy_of_another_hosts_certificate_proves_nothing(task, tmp_path):
    task(directory="retired", common_name="retired-host")
    task(directory="copier", common_name="copier")
    for name in ("client.crt", "client.crt.esa.json"):
        shutil.copy(tmp_path / "retired" / name, tmp_path / "copier" / name)
    result, _target = task(check_mode=True, directory="copier", common_name="retired-host")
    assert result["certificate"]["common_name"] == "retired-host"
    assert result["possession_proven"] is False


def test_a_forged_signature_proves_nothing(task):
    task()

    def rewrite(answer):
        possession = (answer.get("inspection") or {}).get("possession")
        if possession:
            possession["signature"] = "AAAA"
        return answer

    result, _target = task(check_mode=True, rewrite=rewrite)
    assert result["possession_proven"] is False


def test_a_real_run_does_not_claim_possession_either_way(task):
    task()
    result, _target = task()
    assert result["possession_proven"] is None
