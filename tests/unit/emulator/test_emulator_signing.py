"""Signature, body-hash and request-time checks, on hand-built requests signed by the SDK's own signer.

The SDK never sends a broken request, so these tests sign with alibabacloud_tea_openapi's
Utils.get_authorization and then break one thing at a time, over plain http.client.
"""

from __future__ import annotations

import datetime
import hashlib
import http.client
import json
import urllib.parse

import pytest
from alibabacloud_tea_openapi.utils import Utils
from darabonba.request import DaraRequest

SITE_ID = '1234567890123'


def _send(emu, *, action='ListClientCertificates', query=None, body=b'', method='GET', key_id=None, secret=None,
          date=None, tamper=None, extra_headers=None):
    """Sign like the SDK, apply `tamper(headers, query, body)`, send, and return (status, answer)."""
    query = dict(query if query is not None else {'SiteId': SITE_ID})
    headers = {
        'host': emu.endpoint,
        'x-acs-version': '2024-09-10',
        'x-acs-action': action,
        'user-agent': 'raw-test',
        'x-acs-date': date or datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'x-acs-signature-nonce': 'nonce-1',
        'accept': 'application/json',
        **(extra_headers or {}),
    }
    if body:
        headers['content-type'] = 'application/x-www-form-urlencoded'
    headers['x-acs-content-sha256'] = hashlib.sha256(body).hexdigest()
    request = DaraRequest()
    request.method, request.pathname, request.query, request.headers = method, '/', query, headers
    headers['Authorization'] = Utils.get_authorization(request, 'ACS3-HMAC-SHA256', headers['x-acs-content-sha256'],
                                                       key_id or emu.credentials['access_key_id'],
                                                       secret or emu.credentials['access_key_secret'])
    if tamper:
        headers, query, body = tamper(dict(headers), dict(query), body)
    connection = http.client.HTTPConnection(emu.host, emu.port, timeout=5)
    try:
        connection.request(method, '/?' + urllib.parse.urlencode(query), body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def test_a_correct_raw_request_passes(esa_emulator):
    # Values that need quoting exercise the canonical query: space, plus, tilde, slash, non-ASCII.
    status, answer = _send(esa_emulator, query={'SiteId': SITE_ID, 'Extra': 'a b+c~/é=&'})
    assert status == 200 and answer['TotalCount'] == 0


def test_form_body_is_signed_and_read(esa_emulator):
    body = urllib.parse.urlencode({'PkeyType': 'ECDSA', 'ValidityDays': '2'}).encode('ascii')
    status, answer = _send(esa_emulator, action='CreateClientCertificate', method='POST', body=body)
    assert status == 200 and answer['ValidityDays'] == 2


def _without(name):
    def tamper(headers, query, body):
        del headers[name]
        return headers, query, body
    return tamper


def _replace_header(name, value):
    def tamper(headers, query, body):
        headers[name] = value
        return headers, query, body
    return tamper


def _drop_from_signed(name):
    def tamper(headers, query, body):
        auth = headers['Authorization']
        prefix, rest = auth.split('SignedHeaders=')
        names, signature = rest.split(',', 1)
        headers['Authorization'] = f'{prefix}SignedHeaders={";".join(n for n in names.split(";") if n != name)},{signature}'
        return headers, query, body
    return tamper


BODY = urllib.parse.urlencode({'PkeyType': 'ECDSA', 'ValidityDays': '2'}).encode('ascii')


@pytest.mark.parametrize(('code', 'kwargs'), [
    ('Unauthorized.InvalidTime', {'date': '2024-13-01T00:00:00Z'}),
    ('Unauthorized.InvalidTime', {'date': 'yesterday'}),
    ('Unauthorized.InvalidTime', {'date': '2001-01-01T00:00:00Z'}),
    ('Unauthorized.InvalidTime', {'tamper': _without('x-acs-date')}),
    ('Unauthorized.InvalidToken', {'tamper': _without('Authorization')}),
    ('Unauthorized.InvalidToken', {'tamper': _replace_header('Authorization', 'Bearer nothing')}),
    ('Unauthorized.InvalidToken', {'tamper': _replace_header('x-acs-action', 'GetClientCertificate')}),
    ('Unauthorized.InvalidToken', {'tamper': _replace_header('x-acs-signature-nonce', 'nonce-2')}),
    ('Unauthorized.InvalidToken', {'tamper': lambda h, q, b: (h, {**q, 'SiteId': '2222222222222'}, b)}),
    ('Unauthorized.InvalidToken', {'tamper': lambda h, q, b: (h, {**q, 'Added': '1'}, b)}),
    ('Unauthorized.InvalidToken', {'tamper': _drop_from_signed('x-acs-action')}),
    ('Unauthorized.InvalidToken', {'tamper': _drop_from_signed('host')}),
    ('Unauthorized.InvalidToken', {'method': 'POST', 'action': 'CreateClientCertificate', 'body': BODY,
                                   'tamper': lambda h, q, b: (h, q, b.replace(b'=2', b'=3'))}),
    ('Unauthorized.InvalidToken', {'method': 'POST', 'action': 'CreateClientCertificate', 'body': BODY,
                                   'tamper': lambda h, q, b: ({**h, 'x-acs-content-sha256': hashlib.sha256(b'x').hexdigest()}, q, b'x')}),
    ('Unauthorized.InvalidToken', {'key_id': 'STS.emulatorKeyId', 'secret': 'emulator-sts-secret-do-not-use'}),
])
def test_broken_request_is_refused(esa_emulator, code, kwargs):
    status, answer = _send(esa_emulator, **kwargs)
    assert (status, answer['Code']) == (403, code)
    assert esa_emulator.state() == []


def test_sts_headers_must_match_the_key(esa_emulator):
    sts = esa_emulator.sts_credentials
    good = {'x-acs-accesskey-id': sts['access_key_id'], 'x-acs-security-token': sts['security_token']}
    assert _send(esa_emulator, key_id=sts['access_key_id'], secret=sts['access_key_secret'], extra_headers=good)[0] == 200
    mismatched = {**good, 'x-acs-accesskey-id': 'LTAIemulatorKeyId'}
    status, answer = _send(esa_emulator, key_id=sts['access_key_id'], secret=sts['access_key_secret'], extra_headers=mismatched)
    assert (status, answer['Code']) == (403, 'Unauthorized.InvalidToken')


def test_wrong_version_and_unknown_action(esa_emulator):
    status, answer = _send(esa_emulator, extra_headers={'x-acs-version': '2022-01-01'})
    assert (status, answer['Code']) == (400, 'InvalidVersion')
    status, answer = _send(esa_emulator, action='ListSites')
    assert (status, answer['Code']) == (404, 'InvalidAction.NotFound')
