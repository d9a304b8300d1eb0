"""Signed calls through the official SDK: a full lifecycle, STS, and each way authentication fails (gateway and ESA-page codes)."""

from __future__ import annotations

import pytest
from alibabacloud_esa20240910 import models
from alibabacloud_tea_openapi.exceptions import ClientException

SITE_ID = 1234567890123


def test_lifecycle_create_get_list_revoke_activate_revoke_delete(client, make_csr, keys):
    created = client.create_client_certificate(models.CreateClientCertificateRequest(
        site_id=SITE_ID, csr=make_csr(keys['p256'], 'device-1.example.com'), validity_days=90)).body
    assert created.status == 'active'
    assert created.common_name == 'device-1.example.com'
    assert created.private_key is None  # the key stayed with the CSR's owner

    got = client.get_client_certificate(models.GetClientCertificateRequest(site_id=SITE_ID, id=created.id)).body
    assert (got.status, got.result.id, got.certificate) == ('active', created.id, created.certificate)
    assert 'PRIVATE KEY' not in got.certificate

    listed = client.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID)).body
    assert [item.id for item in listed.result] == [created.id]

    for call, request_class, status in (
        (client.revoke_client_certificate, models.RevokeClientCertificateRequest, 'revoked'),
        (client.activate_client_certificate, models.ActivateClientCertificateRequest, 'active'),
        (client.revoke_client_certificate, models.RevokeClientCertificateRequest, 'revoked'),
    ):
        answer = call(request_class(site_id=SITE_ID, id=created.id)).body
        assert (answer.id, answer.site_id, answer.site_name) == (created.id, SITE_ID, 'example.com')
        got = client.get_client_certificate(models.GetClientCertificateRequest(site_id=SITE_ID, id=created.id)).body
        assert got.status == got.result.status == status

    deleted = client.delete_client_certificate(models.DeleteClientCertificateRequest(site_id=SITE_ID, id=created.id)).body
    assert deleted.id == created.id
    listed = client.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID)).body
    assert listed.total_count == 0
    assert listed.result == []


def test_update_time_moves_on_status_change_and_create_time_stays(esa_emulator, client, create):
    created = create()
    esa_emulator.set_clock_offset(120)  # within the allowed skew, so the SDK's own clock still passes
    client.revoke_client_certificate(models.RevokeClientCertificateRequest(site_id=SITE_ID, id=created.id))
    result = client.get_client_certificate(models.GetClientCertificateRequest(site_id=SITE_ID, id=created.id)).body.result
    assert result.update_time > result.create_time
    assert result.create_time == created.not_before.replace('T', ' ').rstrip('Z')


def test_sts_credentials_succeed(esa_emulator, make_client):
    sts = make_client(**esa_emulator.sts_credentials)
    assert sts.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID)).body.total_count == 0


BAD_CREDENTIALS = [
    pytest.param({'access_key_secret': 'not-the-secret'}, 'SignatureDoesNotMatch', 400, id='wrong-secret'),
    pytest.param({'access_key_id': 'LTAIunknownKeyId'}, 'InvalidAccessKeyId.NotFound', 404, id='unknown-key-id'),
    pytest.param({'access_key_id': 'STS.emulatorKeyId', 'access_key_secret': 'emulator-sts-secret-do-not-use',
                  'security_token': 'stolen-token'}, 'InvalidSecurityToken.MismatchWithAccessKey', 400, id='wrong-sts-token'),
    pytest.param({'access_key_id': 'STS.emulatorKeyId', 'access_key_secret': 'emulator-sts-secret-do-not-use'},
                 'IncompleteSignature', 400, id='sts-without-token'),
    pytest.param({'security_token': 'emulator-sts-security-token-do-not-use'}, 'InvalidSecurityToken.MismatchWithAccessKey', 400,
                 id='token-with-permanent-key'),
]


@pytest.mark.parametrize(('overrides', 'code', 'status'), BAD_CREDENTIALS)
def test_bad_credentials_get_the_gateway_code(make_client, overrides, code, status):
    with pytest.raises(ClientException) as caught:
        make_client(**overrides).list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID))
    assert (caught.value.code, caught.value.status_code) == (code, status)


@pytest.mark.parametrize(('overrides', 'code', 'status'), BAD_CREDENTIALS)
def test_bad_credentials_without_gateway_codes_are_invalid_token(esa_emulator, make_client, overrides, code, status):
    esa_emulator.update_settings(gateway_codes=False)
    with pytest.raises(ClientException) as caught:
        make_client(**overrides).list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID))
    assert (caught.value.code, caught.value.status_code) == ('Unauthorized.InvalidToken', 403)
    assert 'Token authentication failed.' in caught.value.message


@pytest.mark.parametrize('offset', [16 * 60, -16 * 60, 3600 * 24])
@pytest.mark.parametrize(('gateway_codes', 'code', 'status'), [(True, 'InvalidTimeStamp.Expired', 400), (False, 'Unauthorized.InvalidTime', 403)])
def test_skewed_clock_is_refused(esa_emulator, client, offset, gateway_codes, code, status):
    esa_emulator.update_settings(gateway_codes=gateway_codes)
    esa_emulator.set_clock_offset(offset)
    with pytest.raises(ClientException) as caught:
        client.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID))
    assert (caught.value.code, caught.value.status_code) == (code, status)


@pytest.mark.parametrize('offset', [14 * 60, -14 * 60])
def test_skew_within_fifteen_minutes_is_accepted(esa_emulator, client, offset):
    esa_emulator.set_clock_offset(offset)
    assert client.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID)).body.total_count == 0


def test_every_sdk_call_carries_a_fresh_nonce(esa_emulator, client):
    """The SDK makes a new x-acs-signature-nonce per request, so the replay check never refuses it."""
    for page_number in range(1, 21):
        client.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID, page_number=page_number))
    assert esa_emulator.stats()['answers'] == {'OK': 20}
