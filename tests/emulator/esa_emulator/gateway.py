"""Alibaba Cloud's API gateway in front of ESA: it authenticates, refuses replays and routes before any ESA action runs."""

from __future__ import annotations

import collections
import threading
import typing as t

from . import signing
from .clock import Clock
from .config import Credential, EmulatorConfig
from .errors import EsaError
from .settings import SettingsHolder

API_VERSION = '2024-09-10'
NONCE_USED = 'nonce_used'

# The gateway's own codes (the default: the gateway checks signatures before ESA sees a request).
GATEWAY_CODES = {
    signing.DATE_MALFORMED: 'InvalidTimeStamp.Format',
    signing.DATE_SKEWED: 'InvalidTimeStamp.Expired',
    signing.AUTHORIZATION_MALFORMED: 'IncompleteSignature',
    signing.KEY_UNKNOWN: 'InvalidAccessKeyId.NotFound',
    signing.HEADERS_UNSIGNED: 'IncompleteSignature',
    signing.PAYLOAD_MISMATCH: 'SignatureDoesNotMatch',
    signing.TOKEN_MISMATCH: 'InvalidSecurityToken.MismatchWithAccessKey',
    signing.SIGNATURE_MISMATCH: 'SignatureDoesNotMatch',
    NONCE_USED: 'SignatureNonceUsed',
}
# The two codes the ESA API pages list instead (settings gateway_codes: false).
ESA_PAGE_CODES = {kind: 'Unauthorized.InvalidToken' for kind in GATEWAY_CODES} | {
    signing.DATE_MALFORMED: 'Unauthorized.InvalidTime',
    signing.DATE_SKEWED: 'Unauthorized.InvalidTime',
}


class NonceLedger:
    """Nonces seen per AccessKey, each kept while a request carrying it could still pass the time check."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._expiry: dict[tuple[str, str], float] = {}
        self._queue: collections.deque[tuple[float, tuple[str, str]]] = collections.deque()

    def first_use(self, key_id: str, nonce: str, expires_at: float, now: float) -> bool:
        """Remember the nonce; False when it was seen before and is still remembered."""
        key = (key_id, nonce)
        with self._lock:
            while self._queue and self._queue[0][0] < now:
                expired, old = self._queue.popleft()
                if self._expiry.get(old) == expired:
                    del self._expiry[old]
            if self._expiry.get(key, float('-inf')) >= now:
                return False
            self._expiry[key] = expires_at
            self._queue.append((expires_at, key))
            return True

    def clear(self) -> None:
        with self._lock:
            self._expiry.clear()
            self._queue.clear()


class Gateway:
    def __init__(self, config: EmulatorConfig, clock: Clock, settings: SettingsHolder) -> None:
        self.config = config
        self.clock = clock
        self.settings = settings
        self.nonces = NonceLedger()

    def _refuse(self, kind: str, reason: str) -> EsaError:
        codes = GATEWAY_CODES if self.settings.current.gateway_codes else ESA_PAGE_CODES
        return EsaError(codes[kind], reason=reason)

    def authenticate(self, method: str, path: str, query: t.Mapping[str, str], headers: t.Mapping[str, list[str]], body: bytes) -> Credential:
        """The caller's credential, or the EsaError the gateway answers (time, signature, key, token, replayed nonce)."""
        now = self.clock.now()
        try:
            verified = signing.verify(self.config, method, path, query, headers, body, now)
        except signing.SignatureFailure as failure:
            raise self._refuse(failure.kind, failure.reason) from None
        # A replay is refused only while its x-acs-date still passes the time check; later the time check refuses it.
        expires_at = verified.sent_at + self.config.max_time_skew_seconds
        if not self.nonces.first_use(verified.credential.access_key_id, verified.nonce, expires_at, now):
            raise self._refuse(NONCE_USED, f'x-acs-signature-nonce {verified.nonce!r} was used already')
        return verified.credential

    def route(self, path: str, action: str, version: str, actions: t.Container[str]) -> None:
        """Refuse an action ESA does not have, or another API version, as the gateway does."""
        if path != '/' or action not in actions:
            raise EsaError(self.settings.current.unknown_action_code, reason=f'no action {action!r} at {path!r}')
        if version != API_VERSION:
            raise EsaError('InvalidVersion', reason=f'version {version!r} is not {API_VERSION}')

    def reset(self) -> None:
        self.nonces.clear()
