# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The actions that talk to ESA only (info, hostnames, client CA), run in-process against the emulator through the SDK."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.alibabacloud.esa.plugins.action.esa_client_ca_certificate import ActionModule as CaAction
from ansible_collections.alibabacloud.esa.plugins.action.esa_client_certificate_hostnames import ActionModule as HostnamesAction
from ansible_collections.alibabacloud.esa.plugins.action.esa_client_certificate_info import ActionModule as InfoAction
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import build_csr_pem, generate_private_key
from ansible_collections.alibabacloud.esa.tests.unit.plugins.action.action_runner import run_action

SITE = 1234567890123


@pytest.fixture
def esa(esa_emulator):
    def run(action_class, check_mode=False, diff=False, **options):
        args = {"site_id": SITE, "endpoint": esa_emulator.url, "api_retries": 1, **esa_emulator.credentials, **options}
        result, target = run_action(action_class, args, check_mode=check_mode, diff=diff)
        assert target is None
        return result

    return run


def ca_pem(common_name="Partner Client CA"):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(hours=12)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now).not_valid_after(now + dt.timedelta(days=365))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def test_info_lists_with_filters_and_never_changes(esa, esa_emulator):
    from alibabacloud_esa20240910 import models  # pylint: disable=import-outside-toplevel
    from alibabacloud_esa20240910.client import Client  # pylint: disable=import-outside-toplevel
    from alibabacloud_tea_openapi.utils_models import Config  # pylint: disable=import-outside-toplevel

    client = Client(Config(endpoint=esa_emulator.endpoint, protocol="http", **esa_emulator.credentials))
    for name in ("api-1.example.com", "API-2.example.com"):
        client.create_client_certificate(models.CreateClientCertificateRequest(site_id=SITE, csr=build_csr_pem(generate_private_key("ECDSA"), name),
                                                                               validity_days=30))
    listed = esa(InfoAction)
    assert not listed["changed"]
    assert len(listed["certificates"]) == 2
    assert [facts["common_name"] for facts in esa(InfoAction, common_name="api-1.example.com")["certificates"]] == ["api-1.example.com"]
    assert esa(InfoAction, expires_within_days=-1)["failed"]


def test_hostnames_bind_once_then_settle_and_refuse_an_empty_list(esa, esa_emulator):
    checked = esa(HostnamesAction, hostnames=["api.example.com"], check_mode=True)
    assert checked["changed"]
    assert esa_emulator.hostname_bindings() == []
    bound = esa(HostnamesAction, hostnames=["api.example.com", "www.example.com"], diff=True)
    assert bound["changed"]
    assert bound["added"] == ["api.example.com", "www.example.com"]
    assert bound["diff"]["before"] == {"hostnames": []}
    assert not esa(HostnamesAction, hostnames=["WWW.example.com.", "api.example.com"])["changed"]
    refused = esa(HostnamesAction, hostnames=[])
    assert refused["failed"]
    assert "state=absent" in refused["msg"]
    cleared = esa(HostnamesAction, state="absent")
    assert cleared["changed"]
    assert cleared["hostnames"] == []


def test_a_client_ca_is_uploaded_once_found_again_when_esa_blanks_its_fingerprint_and_deleted(esa, esa_emulator):
    pem = ca_pem()
    planned = esa(CaAction, certificate=pem, check_mode=True)
    assert planned["changed"]
    assert planned["certificate"]["id"] is None
    assert esa_emulator.client_cas() == []
    uploaded = esa(CaAction, certificate=pem, name="partner")
    assert uploaded["changed"]
    assert uploaded["certificate"]["id"]
    esa_emulator.update_settings(derived_fields={"client_ca_certificates": "empty"})
    again = esa(CaAction, certificate=pem, name="partner")
    assert not again["changed"]
    assert again["certificate"]["id"] == uploaded["certificate"]["id"]
    deleted = esa(CaAction, certificate=pem, id=uploaded["certificate"]["id"], state="absent")
    assert deleted["changed"]
    assert deleted["deleted_id"] == uploaded["certificate"]["id"]
    assert esa_emulator.client_cas() == []


def test_a_sixth_client_ca_is_refused_before_any_upload(esa, esa_emulator):
    for index in range(5):
        assert esa(CaAction, certificate=ca_pem(f"CA {index}"))["changed"]
    uploads = esa_emulator.stats()["calls"].get("UploadClientCaCertificate", 0)
    refused = esa(CaAction, certificate=ca_pem("CA 6"))
    assert refused["failed"]
    assert "already holds 5 client CA certificates" in refused["msg"]
    assert esa_emulator.stats()["calls"].get("UploadClientCaCertificate", 0) == uploads


def test_a_mistyped_option_is_worded_as_ansible_words_it(esa):
    refused = esa(InfoAction, private_key_path="/x")
    assert refused["failed"]
    assert refused["msg"].startswith("Unsupported parameters for (alibabacloud.esa.esa_client_certificate_info) module: private_key_path.")
