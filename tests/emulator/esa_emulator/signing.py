"""ACS3-HMAC-SHA256 verification, computed exactly as alibabacloud_tea_openapi.utils.Utils.get_authorization signs."""

from __future__ import annotations

import calendar
import hashlib
import hmac
import re
import time
import typing as t
import urllib.parse

from .config import Credential, EmulatorConfig
from .errors import EsaError

ALGORITHM = 'ACS3-HMAC-SHA256'
DATE_FORMAT = '%Y-%m-%dT%H:%M:%SZ'

# Headers the SDK always sends and signs: a request whose signature leaves one out could be altered
# in transit without detection, so the real gateway refuses it and so do we.
REQUIRED_SIGNED = ('host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256')

_AUTH_RE = re.compile(r'^ACS3-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]*)\s*,\s*Signature=([0-9a-fA-F]+)\s*$')


def canonical_query(query: t.Mapping[str, str]) -> str:
    """Sorted keys, values quoted with only '~' safe, as get_canonical_query_string does."""
    return '&'.join(f'{key}={urllib.parse.quote(query[key], safe="~")}' for key in sorted(query))


def canonical_headers(headers: t.Mapping[str, list[str]], names: list[str]) -> str:
    """name:value lines for the signed names; repeated headers are sorted and comma-joined like the SDK."""
    return ''.join(f'{name}:{",".join(sorted(v.strip() for v in headers[name]))}\n' for name in names)


def string_to_sign(method: str, path: str, query: t.Mapping[str, str], headers: t.Mapping[str, list[str]],
                   names: list[str], payload_hash: str) -> str:
    canonical_request = '\n'.join((method, path or '/', canonical_query(query), canonical_headers(headers, names), ';'.join(names), payload_hash))
    return f'{ALGORITHM}\n{hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()}'


def sign(secret: str, text: str) -> str:
    return hmac.new(secret.encode('utf-8'), text.encode('utf-8'), hashlib.sha256).hexdigest()


def _check_time(headers: t.Mapping[str, list[str]], now: float, max_skew: int) -> None:
    values = headers.get('x-acs-date') or []
    if len(values) != 1:
        raise EsaError('Unauthorized.InvalidTime', reason='x-acs-date missing or repeated')
    try:
        sent = calendar.timegm(time.strptime(values[0].strip(), DATE_FORMAT))
    except ValueError:
        raise EsaError('Unauthorized.InvalidTime', reason=f'x-acs-date {values[0]!r} is not {DATE_FORMAT}') from None
    if abs(sent - now) > max_skew:
        raise EsaError('Unauthorized.InvalidTime', reason=f'x-acs-date is {int(sent - now)} s away from the server clock')


def _only(headers: t.Mapping[str, list[str]], name: str) -> str | None:
    values = headers.get(name) or []
    return values[0].strip() if len(values) == 1 else None


def verify(config: EmulatorConfig, method: str, path: str, query: t.Mapping[str, str],
           headers: t.Mapping[str, list[str]], body: bytes, now: float) -> Credential:
    """Return the caller's credential, or raise the EsaError that ESA's gateway answers.

    `headers` maps lower-cased names to every value received for that name.
    """
    _check_time(headers, now, config.max_time_skew_seconds)

    match = _AUTH_RE.match(_only(headers, 'authorization') or '')
    if not match:
        raise EsaError('Unauthorized.InvalidToken', reason='Authorization header missing or not ACS3-HMAC-SHA256')
    key_id, signed, signature = match.groups()
    credential = config.credential(key_id)
    if credential is None:
        raise EsaError('Unauthorized.InvalidToken', reason=f'unknown AccessKeyId {key_id!r}')

    names = signed.split(';') if signed else []
    if names != sorted(set(names)) or any(n != n.lower() for n in names):
        raise EsaError('Unauthorized.InvalidToken', reason='SignedHeaders must be lower-case, sorted and unique')
    required = set(REQUIRED_SIGNED)
    if credential.security_token is not None:
        required |= {'x-acs-security-token', 'x-acs-accesskey-id'}
    missing = sorted(required - set(names))
    if missing:
        raise EsaError('Unauthorized.InvalidToken', reason=f'headers not signed: {", ".join(missing)}')
    absent = [n for n in names if n not in headers]
    if absent:
        raise EsaError('Unauthorized.InvalidToken', reason=f'signed headers not sent: {", ".join(absent)}')

    payload_hash = hashlib.sha256(body).hexdigest()
    if _only(headers, 'x-acs-content-sha256') != payload_hash:
        raise EsaError('Unauthorized.InvalidToken', reason='x-acs-content-sha256 does not match the body')

    token = _only(headers, 'x-acs-security-token')
    if credential.security_token is None:
        if 'x-acs-security-token' in headers:
            raise EsaError('Unauthorized.InvalidToken', reason='a security token was sent with a permanent AccessKey')
    elif token is None or not hmac.compare_digest(token, credential.security_token) or _only(headers, 'x-acs-accesskey-id') != key_id:
        raise EsaError('Unauthorized.InvalidToken', reason='STS security token or x-acs-accesskey-id does not match')

    expected = sign(credential.access_key_secret, string_to_sign(method, path, query, headers, names, payload_hash))
    if not hmac.compare_digest(expected, signature.lower()):
        raise EsaError('Unauthorized.InvalidToken', reason='signature does not match')
    return credential
