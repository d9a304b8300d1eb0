# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plain install (issue 16): the install of a key made on the host, run by a standard-library program instead of
an AnsibleModule, writes what the module would, refuses what only the module can do, and fails as clearly."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files, _plain_install
from ansible_collections.alibabacloud.esa.plugins.module_utils import _target_phases as phases
from ansible_collections.alibabacloud.esa.plugins.module_utils._keys import generate_private_key, load_private_key, private_key_pem
from ansible_collections.alibabacloud.esa.plugins.module_utils._target_contract import Bookkeeping, ContractError, Inspection, TargetRequest
from ansible_collections.alibabacloud.esa.plugins.plugin_utils import _plain_install_program as program_module
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._install_facts import facts_for_install

CA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
TOKEN = "p1a1n"


def issue_for(public_key, common_name="web01.example.com"):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ESA CA")])).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
            .sign(CA_KEY, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


@pytest.fixture
def params(tmp_path):
    folder = tmp_path / "host"
    folder.mkdir()
    return {"path": str(folder / "client.crt"), "privatekey_path": str(folder / "client.key"), "state": "present", "pkey_type": "RSA",
            "backup": False, "csr_path": None, "csr_content": None, "key_source": "local", "mode": "0640", "privatekey_mode": "0600",
            "owner": None, "group": None, "seuser": None, "serole": None, "setype": None, "selevel": None, "attributes": None,
            "unsafe_writes": False, "return_content": False}


def install_request(params):
    """A pending key and CSR made as the inspection makes them, and the install request the controller would send."""
    prepared = phases.prepare_key_and_csr(params, new_key=True, common_name="web01.example.com", run_token=TOKEN)
    with open(_files.pending_key_path(params["privatekey_path"], TOKEN), "rb") as handle:
        pem = issue_for(load_private_key(handle.read()).public_key())
    return TargetRequest(phase="install", run_id=TOKEN, certificate_pem=pem, bookkeeping=Bookkeeping(site_id=1, id="abc"), with_pem=True,
                         parsed_facts=facts_for_install(pem, prepared.csr_pem), expected_key_file_sha256=prepared.key_file_sha256)


def run_program(params, request, tmp_path):
    """The controller's program, run as the target runs it, by a Python without site-packages (no ansible, no cryptography)
    from a working directory where a planted json.py would break any import of it from there."""
    (tmp_path / "json.py").write_text("raise SystemExit('imported from the working directory')\n")
    done = subprocess.run([sys.executable, "-I", "-S"], input=program_module.program(params, request), capture_output=True, cwd=tmp_path, check=False)
    return program_module.answer({"rc": done.returncode, "stdout": done.stdout.decode(), "stderr": done.stderr.decode()})


def test_the_program_installs_what_the_module_would_with_the_standard_library_alone(params, tmp_path):
    request = install_request(params)
    answer = run_program(params, request, tmp_path)
    assert answer["changed"] is True and answer["raced"] is False, answer
    inspection = Inspection.from_dict(answer["inspection"])
    assert inspection.parse_cache_hit and inspection.certificate_pem == request.certificate_pem
    assert inspection.key.public_key_sha256 == inspection.certificate.public_key_sha256
    stored = _files.read_bookkeeping(params["path"])
    assert stored["parsed"] == phases.parsed_entry(params) and stored["id"] == "abc"  # what the target's own parse would say
    modes = {name: stat.S_IMODE(os.stat(os.path.join(os.path.dirname(params["path"]), name)).st_mode) for name in os.listdir(os.path.dirname(params["path"]))}
    assert modes == {"client.crt": 0o640, "client.key": 0o600, "client.crt.esa.json": 0o640}


def test_a_key_changed_since_the_csr_answers_failed_and_writes_nothing(params, tmp_path):
    request = install_request(params)
    _files.write_atomically(_files.pending_key_path(params["privatekey_path"], TOKEN), private_key_pem(generate_private_key("ECDSA")), 0o600)
    answer = run_program(params, request, tmp_path)
    assert answer == {"failed": True, "msg": "the private key that signed the CSR changed on the target since; nothing was written"}
    assert not os.path.exists(params["path"]) and not os.path.exists(params["privatekey_path"])


def test_a_file_error_is_one_line(params, tmp_path):
    request = install_request(params)
    os.mkfifo(params["path"])  # planted after the inspection: reading it could block, so it is refused
    answer = run_program(params, request, tmp_path)
    assert answer["failed"] and answer["msg"].startswith("file operation failed on the target: "), answer
    assert "\n" not in answer["msg"] and params["path"] in answer["msg"] and not os.path.exists(params["privatekey_path"])


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"key_source": "esa"}, "key_source is esa"),
        ({"owner": "www"}, "owner is set"),
        ({"group": "www"}, "group is set"),
        ({"setype": "cert_t"}, "setype is set"),
        ({"attributes": "+i"}, "attributes is set"),
        ({"csr_path": "/etc/client.csr"}, "csr_path is set"),
        ({"mode": "u=rw,g=r"}, "mode is not an octal string"),
        ({"mode": 420}, "mode is not an octal string"),
        ({"privatekey_mode": "600 "}, "privatekey_mode is not an octal string"),
    ],
)
def test_only_what_the_plain_install_does_exactly_is_left_to_it(params, change, reason):
    assert _plain_install.obstacle(params) is None and _plain_install.obstacle({**params, "mode": None}) is None
    assert reason in _plain_install.obstacle({**params, **change})
    request = TargetRequest(phase="install", run_id=TOKEN, certificate_pem="x", bookkeeping=Bookkeeping(site_id=1, id="abc"),
                            parsed_facts={"certificate": {}}, expected_key_file_sha256="0" * 64)
    with pytest.raises(ContractError, match="cannot honour"):
        _plain_install.run({"params": {**params, **change}, "target": request.to_dict()})


def test_the_target_refuses_any_other_request(params):
    request = install_request(params)
    for other in (TargetRequest(phase="inspect"), TargetRequest(phase="install", run_id=TOKEN, certificate_pem="x", bookkeeping=Bookkeeping(site_id=1, id="a")),
                  TargetRequest(**{**request.__dict__, "proof_nonce": "n"}), TargetRequest(**{**request.__dict__, "privatekey_sealed": {"a": "b"}})):
        with pytest.raises(ContractError, match="serves only"):
            _plain_install.run({"params": params, "target": other.to_dict()})
    with pytest.raises(ContractError, match="options"):
        _plain_install.run({"target": request.to_dict()})
    assert not os.path.exists(params["path"])


def test_set_mode_never_follows_a_symlink(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("x")
    victim.chmod(0o600)
    (tmp_path / "link").symlink_to(victim)
    with pytest.raises(OSError):
        _files.set_mode(str(tmp_path / "link"), 0o644)
    assert stat.S_IMODE(victim.stat().st_mode) == 0o600
    assert _files.set_mode(str(victim), 0o640) is True and _files.set_mode(str(victim), 0o640) is False


def plain_inspection(**changes):
    return Inspection(certificate_state="missing", selinux_enabled=changes.pop("selinux_enabled", False))


@pytest.mark.parametrize(
    ("keywords", "reason"),
    [
        ({"pipelining": False}, "pipelining is off"),
        ({"asynchronous": True}, "asynchronous"),
        ({"shell_family": "powershell"}, "the shell is powershell"),
        ({"interpreter": "/usr/bin/env python3"}, "not a single path"),
        ({"interpreter": ""}, "not a single path"),
    ],
)
def test_the_controller_uses_the_plain_install_only_where_it_can(params, keywords, reason):
    request = TargetRequest(phase="install", parsed_facts={"certificate": {}}, expected_key_file_sha256="0" * 64)
    settings = {"interpreter": "/usr/bin/python3", "pipelining": True, "shell_family": "sh", "asynchronous": False}
    assert program_module.obstacle(params, request, plain_inspection(), **settings) is None
    assert reason in program_module.obstacle(params, request, plain_inspection(), **{**settings, **keywords})
    assert "SELinux" in program_module.obstacle(params, request, plain_inspection(selinux_enabled=None), **settings)
    assert "SELinux" in program_module.obstacle(params, request, plain_inspection(selinux_enabled=True), **settings)
    assert "owner is set" in program_module.obstacle({**params, "owner": "www"}, request, plain_inspection(), **settings)
    for needs_module in (TargetRequest(phase="install"), TargetRequest(phase="install", parsed_facts={}, proof_nonce="n")):
        assert "parse, sign or unseal" in program_module.obstacle(params, needs_module, plain_inspection(), **settings)


def test_the_answer_is_the_json_object_or_a_failure_that_says_what_came_back():
    assert program_module.answer({"rc": 0, "stdout": 'motd line\n{"changed": true}\n'}) == {"changed": True}
    failed = program_module.answer({"rc": 127, "stdout": "", "stderr": "sh: 1: /usr/bin/python3: not found\n"})
    assert failed == {"failed": True, "msg": "the install on the target gave no answer (exit status 127): sh: 1: /usr/bin/python3: not found"}
    assert program_module.answer({"rc": 0, "stdout": "[1]"})["failed"]


def test_the_program_carries_every_string_as_a_literal(params):
    request = TargetRequest(phase="install", run_id="x", certificate_pem="'''\"\"\"\\\nimport os; os.system('boom')", parsed_facts={})
    text = program_module.program(params, request).decode()
    namespace: dict = {}
    exec(text.split("\nimport sys\n")[0], namespace)  # noqa: S102  # the literals alone, not the bootstrap
    assert json.loads(namespace["_REQUEST"])["target"]["certificate_pem"] == request.certificate_pem
