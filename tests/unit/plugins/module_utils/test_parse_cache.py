# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Facts remembered in the bookkeeping record: reused only for the very same bytes, never trusted when malformed."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files, _parse_cache
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import build_csr_pem, generate_private_key, private_key_pem
from ansible_collections.alibabacloud.esa.plugins.module_utils._target import phases
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import Bookkeeping, KeyView
from ansible_collections.alibabacloud.esa.tests.unit.plugins.module_utils._target.test_phases import install, issue_for

COLLECTIONS_ROOT = os.path.abspath(os.path.join(os.path.dirname(_parse_cache.__file__), *[os.pardir] * 5))


@pytest.fixture
def params(tmp_path):
    return {"path": str(tmp_path / "client.crt"), "privatekey_path": str(tmp_path / "client.key"), "state": "present",
            "pkey_type": "RSA", "backup": False, "csr_path": None, "csr_content": None}


@pytest.fixture
def installed(params):
    """A pair as a real install leaves it: key, certificate, and a record with the parsed facts."""
    key = generate_private_key("ECDSA")
    install(params, issue_for(key.public_key()), private_key_pem(key).decode())
    return key


def without_memory(params):
    """The same inspection with the remembered facts dropped from the record: a real parse."""
    record = _files.read_bookkeeping(params["path"])
    _files.write_bookkeeping(params["path"], {name: value for name, value in record.items() if name != "parsed"})
    return phases.inspect(params)


def strip(inspection):
    return dataclasses.replace(inspection, parse_cache_hit=False)


def test_remembered_facts_equal_a_fresh_parse(params, installed):
    remembered = phases.inspect(params, with_pem=True)
    assert remembered.parse_cache_hit
    parsed = without_memory(params)
    assert not parsed.parse_cache_hit
    assert strip(remembered) == dataclasses.replace(strip(parsed), certificate_pem=remembered.certificate_pem)


@pytest.mark.parametrize("which", ["path", "privatekey_path"])
def test_one_changed_byte_in_any_file_parses_again(params, installed, which):
    with open(params[which], "ab") as handle:
        handle.write(b"\n")
    assert not phases.inspect(params).parse_cache_hit


def test_a_replaced_key_is_seen_at_once(params, installed):
    other = generate_private_key("RSA")
    _files.write_atomically(params["privatekey_path"], private_key_pem(other), 0o600)
    found = phases.inspect(params)
    assert not found.parse_cache_hit
    assert found.key.key_type == "RSA"
    assert found.key.public_key_sha256 != found.certificate.public_key_sha256


def test_a_vanished_key_is_missing_not_remembered(params, installed):
    os.unlink(params["privatekey_path"])
    found = phases.inspect(params)
    assert found.key == KeyView(state="missing")


def test_a_csr_is_part_of_the_digest(params, installed, tmp_path):
    csr_path = tmp_path / "client.csr"
    csr_path.write_text(build_csr_pem(installed, "web01.example.com"))
    params.update(csr_path=str(csr_path))
    assert not phases.inspect(params).parse_cache_hit
    stored = Bookkeeping.from_dict(_files.read_bookkeeping(params["path"]))
    assert phases.maintain(params, stored, _files.content_sha256(params["path"])).bookkeeping_written is True
    found = phases.inspect(params)
    assert found.parse_cache_hit
    assert found.csr.public_key_sha256 == found.certificate.public_key_sha256
    assert found.csr.pem == csr_path.read_text()
    csr_path.write_text(build_csr_pem(installed, "other.example.com"))  # same key, new CSR
    found = phases.inspect(params)
    assert not found.parse_cache_hit
    assert found.csr.common_name == "other.example.com"


@pytest.mark.parametrize("tamper", [
    lambda parsed: parsed.update(version=99),
    lambda parsed: parsed["facts"]["certificate"].update(not_after=12345),
    lambda parsed: parsed["facts"]["privatekey"].pop("public_key_sha256"),
    lambda parsed: parsed["facts"].update(extra={}),
    lambda parsed: parsed.update(facts="not a dict"),
    lambda parsed: parsed["facts"]["csr"].update(signature_valid="yes") if parsed["facts"].get("csr") else parsed["facts"].update(csr=[]),
])
def test_a_malformed_memory_is_ignored(params, installed, tamper):
    record = json.loads(open(_files.bookkeeping_path(params["path"])).read())
    tamper(record["parsed"])
    _files.write_bookkeeping(params["path"], record)
    assert not phases.inspect(params).parse_cache_hit


def test_the_record_holds_nothing_of_the_key_but_a_digest(params, installed):
    text = open(_files.bookkeeping_path(params["path"])).read()
    key_pem = open(params["privatekey_path"]).read()
    body = "".join(key_pem.splitlines()[1:-1])
    assert "PRIVATE KEY" not in text
    assert all(body[start:start + 16] not in text for start in range(0, len(body) - 16, 8))


def test_rewriting_the_record_stands_down_when_the_certificate_changed(params, installed):
    before = open(_files.bookkeeping_path(params["path"])).read()
    assert phases.maintain(params, Bookkeeping(site_id=1, id="other"), "0" * 64).bookkeeping_written is False
    assert open(_files.bookkeeping_path(params["path"])).read() == before


def test_digest_keeps_parts_apart():
    assert _parse_cache.files_digest(b"ab", b"c", None) != _parse_cache.files_digest(b"a", b"bc", None)
    assert _parse_cache.files_digest(b"", None, None) != _parse_cache.files_digest(None, b"", None)
    assert _parse_cache.files_digest(b"x", None, None) != _parse_cache.files_digest(b"x", None, b"")


def test_a_no_op_inspection_never_imports_cryptography(params, installed):
    """The point of the memory: a target whose files are unchanged does not pay cryptography's import."""
    script = textwrap.dedent("""
        import json, sys
        from ansible_collections.alibabacloud.esa.plugins.module_utils._target import phases
        from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.support import cryptography_problem
        assert cryptography_problem() is None
        params = json.loads(sys.argv[1])
        found = phases.inspect(params)
        assert found.parse_cache_hit, found
        assert found.certificate_state == "present"
        assert found.key.state == "present"
        print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] == "cryptography")))
    """)
    env = dict(os.environ, PYTHONPATH=COLLECTIONS_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", script, json.dumps(params)], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
