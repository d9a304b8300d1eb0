"""Every documented error code of the client-certificate family, provoked through the official SDK."""

from __future__ import annotations

import base64
import dataclasses
import typing as t

import alibabacloud_tea_openapi
import pytest
from alibabacloud_esa20240910 import models
from alibabacloud_esa20240910.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from alibabacloud_tea_openapi.utils_models import Config, OpenApiRequest, Params
from darabonba.runtime import RuntimeOptions
from esa_emulator import EmulatorServer

SITE_ID = 1234567890123
BASIC_SITE_ID = 2222222222222  # its plan lacks client certificates
UNKNOWN_SITE_ID = 999
UNKNOWN_ID = '0123456789abcdef0123456789abcdef'
# tea-openapi 0.4.6 raises ThrottlingException for any answer with x-acs-retry-after, 0.4.5 only for codes containing "Throttling".
RETRY_AFTER_CLASS = ServerException if alibabacloud_tea_openapi.__version__ == '0.4.5' else ThrottlingException


def raised_by_this_sdk(code: str, status: int, declared: type) -> type:
    """The class the installed tea-openapi raises for an answer: the cases declare 0.4.6's (ThrottlingException exactly when
    x-acs-retry-after is sent); 0.4.5 decides by the code instead ("Throttling" in it), whatever the header."""
    if alibabacloud_tea_openapi.__version__ != '0.4.5':
        return declared
    if 'Throttling' in code:
        return ThrottlingException
    return ServerException if status >= 500 else ClientException


# The English messages of the ESA API pages (the oracle, written out rather than imported from the emulator).
MESSAGES = {
    'MissingSiteId': 'Required parameter SiteId missing. Specify SiteId and try again.',
    'InvalidParameter.SiteId': 'Failed to query the website based on the SiteID you specified. Check parameter SiteId and try again.',
    'InternalException': 'Failed to call the service. Try again later or contact technical support.',
    'InvalidParameter': 'The specified parameter is invalid.',
    'QuotaCheckFailed.Function': 'The feature is unavailable in your plan. Upgrade the plan or contact your account manager to request the feature.',
    'Id.MissingParameter': 'The parameter Id is required.',
    'Certificate.StatusError': 'The status of the certificate is invalid.',
    'Certificate.NotFound': 'The specified certificate does not exist.',
    'Unauthorized.InvalidTime': 'The specified authentication time is invalid.',
    'Unauthorized.InvalidToken': 'Token authentication failed.',
    # The Alibaba Cloud API gateway's own (Alibaba Cloud's common error table, answers seen from the gateway).
    'InvalidTimeStamp.Expired': 'Specified time stamp or date value is expired.',
    'SignatureDoesNotMatch': 'Specified signature is not matched with our calculation.',
    'InvalidAccessKeyId.NotFound': 'Specified access key is not found.',
    'InvalidAction.NotFound': 'Specified api is not found, please check your url and method.',
    'InvalidApi.NotFound': 'Specified api is not found, please check your url and method.',
    'Throttling.User': 'Request was denied due to user flow control.',
    'Throttling.user': 'Request was denied due to user flow control.',
}


@dataclasses.dataclass
class World:
    client: t.Any
    emu: t.Any
    make_client: t.Callable[..., t.Any]
    keys: dict[str, t.Any]
    make_csr: t.Callable[..., str]
    active_id: str
    revoked_id: str

    def csr(self, key: str = 'p256', common_name: str | None = 'client.example.com') -> str:
        return self.make_csr(self.keys[key], common_name)


@pytest.fixture
def world(esa_emulator, client, make_client, keys, make_csr, create):
    active, revoked = create(), create()
    client.revoke_client_certificate(models.RevokeClientCertificateRequest(site_id=SITE_ID, id=revoked.id))
    return World(client, esa_emulator, make_client, keys, make_csr, active.id, revoked.id)


def _tampered_csr(w: World) -> str:
    """A well-formed CSR whose signature no longer verifies."""
    der = bytearray(base64.b64decode(''.join(w.csr('rsa2048').splitlines()[1:-1])))
    der[-1] ^= 0x01
    body = base64.encodebytes(bytes(der)).decode('ascii')
    return f'-----BEGIN CERTIFICATE REQUEST-----\n{body}-----END CERTIFICATE REQUEST-----\n'


def create(w: World, **fields: t.Any) -> t.Any:
    fields.setdefault('site_id', SITE_ID)
    if 'csr' not in fields and 'pkey_type' not in fields:
        fields['csr'] = w.csr()
    fields.setdefault('validity_days', 30)
    return w.client.create_client_certificate(models.CreateClientCertificateRequest(**{k: v for k, v in fields.items() if v is not None}))


def by_id(action: str, w: World, site_id: int | None = SITE_ID, certificate_id: str | None = 'active') -> t.Any:
    """Get/Revoke/Activate/Delete with `certificate_id` 'active', 'revoked', None or a literal id."""
    certificate_id = {'active': w.active_id, 'revoked': w.revoked_id}.get(certificate_id or '', certificate_id)
    request_class = getattr(models, f'{action}ClientCertificateRequest')
    method = getattr(w.client, f'{action.lower()}_client_certificate')
    return method(request_class(site_id=site_id, id=certificate_id))


def list_(w: World, site_id: int | None = SITE_ID, **fields: t.Any) -> t.Any:
    return w.client.list_client_certificates(models.ListClientCertificatesRequest(site_id=site_id, **fields))


BY_ID = ('Get', 'Revoke', 'Activate', 'Delete')


def _per_site_cases(code: str, site_id: int | None, status: int = 400) -> list[t.Any]:
    """The same site problem on each of the six actions."""
    cases = [
        pytest.param(code, status, ClientException, lambda w: create(w, site_id=site_id), id=f'{code}-create'),
        pytest.param(code, status, ClientException, lambda w: list_(w, site_id=site_id), id=f'{code}-list'),
    ]
    cases += [pytest.param(code, status, ClientException, lambda w, a=action: by_id(a, w, site_id=site_id), id=f'{code}-{action.lower()}')
              for action in BY_ID]
    return cases


def _inject(rule: dict[str, t.Any], call: t.Callable[[World], t.Any] = list_) -> t.Callable[[World], t.Any]:
    def provoke(w: World) -> t.Any:
        w.emu.set_faults([rule])
        return call(w)
    return provoke


def _with_settings(call: t.Callable[[World], t.Any], **settings: t.Any) -> t.Callable[[World], t.Any]:
    def provoke(w: World) -> t.Any:
        w.emu.update_settings(**settings)
        return call(w)
    return provoke


def _skewed(w: World) -> t.Any:
    w.emu.set_clock_offset(-3600)
    return list_(w)


def _wrong_secret(w: World) -> t.Any:
    return list_(dataclasses.replace(w, client=w.make_client(access_key_secret='wrong')))


def _unknown_key(w: World) -> t.Any:
    return list_(dataclasses.replace(w, client=w.make_client(access_key_id='LTAIunknownKeyId')))


def _unknown_action(w: World) -> t.Any:
    params = Params(action='NoSuchAction', version='2024-09-10', protocol='HTTPS', pathname='/', method='GET', auth_type='AK',
                    style='RPC', req_body_type='formData', body_type='json')
    return w.client.call_api(params, OpenApiRequest(query={'SiteId': str(SITE_ID)}), RuntimeOptions())


CASES = [
    *_per_site_cases('MissingSiteId', None),
    *_per_site_cases('InvalidParameter.SiteId', UNKNOWN_SITE_ID),
    # Only the writes that need the feature document QuotaCheckFailed.Function (reads: test_a_plan_without_the_feature_answers_reads).
    pytest.param('QuotaCheckFailed.Function', 400, ClientException, lambda w: create(w, site_id=BASIC_SITE_ID), id='QuotaCheckFailed.Function-create'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: create(w, validity_days=None), id='validity-missing'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: create(w, validity_days=0), id='validity-0'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: create(w, validity_days=3651), id='validity-3651'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: create(w, csr='-----BEGIN CERTIFICATE REQUEST-----\nnope\n'), id='csr-garbage'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: create(w, csr=_tampered_csr(w)), id='csr-bad-signature'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: create(w, csr=w.csr('rsa1024')), id='csr-rsa-1024'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: create(w, csr=w.csr('p521')), id='csr-p521'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: create(w, csr=w.csr('ed25519')), id='csr-ed25519'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: create(w, csr=w.csr(common_name=None)), id='csr-without-cn'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: create(w, csr=''), id='no-csr-no-pkey-type'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: create(w, pkey_type='DSA'), id='pkey-type-dsa'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: list_(w, page_size=0), id='page-size-0'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: list_(w, page_size=101), id='page-size-101'),
    pytest.param('InvalidParameter', 400, ClientException, lambda w: list_(w, page_number=0), id='page-number-0'),
    *[pytest.param('Id.MissingParameter', 400, ClientException, lambda w, a=action: by_id(a, w, certificate_id=None), id=f'id-missing-{action.lower()}')
      for action in BY_ID],
    *[pytest.param('Certificate.NotFound', 404, ClientException, lambda w, a=action: by_id(a, w, certificate_id=UNKNOWN_ID), id=f'not-found-{action.lower()}')
      for action in BY_ID],
    pytest.param('Certificate.StatusError', 400, ClientException, lambda w: by_id('Revoke', w, certificate_id='revoked'), id='revoke-revoked'),
    pytest.param('Certificate.StatusError', 400, ClientException, lambda w: by_id('Activate', w, certificate_id='active'), id='activate-active'),
    pytest.param('Certificate.StatusError', 400, ClientException, lambda w: by_id('Delete', w, certificate_id='active'), id='delete-active'),
    pytest.param('InternalException', 400, ClientException, _inject({'type': 'server_error', 'code': 'InternalException'}), id='internal-exception'),
    pytest.param('InvalidTimeStamp.Expired', 400, ClientException, _skewed, id='timestamp-expired'),
    pytest.param('SignatureDoesNotMatch', 400, ClientException, _wrong_secret, id='signature-does-not-match'),
    pytest.param('InvalidAccessKeyId.NotFound', 404, ClientException, _unknown_key, id='access-key-not-found'),
    pytest.param('Unauthorized.InvalidTime', 403, ClientException, _with_settings(_skewed, gateway_codes=False), id='invalid-time'),
    pytest.param('Unauthorized.InvalidToken', 403, ClientException, _with_settings(_wrong_secret, gateway_codes=False), id='invalid-token'),
    pytest.param('Unauthorized.InvalidToken', 403, ClientException, _with_settings(_unknown_key, gateway_codes=False), id='invalid-token-key'),
    pytest.param('Unauthorized.InvalidToken', 403, ClientException, _inject({'type': 'server_error', 'code': 'Unauthorized.InvalidToken'}),
                 id='invalid-token-injected'),
    pytest.param('Throttling.User', 429, ThrottlingException, _inject({'type': 'throttle'}), id='throttling-user'),
    pytest.param('Throttling.Api', 429, ThrottlingException, _inject({'type': 'throttle', 'code': 'Throttling.Api'}), id='throttling-api'),
    pytest.param('ServiceUnavailable', 503, RETRY_AFTER_CLASS,
                 _inject({'type': 'throttle', 'code': 'ServiceUnavailable', 'status': 503, 'retry_after_ms': 250}), id='service-unavailable-retry-after'),
    # Throttling as the gateway sends it without x-acs-retry-after: tea-openapi 0.4.6 then raises by status alone.
    pytest.param('Throttling.User', 400, ClientException, _inject({'type': 'throttle', 'status': 400, 'retry_after_ms': None}),
                 id='throttling-user-400-no-header'),
    pytest.param('Throttling.user', 400, ClientException, _inject({'type': 'throttle', 'code': 'Throttling.user', 'retry_after_ms': None}),
                 id='throttling-lowercase-user-no-header'),
    pytest.param('Throttling.ConcurrentLimitExceeded', 400, ClientException,
                 _inject({'type': 'throttle', 'code': 'Throttling.ConcurrentLimitExceeded', 'retry_after_ms': None}), id='concurrent-limit-no-header'),
    pytest.param('Throttling.ConcurrentLimitExceeded', 429, ThrottlingException,
                 _inject({'type': 'throttle', 'code': 'Throttling.ConcurrentLimitExceeded', 'status': 429}), id='concurrent-limit-429-header'),
    pytest.param('Rejected.Throttling', 400, ClientException,
                 _inject({'type': 'throttle', 'code': 'Rejected.Throttling', 'retry_after_ms': None}), id='rejected-throttling-no-header'),
    pytest.param('Rejected.Throttling', 503, ServerException,
                 _inject({'type': 'throttle', 'code': 'Rejected.Throttling', 'status': 503, 'retry_after_ms': None}), id='rejected-throttling-503'),
    pytest.param('ServiceUnavailable', 503, ServerException,
                 _inject({'type': 'throttle', 'code': 'ServiceUnavailable', 'retry_after_ms': None}), id='service-unavailable-throttle-no-header'),
    pytest.param('Throttling.Api', 429, ClientException, _inject({'type': 'throttle', 'code': 'Throttling.Api', 'retry_after_ms': 0}),
                 id='throttling-api-retry-after-zero'),
    pytest.param('ServiceUnavailable', 503, ServerException, _inject({'type': 'server_error'}), id='service-unavailable-5xx'),
    pytest.param('InternalError', 500, ServerException, _inject({'type': 'server_error', 'code': 'InternalError'}), id='internal-error-5xx'),
    pytest.param('InvalidAction.NotFound', 404, ClientException, _unknown_action, id='unknown-action'),
    pytest.param('InvalidApi.NotFound', 404, ClientException, _with_settings(_unknown_action, unknown_action_code='InvalidApi.NotFound'),
                 id='unknown-action-invalid-api'),
]


@pytest.mark.parametrize(('code', 'status', 'exception_class', 'provoke'), CASES)
def test_error_code_arrives_through_the_sdk(world, code, status, exception_class, provoke):
    sent_retry_after = exception_class is ThrottlingException  # what the declared (0.4.6) class says about the answer
    exception_class = raised_by_this_sdk(code, status, exception_class)
    with pytest.raises(exception_class) as caught:
        provoke(world)
    error = caught.value
    assert error.name == exception_class.__name__  # exactly this class, not merely a relative of it
    assert (error.code, error.status_code) == (code, status)
    assert set(error.data) - {'statusCode'} == {'RequestId', 'Code', 'Message'}  # the SDK adds statusCode
    assert error.request_id == error.data['RequestId']
    assert len(error.request_id) == 36
    if code in MESSAGES:
        assert error.data['Message'] == MESSAGES[code]
    if exception_class is ThrottlingException and sent_retry_after:
        assert error.retry_after > 0


@pytest.mark.parametrize('action', BY_ID)
def test_a_plan_without_the_feature_answers_reads_revokes_and_deletes(world, action):
    """Their API pages do not document QuotaCheckFailed.Function: the site simply has no certificate."""
    assert list_(world, site_id=BASIC_SITE_ID).body.total_count == 0
    with pytest.raises(ClientException) as caught:
        by_id(action, world, site_id=BASIC_SITE_ID, certificate_id=UNKNOWN_ID)
    assert (caught.value.code, caught.value.status_code) == ('Certificate.NotFound', 404)


@pytest.mark.parametrize(('actions', 'site_not_found'), [
    (['GetClientCertificate'], {'Get'}),
    (['*'], {'Create', 'List', *BY_ID}),
    ([], set()),
])
def test_site_not_found_where_the_settings_say(world, actions, site_not_found):
    world.emu.update_settings(site_not_found_actions=actions)
    calls = {'Create': lambda: create(world, site_id=UNKNOWN_SITE_ID), 'List': lambda: list_(world, site_id=UNKNOWN_SITE_ID),
             **{action: lambda a=action: by_id(a, world, site_id=UNKNOWN_SITE_ID) for action in BY_ID}}
    for name, call in calls.items():
        with pytest.raises(ClientException) as caught:
            call()
        expected = ('SiteNotFound', 404) if name in site_not_found else ('InvalidParameter.SiteId', 400)
        assert (caught.value.code, caught.value.status_code) == expected, name


def test_errors_change_nothing(world):
    """A refused call leaves the state as it was."""
    before = world.emu.state()
    for provoke in (lambda w: create(w, validity_days=0), lambda w: by_id('Delete', w), lambda w: by_id('Activate', w)):
        with pytest.raises(ClientException):
            provoke(world)
    assert world.emu.state() == before


def test_certificate_of_another_site_is_not_found(make_csr, keys):
    """Ids are per site: a certificate of one site is Certificate.NotFound on another."""
    config = {'sites': [
        {'site_id': 1, 'site_name': 'one.example', 'client_certificates': True, 'hostnames': ['one.example']},
        {'site_id': 2, 'site_name': 'two.example', 'client_certificates': True, 'hostnames': ['two.example']},
    ]}
    with EmulatorServer(config=config) as emu:
        sdk = Client(Config(**emu.credentials, endpoint=emu.endpoint, protocol='http'))
        created = sdk.create_client_certificate(models.CreateClientCertificateRequest(site_id=1, csr=make_csr(keys['p256']), validity_days=1)).body
        with pytest.raises(ClientException) as caught:
            sdk.get_client_certificate(models.GetClientCertificateRequest(site_id=2, id=created.id))
        assert caught.value.code == 'Certificate.NotFound'
        assert sdk.list_client_certificates(models.ListClientCertificatesRequest(site_id=2)).body.total_count == 0
