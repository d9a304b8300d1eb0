"""Sites, credentials and start settings of the emulator: a built-in default, or a JSON file of the same shape."""

from __future__ import annotations

import dataclasses
import json
import os
import typing as t

from .settings import KEYS as SETTINGS_KEYS
from .settings import Settings

# The default lets tests and the demo run with no config file. None of these secrets is real.
DEFAULT_CONFIG: dict[str, t.Any] = {
    'credentials': [
        {'access_key_id': 'LTAIemulatorKeyId', 'access_key_secret': 'emulator-secret-do-not-use'},
        {
            'access_key_id': 'STS.emulatorKeyId',
            'access_key_secret': 'emulator-sts-secret-do-not-use',
            'security_token': 'emulator-sts-security-token-do-not-use',
        },
    ],
    'sites': [
        {
            'site_id': 1234567890123,
            'site_name': 'example.com',
            'client_certificates': True,
            'hostnames': ['example.com', 'www.example.com', 'api.example.com'],
        },
        {
            # A plan without the feature: every client-certificate call answers QuotaCheckFailed.Function.
            'site_id': 2222222222222,
            'site_name': 'basic-plan.example',
            'client_certificates': False,
            'hostnames': ['basic-plan.example', 'www.basic-plan.example'],
        },
    ],
    'max_time_skew_seconds': 900,
}


@dataclasses.dataclass(frozen=True)
class Credential:
    access_key_id: str
    access_key_secret: str
    security_token: str | None = None  # set for STS credentials only


@dataclasses.dataclass(frozen=True)
class Site:
    site_id: int
    site_name: str
    client_certificates: bool  # whether the site's plan includes client certificates
    hostnames: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class EmulatorConfig:
    credentials: tuple[Credential, ...]
    sites: tuple[Site, ...]
    max_time_skew_seconds: int
    settings: Settings = Settings()  # the start values of the behaviour switches (settings.py)

    def credential(self, access_key_id: str) -> Credential | None:
        return next((c for c in self.credentials if c.access_key_id == access_key_id), None)

    def site(self, site_id: int) -> Site | None:
        return next((s for s in self.sites if s.site_id == site_id), None)


def _credential(raw: t.Any) -> Credential:
    if not isinstance(raw, dict) or not isinstance(raw.get('access_key_id'), str) or not isinstance(raw.get('access_key_secret'), str):
        raise ValueError(f'a credential needs string access_key_id and access_key_secret: {raw!r}')
    token = raw.get('security_token')
    if token is not None and not isinstance(token, str):
        raise ValueError('security_token must be a string')
    return Credential(raw['access_key_id'], raw['access_key_secret'], token or None)


def _site(raw: t.Any) -> Site:
    if not isinstance(raw, dict):
        raise ValueError(f'a site must be an object: {raw!r}')
    site_id = raw.get('site_id')
    if isinstance(site_id, str) and site_id.isdigit():
        site_id = int(site_id)
    if not isinstance(site_id, int) or isinstance(site_id, bool) or site_id <= 0:
        raise ValueError(f'site_id must be a positive integer: {raw!r}')
    name = raw.get('site_name')
    if not isinstance(name, str) or not name:
        raise ValueError(f'site_name must be a non-empty string: {raw!r}')
    hostnames = raw.get('hostnames', [name])
    if not isinstance(hostnames, list) or not all(isinstance(h, str) for h in hostnames):
        raise ValueError(f'hostnames must be a list of strings: {raw!r}')
    return Site(site_id, name, bool(raw.get('client_certificates', True)), tuple(hostnames))


def build_config(raw: t.Mapping[str, t.Any] | None = None) -> EmulatorConfig:
    """Validate a config mapping; keys it leaves out take the default's value."""
    merged = dict(DEFAULT_CONFIG)
    merged.update(raw or {})
    credentials = tuple(_credential(c) for c in merged['credentials'])
    sites = tuple(_site(s) for s in merged['sites'])
    if not credentials:
        raise ValueError('the config needs at least one credential')
    if len({s.site_id for s in sites}) != len(sites):
        raise ValueError('site_id values must be unique')
    skew = merged['max_time_skew_seconds']
    if not isinstance(skew, int) or skew < 0:
        raise ValueError('max_time_skew_seconds must be a non-negative integer')
    start = Settings().updated({key: merged[key] for key in SETTINGS_KEYS if key in merged})
    return EmulatorConfig(credentials, sites, skew, start)


def load_config(source: str | os.PathLike[str] | t.Mapping[str, t.Any] | EmulatorConfig | None = None) -> EmulatorConfig:
    """Accept a path to a JSON file, a mapping, a ready config, or None for the default."""
    if isinstance(source, EmulatorConfig):
        return source
    if source is None or isinstance(source, t.Mapping):
        return build_config(source)
    with open(source, encoding='utf-8') as handle:
        raw = json.load(handle)
    if not isinstance(raw, dict):
        raise ValueError(f'{os.fspath(source)}: the config must be a JSON object')
    return build_config(raw)
