# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every reason of the reissue decision, and the boundary of remaining_days."""

from __future__ import annotations

import datetime as dt

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._reissue import (
    REASONS,
    EsaCertificateState,
    LocalCertificate,
    LocalState,
    ReissuePolicy,
    local_state_from_inspection,
    reissue_reasons,
    renewal_threshold,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import Inspection
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
FINGERPRINT = "ab" * 32
PUBLIC = "cd" * 32


def certificate(days_left=300, lifetime=365, key_type="RSA", common_name="web01.example.com", public=PUBLIC):
    not_after = NOW + dt.timedelta(days=days_left)
    return LocalCertificate(
        fingerprint_sha256=FINGERPRINT, public_key_sha256=public, key_type=key_type, common_name=common_name,
        not_before=not_after - dt.timedelta(days=lifetime), not_after=not_after,
    )


def present(**overrides):
    values = {"certificate_state": "present", "certificate": certificate(), "key_checked": True, "key_public_sha256": PUBLIC}
    values.update(overrides)
    return LocalState(**values)


ACTIVE = EsaCertificateState(found=True, fingerprint_sha256=FINGERPRINT, status="active")
KEY_POLICY = ReissuePolicy(uses_csr=False, pkey_type="RSA")
CSR_POLICY = ReissuePolicy(uses_csr=True)


def test_healthy_certificate_needs_nothing():
    assert reissue_reasons(present(), ACTIVE, KEY_POLICY, NOW) == []


def test_missing():
    assert reissue_reasons(LocalState(certificate_state="missing"), None, KEY_POLICY, NOW) == ["missing"]


def test_unreadable():
    assert reissue_reasons(LocalState(certificate_state="unreadable"), None, KEY_POLICY, NOW) == ["unreadable"]


def test_missing_and_forced_reports_both():
    policy = ReissuePolicy(uses_csr=False, force=True)
    assert reissue_reasons(LocalState(certificate_state="missing"), None, policy, NOW) == ["missing", "forced"]


@pytest.mark.parametrize("key_public", [None, "ee" * 32])
def test_key_mismatch_when_key_missing_unreadable_or_other(key_public):
    assert reissue_reasons(present(key_public_sha256=key_public), ACTIVE, KEY_POLICY, NOW) == ["key_mismatch"]


def test_key_not_checked_means_no_key_reason():
    local = present(key_checked=False, key_public_sha256=None, csr_public_key_sha256=PUBLIC, csr_common_name="web01.example.com")
    assert reissue_reasons(local, ACTIVE, CSR_POLICY, NOW) == []


def test_csr_public_key_differs():
    local = present(key_checked=False, csr_public_key_sha256="ee" * 32, csr_common_name="web01.example.com")
    assert reissue_reasons(local, ACTIVE, CSR_POLICY, NOW) == ["csr_mismatch"]


def test_csr_subject_differs():
    local = present(key_checked=False, csr_public_key_sha256=PUBLIC, csr_common_name="other.example.com")
    assert reissue_reasons(local, ACTIVE, CSR_POLICY, NOW) == ["csr_mismatch"]


def test_explicit_common_name_change_is_its_own_reason_for_local_keys():
    policy = ReissuePolicy(uses_csr=False, pkey_type="RSA", common_name="renamed.example.com")
    assert reissue_reasons(present(), ACTIVE, policy, NOW) == ["common_name_changed"]


def test_common_name_changed_is_never_reported_as_a_csr_mismatch():
    policy = ReissuePolicy(uses_csr=False, pkey_type="RSA", common_name="renamed.example.com")
    assert "csr_mismatch" not in reissue_reasons(present(), ACTIVE, policy, NOW)


def test_default_common_name_never_causes_churn():
    policy = ReissuePolicy(uses_csr=False, pkey_type="RSA", common_name=None)
    assert reissue_reasons(present(), ACTIVE, policy, NOW) == []


def test_key_type_changed():
    policy = ReissuePolicy(uses_csr=False, pkey_type="ECDSA")
    assert reissue_reasons(present(), ACTIVE, policy, NOW) == ["key_type_changed"]


def test_key_type_ignored_with_csr():
    local = present(key_checked=False, csr_public_key_sha256=PUBLIC, csr_common_name="web01.example.com")
    policy = ReissuePolicy(uses_csr=True, pkey_type="ECDSA")
    assert reissue_reasons(local, ACTIVE, policy, NOW) == []


def test_expiring_with_explicit_remaining_days():
    local = present(certificate=certificate(days_left=29))
    policy = ReissuePolicy(uses_csr=False, pkey_type="RSA", remaining_days=30)
    assert reissue_reasons(local, ACTIVE, policy, NOW) == ["expiring"]


def test_remaining_days_boundary_exactly_equal_is_not_expiring():
    policy = ReissuePolicy(uses_csr=False, pkey_type="RSA", remaining_days=30)
    exactly = present(certificate=certificate(days_left=30))
    assert reissue_reasons(exactly, ACTIVE, policy, NOW) == []
    one_second_less = NOW + dt.timedelta(seconds=1)
    assert reissue_reasons(exactly, ACTIVE, policy, one_second_less) == ["expiring"]


def test_default_threshold_is_a_third_of_the_lifetime():
    cert = certificate(days_left=100, lifetime=300)
    assert renewal_threshold(cert, None) == dt.timedelta(days=100)
    policy = ReissuePolicy(uses_csr=False, pkey_type="RSA")
    assert reissue_reasons(present(certificate=cert), ACTIVE, policy, NOW) == []
    assert reissue_reasons(present(certificate=cert), ACTIVE, policy, NOW + dt.timedelta(seconds=1)) == ["expiring"]
    assert reissue_reasons(present(certificate=certificate(days_left=101, lifetime=300)), ACTIVE, policy, NOW) == []


def test_remaining_days_zero_renews_only_expired():
    policy = ReissuePolicy(uses_csr=False, pkey_type="RSA", remaining_days=0)
    assert reissue_reasons(present(certificate=certificate(days_left=0)), ACTIVE, policy, NOW) == []
    assert reissue_reasons(present(certificate=certificate(days_left=-1)), ACTIVE, policy, NOW) == ["expiring"]


def test_not_found_remote():
    assert reissue_reasons(present(), EsaCertificateState(found=False), KEY_POLICY, NOW) == ["not_found_remote"]


def test_fingerprint_mismatch():
    remote = EsaCertificateState(found=True, fingerprint_sha256="99" * 32, status="active")
    assert reissue_reasons(present(), remote, KEY_POLICY, NOW) == ["fingerprint_mismatch"]


def test_fingerprint_compared_case_insensitively():
    remote = EsaCertificateState(found=True, fingerprint_sha256=FINGERPRINT.upper(), status="active")
    assert reissue_reasons(present(), remote, KEY_POLICY, NOW) == []


def test_revoked():
    remote = EsaCertificateState(found=True, fingerprint_sha256=FINGERPRINT, status="revoked")
    assert reissue_reasons(present(), remote, KEY_POLICY, NOW) == ["revoked"]


def test_remote_ignored_without_verify_remote():
    policy = ReissuePolicy(uses_csr=False, pkey_type="RSA", verify_remote=False)
    assert reissue_reasons(present(), EsaCertificateState(found=False), policy, NOW) == []


def test_forced_alone():
    policy = ReissuePolicy(uses_csr=False, pkey_type="RSA", force=True)
    assert reissue_reasons(present(), ACTIVE, policy, NOW) == ["forced"]


def test_every_reason_at_once_keeps_the_documented_order():
    local = present(certificate=certificate(days_left=1, key_type="RSA"), key_public_sha256="ee" * 32)
    policy = ReissuePolicy(uses_csr=False, pkey_type="ECDSA", common_name="new.example.com", force=True)
    remote = EsaCertificateState(found=True, fingerprint_sha256="99" * 32, status="revoked")
    reasons = reissue_reasons(local, remote, policy, NOW)
    assert reasons == ["key_mismatch", "common_name_changed", "key_type_changed", "expiring", "fingerprint_mismatch", "revoked", "forced"]
    assert reasons == [r for r in REASONS if r in reasons]


def test_local_state_from_inspection_reads_module_output():
    inspection = Inspection.from_dict({
        "certificate_state": "present", "problems": [],
        "certificate": {"fingerprint_sha256": FINGERPRINT, "public_key_sha256": PUBLIC, "key_type": "RSA", "common_name": "a",
                        "not_before": "2026-01-01T00:00:00Z", "not_after": "2027-01-01T00:00:00Z"},
        "key": {"state": "present", "public_key_sha256": PUBLIC},
    })
    local = local_state_from_inspection(inspection, parse_esa_time)
    assert local.certificate.not_after == dt.datetime(2027, 1, 1, tzinfo=UTC)
    assert local.key_checked
    assert local.key_public_sha256 == PUBLIC
    missing = local_state_from_inspection(Inspection.from_dict({"certificate_state": "missing", "problems": []}), parse_esa_time)
    assert missing.certificate is None
    assert not missing.key_checked


@pytest.mark.parametrize("blank", ["", None])
def test_an_empty_fingerprint_from_esa_never_causes_a_change(blank):
    remote = EsaCertificateState(found=True, fingerprint_sha256=blank, status="active")
    assert reissue_reasons(present(), remote, KEY_POLICY, NOW) == []


def test_a_fingerprint_in_another_format_is_the_same_fingerprint():
    colons = ":".join(FINGERPRINT.upper()[index:index + 2] for index in range(0, 64, 2))
    assert reissue_reasons(present(), EsaCertificateState(found=True, fingerprint_sha256=colons, status="active"), KEY_POLICY, NOW) == []


def test_a_recorded_id_naming_another_certificate_is_a_fingerprint_mismatch_not_a_revocation():
    remote = EsaCertificateState(found=False, names_other_certificate=True)
    assert reissue_reasons(present(), remote, KEY_POLICY, NOW) == ["fingerprint_mismatch"]


def test_esas_certificate_decides_expiry_over_the_remembered_facts():
    """The target's cache claims 2099; ESA's PEM of the very same certificate says it ends in 5 days."""
    remembered = present(certificate=certificate(days_left=27000))
    remote = EsaCertificateState(found=True, fingerprint_sha256=FINGERPRINT, status="active",
                                 not_before=NOW - dt.timedelta(days=360), not_after=NOW + dt.timedelta(days=5))
    assert reissue_reasons(remembered, remote, ReissuePolicy(uses_csr=False, pkey_type="RSA", remaining_days=30), NOW) == ["expiring"]
    # Without an ESA read (verify_remote=false) the files alone decide.
    assert reissue_reasons(remembered, None, ReissuePolicy(uses_csr=False, pkey_type="RSA", remaining_days=30), NOW) == []
