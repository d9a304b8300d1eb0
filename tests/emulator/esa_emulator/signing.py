"""ACS3-HMAC-SHA256 verification, computed exactly as alibabacloud_tea_openapi.utils.Utils.get_authorization signs."""

from __future__ import annotations

import calendar
import dataclasses
import hashlib
import hmac
import re
import time
import typing as t
import urllib.parse

from .config import Credential, EmulatorConfig

ALGORITHM = 'ACS3-HMAC-SHA256'
DATE_FORMAT = '%Y-%m-%dT%H:%M:%SZ'

# Headers the SDK always sends and signs: a request whose signature leaves one out could be altered
# in transit without detection, so the real gateway refuses it and so do we.
REQUIRED_SIGNED = ('host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256')

_AUTH_RE = re.compile(r'^ACS3-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]*)\s*,\s*Signature=([0-9a-fA-F]+)\s*$')

# What was wrong with a request; gateway.py decides which error code each kind is answered with.
DATE_MALFORMED = 'date_malformed'
DATE_SKEWED = 'date_skewed'
AUTHORIZATION_MALFORMED = 'authorization_malformed'
KEY_UNKNOWN = 'key_unknown'
HEADERS_UNSIGNED = 'headers_unsigned'
PAYLOAD_MISMATCH = 'payload_mismatch'
TOKEN_MISMATCH = 'token_mismatch'
SIGNATURE_MISMATCH = 'signature_mismatch'


class SignatureFailure(Exception):
    """A request that fails authentication: `kind` is one of the constants above, `reason` is for the log only."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f'{kind}: {reason}')
        self.kind = kind
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class VerifiedRequest:
    credential: Credential
    sent_at: float  # x-acs-date, seconds since the epoch
    nonce: str


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


def _check_time(headers: t.Mapping[str, list[str]], now: float, max_skew: int) -> float:
    values = headers.get('x-acs-date') or []
    if len(values) != 1:
        raise SignatureFailure(DATE_MALFORMED, 'x-acs-date missing or repeated')
    try:
        sent = calendar.timegm(time.strptime(values[0].strip(), DATE_FORMAT))
    except ValueError:
        raise SignatureFailure(DATE_MALFORMED, f'x-acs-date {values[0]!r} is not {DATE_FORMAT}') from None
    if abs(sent - now) > max_skew:
        raise SignatureFailure(DATE_SKEWED, f'x-acs-date is {int(sent - now)} s away from the server clock')
    return sent


def _only(headers: t.Mapping[str, list[str]], name: str) -> str | None:
    values = headers.get(name) or []
    return values[0].strip() if len(values) == 1 else None


def verify(config: EmulatorConfig, method: str, path: str, query: t.Mapping[str, str],
           headers: t.Mapping[str, list[str]], body: bytes, now: float) -> VerifiedRequest:
    """Return who signed the request, when and with which nonce, or raise SignatureFailure.

    `headers` maps lower-cased names to every value received for that name.
    """
    sent = _check_time(headers, now, config.max_time_skew_seconds)

    match = _AUTH_RE.match(_only(headers, 'authorization') or '')
    if not match:
        raise SignatureFailure(AUTHORIZATION_MALFORMED, 'Authorization header missing or not ACS3-HMAC-SHA256')
    key_id, signed, signature = match.groups()
    credential = config.credential(key_id)
    if credential is None:
        raise SignatureFailure(KEY_UNKNOWN, f'unknown AccessKeyId {key_id!r}')

    names = signed.split(';') if signed else []
    if names != sorted(set(names)) or any(n != n.lower() for n in names):
        raise SignatureFailure(HEADERS_UNSIGNED, 'SignedHeaders must be lower-case, sorted and unique')
    required = set(REQUIRED_SIGNED)
    if credential.security_token is not None:
        required |= {'x-acs-security-token', 'x-acs-accesskey-id'}
    missing = sorted(required - set(names))
    if missing:
        raise SignatureFailure(HEADERS_UNSIGNED, f'headers not signed: {", ".join(missing)}')
    absent = [n for n in names if n not in headers]
    if absent:
        raise SignatureFailure(HEADERS_UNSIGNED, f'signed headers not sent: {", ".join(absent)}')

    payload_hash = hashlib.sha256(body).hexdigest()
    if _only(headers, 'x-acs-content-sha256') != payload_hash:
        raise SignatureFailure(PAYLOAD_MISMATCH, 'x-acs-content-sha256 does not match the body')

    token = _only(headers, 'x-acs-security-token')
    if credential.security_token is None:
        if 'x-acs-security-token' in headers:
            raise SignatureFailure(TOKEN_MISMATCH, 'a security token was sent with a permanent AccessKey')
    elif token is None or not hmac.compare_digest(token, credential.security_token) or _only(headers, 'x-acs-accesskey-id') != key_id:
        raise SignatureFailure(TOKEN_MISMATCH, 'STS security token or x-acs-accesskey-id does not match')

    expected = sign(credential.access_key_secret, string_to_sign(method, path, query, headers, names, payload_hash))
    if not hmac.compare_digest(expected, signature.lower()):
        raise SignatureFailure(SIGNATURE_MISMATCH, 'signature does not match')
    return VerifiedRequest(credential, float(sent), _only(headers, 'x-acs-signature-nonce') or '')
