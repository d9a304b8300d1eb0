"""Hostnames that require client certificates from a CA: Get/Set(Ca)CertificateHostnames through the official SDK."""

from __future__ import annotations

import json
import urllib.request

import pytest
from alibabacloud_esa20240910 import models
from alibabacloud_esa20240910.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils_models import Config, OpenApiRequest, Params
from darabonba.runtime import RuntimeOptions
from esa_emulator import EmulatorServer

SITE_ID = 1234567890123
BASIC_SITE_ID = 2222222222222
UNKNOWN_ID = '0123456789abcdef0123456789abcdef'
SITE_HOSTNAMES = ['example.com', 'www.example.com', 'api.example.com']  # the default config's site
DOCUMENTED = {'RequestId', 'SiteId', 'SiteName', 'Id', 'Hostnames'}


def _set(client, hostnames, ca_id=None, site_id=SITE_ID, deprecated=False):
    if deprecated:
        return client.set_client_certificate_hostnames(models.SetClientCertificateHostnamesRequest(site_id=site_id, hostnames=hostnames, id=ca_id))
    return client.set_client_ca_certificate_hostnames(models.SetClientCaCertificateHostnamesRequest(site_id=site_id, hostnames=hostnames, id=ca_id))


def _get(client, ca_id=None, site_id=SITE_ID, deprecated=False):
    if deprecated:
        return client.get_client_certificate_hostnames(models.GetClientCertificateHostnamesRequest(site_id=site_id, id=ca_id))
    return client.get_client_ca_certificate_hostnames(models.GetClientCaCertificateHostnamesRequest(site_id=site_id, id=ca_id))


def _check(client, response):
    raw = client.raw_answers[-1]['body']
    assert response.body.to_map() == raw
    assert set(raw) == DOCUMENTED
    assert all(value is not None for value in raw.values())
    return raw


def _refused(call, code='InvalidParameter', status=400):
    with pytest.raises(ClientException) as caught:
        call()
    assert (caught.value.status_code, caught.value.code) == (status, code)
    return caught.value


@pytest.fixture
def uploaded_ca(client, keys, make_ca_pem):
    pem = make_ca_pem(keys['p256'], 'Own Client CA')
    return client.upload_client_ca_certificate(models.UploadClientCaCertificateRequest(site_id=SITE_ID, certificate=pem)).body.id


@pytest.mark.parametrize('deprecated', [False, True], ids=['ca-actions', 'deprecated-actions'])
def test_the_esa_managed_ca_starts_unbound_and_takes_a_set(esa_emulator, client, deprecated):
    empty = _get(client, deprecated=deprecated)
    raw = _check(client, empty)
    # Without Id, ESA answers for its own CA, whose id issued certificates carry as CACertificateId.
    assert (raw['Hostnames'], raw['Id'], raw['SiteId'], raw['SiteName']) == ([], esa_emulator.service.ca.id, SITE_ID, 'example.com')

    answer = _check(client, _set(client, ['www.example.com', 'api.example.com'], deprecated=deprecated))
    assert answer['Hostnames'] == ['www.example.com', 'api.example.com']
    assert answer['Id'] == esa_emulator.service.ca.id
    assert _check(client, _get(client, deprecated=deprecated))['Hostnames'] == ['www.example.com', 'api.example.com']
    assert esa_emulator.hostname_bindings() == [{'site_id': SITE_ID, 'ca_id': None, 'hostnames': ['www.example.com', 'api.example.com']}]


def test_both_families_and_the_managed_ca_id_share_one_binding(esa_emulator, client):
    _set(client, ['example.com'], deprecated=True)
    assert _get(client).body.hostnames == ['example.com']
    _set(client, ['api.example.com'], ca_id=esa_emulator.service.ca.id)  # naming the ESA CA is the same as omitting Id
    assert _get(client, deprecated=True).body.hostnames == ['api.example.com']


def test_an_uploaded_ca_has_its_own_binding(esa_emulator, client, uploaded_ca):
    _set(client, ['www.example.com'])
    answer = _check(client, _set(client, ['api.example.com', 'example.com'], ca_id=uploaded_ca))
    assert answer['Id'] == uploaded_ca
    assert _get(client, ca_id=uploaded_ca).body.hostnames == ['api.example.com', 'example.com']
    assert _get(client, ca_id=uploaded_ca, deprecated=True).body.hostnames == ['api.example.com', 'example.com']
    assert _get(client).body.hostnames == ['www.example.com']

    # Deleting the CA drops its binding, not the managed CA's.
    client.delete_client_ca_certificate(models.DeleteClientCaCertificateRequest(site_id=SITE_ID, id=uploaded_ca))
    assert esa_emulator.hostname_bindings() == [{'site_id': SITE_ID, 'ca_id': None, 'hostnames': ['www.example.com']}]
    _refused(lambda: _get(client, ca_id=uploaded_ca), 'Certificate.NotFound', 404)


def test_a_set_replaces_and_an_empty_set_clears(esa_emulator, client):
    _set(client, SITE_HOSTNAMES)
    _set(client, ['api.example.com'])
    assert _get(client).body.hostnames == ['api.example.com']
    assert _check(client, _set(client, []))['Hostnames'] == []
    assert _get(client).body.hostnames == []
    assert esa_emulator.hostname_bindings() == []


def test_hostnames_are_compared_without_case_or_trailing_dot(client):
    assert _set(client, ['WWW.Example.com', 'www.example.com.', 'example.com']).body.hostnames == ['www.example.com', 'example.com']


def test_hostnames_not_on_the_site_are_refused_and_named(esa_emulator, client):
    _set(client, ['example.com'])
    error = _refused(lambda: _set(client, ['www.example.com', 'shop.example.net', 'www.basic-plan.example']))
    assert error.data['Message'].startswith('The specified parameter is invalid.')
    assert 'shop.example.net' in error.data['Message']
    assert 'www.basic-plan.example' in error.data['Message']
    assert 'www.example.com,' not in error.data['Message']
    assert _get(client).body.hostnames == ['example.com']  # nothing changed


def test_more_than_fifty_hostnames_are_refused(esa_emulator, client):
    error = _refused(lambda: _set(client, [f'h{n}.example.com' for n in range(51)]))
    assert '50' in error.data['Message']
    assert esa_emulator.hostname_bindings() == []


def test_hostnames_must_be_a_json_list(client):
    params = Params(action='SetClientCaCertificateHostnames', version='2024-09-10', protocol='HTTPS', pathname='/', method='POST',
                    auth_type='AK', style='RPC', req_body_type='formData', body_type='json')
    for body in ({'Hostnames': 'www.example.com'}, {'Hostnames': '{"a": 1}'}, {}):
        request = OpenApiRequest(query={'SiteId': str(SITE_ID)}, body=body)
        _refused(lambda r=request: client.call_api(params, r, RuntimeOptions()))


@pytest.mark.parametrize('call', ['get', 'set', 'get-deprecated', 'set-deprecated'])
def test_unknown_ca_id_is_not_found(client, call):
    deprecated = call.endswith('deprecated')
    if call.startswith('get'):
        _refused(lambda: _get(client, ca_id=UNKNOWN_ID, deprecated=deprecated), 'Certificate.NotFound', 404)
    else:
        _refused(lambda: _set(client, ['example.com'], ca_id=UNKNOWN_ID, deprecated=deprecated), 'Certificate.NotFound', 404)


@pytest.mark.parametrize('deprecated', [False, True])
def test_a_plan_without_the_feature_refuses_set_and_answers_get(client, deprecated):
    """Only the Set actions document QuotaCheckFailed.Function: Get answers the empty binding, as for any site."""
    assert _get(client, site_id=BASIC_SITE_ID, deprecated=deprecated).body.hostnames == []
    _refused(lambda: _set(client, ['basic-plan.example'], site_id=BASIC_SITE_ID, deprecated=deprecated), 'QuotaCheckFailed.Function')


@pytest.mark.parametrize('deprecated', [False, True])
def test_site_not_found_on_hostname_reads_when_the_settings_say(esa_emulator, client, deprecated):
    """The Terraform provider treats SiteNotFound as "gone" for GetClientCaCertificateHostnames: a switch, off by default."""
    action = 'GetClientCertificateHostnames' if deprecated else 'GetClientCaCertificateHostnames'
    _refused(lambda: _get(client, site_id=999, deprecated=deprecated), 'InvalidParameter.SiteId')
    esa_emulator.update_settings(site_not_found_actions=[action])
    _refused(lambda: _get(client, site_id=999, deprecated=deprecated), 'SiteNotFound', 404)
    _refused(lambda: _set(client, ['example.com'], site_id=999, deprecated=deprecated), 'InvalidParameter.SiteId')


def test_bindings_survive_a_restart_and_show_in_the_state_route(tmp_path, keys, make_ca_pem):
    state_file = tmp_path / 'esa-state.json'
    with EmulatorServer(state_file=state_file) as emu:
        sdk = Client(Config(**emu.credentials, endpoint=emu.endpoint, protocol='http'))
        ca_id = sdk.upload_client_ca_certificate(models.UploadClientCaCertificateRequest(
            site_id=SITE_ID, certificate=make_ca_pem(keys['p256']))).body.id
        _set(sdk, ['www.example.com'])
        _set(sdk, ['api.example.com'], ca_id=ca_id)
    with EmulatorServer(state_file=state_file) as emu:
        sdk = Client(Config(**emu.credentials, endpoint=emu.endpoint, protocol='http'))
        assert _get(sdk).body.hostnames == ['www.example.com']
        assert _get(sdk, ca_id=ca_id).body.hostnames == ['api.example.com']
        with urllib.request.urlopen(f'{emu.url}/_emulator/state', timeout=5) as answer:
            state = json.load(answer)
        assert state['hostname_bindings'] == [{'site_id': SITE_ID, 'ca_id': None, 'hostnames': ['www.example.com']},
                                              {'site_id': SITE_ID, 'ca_id': ca_id, 'hostnames': ['api.example.com']}]
        assert [record['id'] for record in state['client_ca_certificates']] == [ca_id]
        emu.reset()
        assert emu.hostname_bindings() == []
        assert emu.client_cas() == []
