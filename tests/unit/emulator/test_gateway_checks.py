"""The API gateway's checks (signature, body hash, request time, nonce, action, version) on hand-built requests.

Each request is signed by alibabacloud_tea_openapi's own Utils.get_authorization (the `signed_call` fixture),
then one thing is broken at a time.
"""

from __future__ import annotations

import datetime
import hashlib
import urllib.parse

import pytest

SITE_ID = '1234567890123'
BODY = urllib.parse.urlencode({'PkeyType': 'ECDSA', 'ValidityDays': '2'}).encode('ascii')


def test_a_correct_raw_request_passes(signed_call):
    # Values that need quoting exercise the canonical query: space, plus, tilde, slash, non-ASCII.
    answer = signed_call(query={'SiteId': SITE_ID, 'Extra': 'a b+c~/é=&'})
    assert answer.status == 200
    assert answer.body['TotalCount'] == 0


def test_form_body_is_signed_and_read(signed_call):
    answer = signed_call(action='CreateClientCertificate', method='POST', body=BODY)
    assert answer.status == 200
    assert answer.body['ValidityDays'] == 2


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


def _an_hour_ago():
    return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ')


STS = {'key_id': 'STS.emulatorKeyId', 'secret': 'emulator-sts-secret-do-not-use'}

# (gateway code, its HTTP status, the ESA pages' code (403) under gateway_codes: false, the broken request)
BROKEN = [
    ('InvalidTimeStamp.Format', 400, 'Unauthorized.InvalidTime', {'date': '2024-13-01T00:00:00Z'}),
    ('InvalidTimeStamp.Format', 400, 'Unauthorized.InvalidTime', {'date': 'yesterday'}),
    ('InvalidTimeStamp.Format', 400, 'Unauthorized.InvalidTime', {'tamper': _without('x-acs-date')}),
    ('InvalidTimeStamp.Expired', 400, 'Unauthorized.InvalidTime', {'date': '2001-01-01T00:00:00Z'}),
    ('InvalidTimeStamp.Expired', 400, 'Unauthorized.InvalidTime', {'date': _an_hour_ago()}),
    ('IncompleteSignature', 400, 'Unauthorized.InvalidToken', {'tamper': _without('Authorization')}),
    ('IncompleteSignature', 400, 'Unauthorized.InvalidToken', {'tamper': _replace_header('Authorization', 'Bearer nothing')}),
    ('IncompleteSignature', 400, 'Unauthorized.InvalidToken', {'tamper': _drop_from_signed('x-acs-action')}),
    ('IncompleteSignature', 400, 'Unauthorized.InvalidToken', {'tamper': _drop_from_signed('host')}),
    ('IncompleteSignature', 400, 'Unauthorized.InvalidToken', {'tamper': _drop_from_signed('x-acs-signature-nonce')}),
    ('IncompleteSignature', 400, 'Unauthorized.InvalidToken', STS),  # an STS key without its token headers
    ('InvalidAccessKeyId.NotFound', 404, 'Unauthorized.InvalidToken', {'key_id': 'LTAIunknownKeyId'}),
    ('SignatureDoesNotMatch', 400, 'Unauthorized.InvalidToken', {'secret': 'not-the-secret'}),
    ('SignatureDoesNotMatch', 400, 'Unauthorized.InvalidToken', {'tamper': _replace_header('x-acs-action', 'GetClientCertificate')}),
    ('SignatureDoesNotMatch', 400, 'Unauthorized.InvalidToken', {'tamper': _replace_header('x-acs-signature-nonce', 'nonce-2')}),
    ('SignatureDoesNotMatch', 400, 'Unauthorized.InvalidToken', {'tamper': lambda h, q, b: (h, {**q, 'SiteId': '2222222222222'}, b)}),
    ('SignatureDoesNotMatch', 400, 'Unauthorized.InvalidToken', {'tamper': lambda h, q, b: (h, {**q, 'Added': '1'}, b)}),
    ('SignatureDoesNotMatch', 400, 'Unauthorized.InvalidToken', {'method': 'POST', 'action': 'CreateClientCertificate', 'body': BODY,
                                                                 'tamper': lambda h, q, b: (h, q, b.replace(b'=2', b'=3'))}),
    ('SignatureDoesNotMatch', 400, 'Unauthorized.InvalidToken',
     {'method': 'POST', 'action': 'CreateClientCertificate', 'body': BODY,
      'tamper': lambda h, q, b: ({**h, 'x-acs-content-sha256': hashlib.sha256(b'x').hexdigest()}, q, b'x')}),
    ('InvalidSecurityToken.MismatchWithAccessKey', 400, 'Unauthorized.InvalidToken',
     {'extra_headers': {'x-acs-security-token': 'emulator-sts-security-token-do-not-use', 'x-acs-accesskey-id': 'LTAIemulatorKeyId'}}),
]

# Each message is one line, as the gateway writes them (the oracle, written out rather than imported).
MESSAGES = {
    'InvalidTimeStamp.Format': 'Specified time stamp or date value is not well formatted.',
    'InvalidTimeStamp.Expired': 'Specified time stamp or date value is expired.',
    'IncompleteSignature': 'The request signature does not conform to Aliyun standards.',
    'InvalidAccessKeyId.NotFound': 'Specified access key is not found.',
    'SignatureDoesNotMatch': 'Specified signature is not matched with our calculation.',
    'InvalidSecurityToken.MismatchWithAccessKey': 'Specified SecurityToken mismatch with the AccessKey.',
    'SignatureNonceUsed': 'Specified signature nonce was used already.',
    'Unauthorized.InvalidTime': 'The specified authentication time is invalid.',
    'Unauthorized.InvalidToken': 'Token authentication failed.',
}


def _case_id(case):
    return f'{case[0]}-{BROKEN.index(case)}'


@pytest.mark.parametrize(('code', 'status', 'page_code', 'kwargs'), BROKEN, ids=[_case_id(case) for case in BROKEN])
def test_broken_request_gets_the_gateway_code(esa_emulator, signed_call, code, status, page_code, kwargs):
    answer = signed_call(**kwargs)
    assert (answer.status, answer.body['Code'], answer.body['Message']) == (status, code, MESSAGES[code])
    assert answer.headers['x-acs-request-id'] == answer.body['RequestId']
    assert esa_emulator.state() == []


@pytest.mark.parametrize(('code', 'status', 'page_code', 'kwargs'), BROKEN, ids=[_case_id(case) for case in BROKEN])
def test_without_gateway_codes_the_api_pages_codes_answer(esa_emulator, signed_call, code, status, page_code, kwargs):
    esa_emulator.update_settings(gateway_codes=False)
    answer = signed_call(**kwargs)
    assert (answer.status, answer.body['Code'], answer.body['Message']) == (403, page_code, MESSAGES[page_code])


def test_sts_headers_must_match_the_key(esa_emulator, signed_call):
    sts = esa_emulator.sts_credentials
    good = {'x-acs-accesskey-id': sts['access_key_id'], 'x-acs-security-token': sts['security_token']}
    assert signed_call(key_id=sts['access_key_id'], secret=sts['access_key_secret'], extra_headers=good).status == 200
    for mismatched in ({**good, 'x-acs-accesskey-id': 'LTAIemulatorKeyId'}, {**good, 'x-acs-security-token': 'stolen-token'}):
        answer = signed_call(key_id=sts['access_key_id'], secret=sts['access_key_secret'], extra_headers=mismatched)
        assert (answer.status, answer.body['Code']) == (400, 'InvalidSecurityToken.MismatchWithAccessKey')


def test_a_replayed_nonce_is_refused_within_the_time_window(esa_emulator, signed_call):
    assert signed_call(nonce='replayed-nonce').status == 200
    replay = signed_call(nonce='replayed-nonce')
    assert (replay.status, replay.body['Code'], replay.body['Message']) == (400, 'SignatureNonceUsed', MESSAGES['SignatureNonceUsed'])
    esa_emulator.set_clock_offset(14 * 60)  # still within the 15-minute window of the first request
    assert signed_call(nonce='replayed-nonce').body['Code'] == 'SignatureNonceUsed'
    # Nonces are per AccessKey: another key may use the same one.
    sts = esa_emulator.sts_credentials
    headers = {'x-acs-accesskey-id': sts['access_key_id'], 'x-acs-security-token': sts['security_token']}
    assert signed_call(nonce='replayed-nonce', key_id=sts['access_key_id'], secret=sts['access_key_secret'], extra_headers=headers).status == 200
    assert esa_emulator.stats()['answers'] == {'OK': 2, 'SignatureNonceUsed': 2}


def test_a_nonce_is_forgotten_once_its_request_time_no_longer_passes(esa_emulator, signed_call):
    old = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=14)).strftime('%Y-%m-%dT%H:%M:%SZ')
    assert signed_call(nonce='old-nonce', date=old).status == 200
    assert signed_call(nonce='old-nonce', date=old).body['Code'] == 'SignatureNonceUsed'
    esa_emulator.set_clock_offset(90)
    # The old request would now fail the time check, so its nonce is free for a fresh request.
    assert signed_call(nonce='old-nonce', date=old).body['Code'] == 'InvalidTimeStamp.Expired'
    assert signed_call(nonce='old-nonce').status == 200


def test_refused_requests_and_reset_do_not_burn_nonces(esa_emulator, signed_call):
    assert signed_call(nonce='kept-nonce', secret='not-the-secret').body['Code'] == 'SignatureDoesNotMatch'
    assert signed_call(nonce='kept-nonce').status == 200
    esa_emulator.reset()
    assert signed_call(nonce='kept-nonce').status == 200


def test_a_replay_without_gateway_codes_is_invalid_token(esa_emulator, signed_call):
    esa_emulator.update_settings(gateway_codes=False)
    assert signed_call(nonce='legacy-nonce').status == 200
    answer = signed_call(nonce='legacy-nonce')
    assert (answer.status, answer.body['Code']) == (403, 'Unauthorized.InvalidToken')


def test_wrong_version_and_unknown_action(esa_emulator, signed_call):
    answer = signed_call(extra_headers={'x-acs-version': '2022-01-01'})
    assert (answer.status, answer.body['Code']) == (400, 'InvalidVersion')
    answer = signed_call(action='ListSites')
    assert (answer.status, answer.body['Code']) == (404, 'InvalidAction.NotFound')
    assert answer.body['Message'] == 'Specified api is not found, please check your url and method.'
    esa_emulator.update_settings(unknown_action_code='InvalidApi.NotFound')
    answer = signed_call(action='ListSites')
    assert (answer.status, answer.body['Code']) == (404, 'InvalidApi.NotFound')


def test_authentication_comes_before_routing(signed_call):
    """The gateway authenticates before it looks the action up: a bad key on an unknown action is a key error."""
    answer = signed_call(action='ListSites', key_id='LTAIunknownKeyId')
    assert answer.body['Code'] == 'InvalidAccessKeyId.NotFound'
