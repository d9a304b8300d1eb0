"""Behaviour switches for what public evidence leaves open: set at start (config), changed at runtime (control route, Python API)."""

from __future__ import annotations

import dataclasses
import threading
import typing as t

from .errors import ERRORS

FAMILIES = ('client_certificates', 'client_ca_certificates')
DERIVED_FIELD_MODES = ('present', 'empty', 'absent')
UNKNOWN_ACTION_CODES = ('InvalidAction.NotFound', 'InvalidApi.NotFound')
EVERY_ACTION = '*'
KEYS = ('derived_fields', 'gateway_codes', 'unknown_action_code', 'site_not_found_actions', 'client_ca_limit')


@dataclasses.dataclass(frozen=True)
class ClientCaLimit:
    """How many client CAs a site may hold, and what the upload over that number is answered."""

    max: int | None = 5  # the ESA user guide: at most 5 client CA certificates per plan; None: no limit
    code: str = 'QuotaCheckFailed.Function'  # unverified: the only quota code the Upload page documents
    status: int = 400
    message: str | None = None  # None: the code's usual message

    def updated(self, raw: t.Any) -> ClientCaLimit:
        if not isinstance(raw, dict) or set(raw) - {'max', 'code', 'status', 'message'}:
            raise ValueError('client_ca_limit takes an object with max, code, status and message')
        limit = raw.get('max', self.max)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise ValueError(f'client_ca_limit.max must be a non-negative integer or null, got {limit!r}')
        code = raw.get('code', self.code)
        if not isinstance(code, str) or not code:
            raise ValueError(f'client_ca_limit.code must be a non-empty string, got {code!r}')
        default_status = self.status if code == self.code else ERRORS.get(code, (None, ''))[0]
        status = raw.get('status', default_status)
        if status is None:
            raise ValueError(f'client_ca_limit.code {code!r} is not a known code: give its status')
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError(f'client_ca_limit.status must be an integer within 400..599, got {status!r}')
        message = raw.get('message', self.message if code == self.code else None)
        if message is not None and not isinstance(message, str):
            raise ValueError('client_ca_limit.message must be a string or null')
        return ClientCaLimit(limit, code, status, message)


@dataclasses.dataclass(frozen=True)
class Settings:
    # family -> present (as documented), empty ("" like the GetClientCaCertificate example), absent (as older Get/List pages)
    derived_fields: tuple[tuple[str, str], ...] = tuple((family, 'present') for family in FAMILIES)
    gateway_codes: bool = True  # False: the Unauthorized.* codes of the ESA pages instead of the gateway's own
    unknown_action_code: str = 'InvalidAction.NotFound'
    site_not_found_actions: frozenset[str] = frozenset()  # actions that answer SiteNotFound for an unknown SiteId
    client_ca_limit: ClientCaLimit = ClientCaLimit()

    def derived_mode(self, family: str) -> str:
        return dict(self.derived_fields)[family]

    def site_not_found(self, action: str) -> bool:
        return EVERY_ACTION in self.site_not_found_actions or action in self.site_not_found_actions

    def updated(self, document: t.Any) -> Settings:
        """A copy with the keys `document` names changed; raise ValueError naming the first bad one."""
        if not isinstance(document, dict):
            raise ValueError('settings must be a JSON object')
        unknown = set(document) - set(KEYS)
        if unknown:
            raise ValueError(f'unknown settings: {", ".join(sorted(unknown))} (known: {", ".join(KEYS)})')
        changes: dict[str, t.Any] = {}
        if 'derived_fields' in document:
            changes['derived_fields'] = _derived_fields(dict(self.derived_fields), document['derived_fields'])
        if 'gateway_codes' in document:
            if not isinstance(document['gateway_codes'], bool):
                raise ValueError('gateway_codes must be true or false')
            changes['gateway_codes'] = document['gateway_codes']
        if 'unknown_action_code' in document:
            if document['unknown_action_code'] not in UNKNOWN_ACTION_CODES:
                raise ValueError(f'unknown_action_code must be one of {", ".join(UNKNOWN_ACTION_CODES)}')
            changes['unknown_action_code'] = document['unknown_action_code']
        if 'site_not_found_actions' in document:
            changes['site_not_found_actions'] = _actions(document['site_not_found_actions'])
        if 'client_ca_limit' in document:
            changes['client_ca_limit'] = self.client_ca_limit.updated(document['client_ca_limit'])
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, t.Any]:
        return {
            'derived_fields': dict(self.derived_fields),
            'gateway_codes': self.gateway_codes,
            'unknown_action_code': self.unknown_action_code,
            'site_not_found_actions': sorted(self.site_not_found_actions),
            'client_ca_limit': dataclasses.asdict(self.client_ca_limit),
        }


def _derived_fields(current: dict[str, str], raw: t.Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict) or set(raw) - set(FAMILIES):
        raise ValueError(f'derived_fields takes an object with {" and/or ".join(FAMILIES)}')
    for family, mode in raw.items():
        if mode not in DERIVED_FIELD_MODES:
            raise ValueError(f'derived_fields.{family} must be one of {", ".join(DERIVED_FIELD_MODES)}, got {mode!r}')
        current[family] = mode
    return tuple((family, current[family]) for family in FAMILIES)


def _actions(raw: t.Any) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise ValueError('site_not_found_actions must be a list of action names (or ["*"])')
    from .actions import ACTIONS  # here, not at the top: actions imports config, which imports this module

    unknown = sorted(set(raw) - set(ACTIONS) - {EVERY_ACTION})
    if unknown:
        raise ValueError(f'site_not_found_actions names no ESA action: {", ".join(unknown)}')
    return frozenset(raw)


class SettingsHolder:
    """The settings in force, swapped whole under a lock, and the start values that reset restores."""

    def __init__(self, initial: Settings) -> None:
        self._lock = threading.Lock()
        self._initial = initial
        self._current = initial

    @property
    def current(self) -> Settings:
        with self._lock:
            return self._current

    def update(self, document: t.Any) -> Settings:
        with self._lock:
            self._current = self._current.updated(document)
            return self._current

    def restore(self) -> Settings:
        with self._lock:
            self._current = self._initial
            return self._current
