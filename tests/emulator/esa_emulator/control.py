"""Emulator-only routes under /_emulator/ (no signature): CA, stats, faults, settings, clock, reset, seed, state."""

from __future__ import annotations

import json
import typing as t

from .clock import to_iso
from .seeding import SeedRequest, seed_certificates
from .service import EsaService, Reply

PREFIX = '/_emulator/'


def _body_json(body: bytes) -> t.Any:
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError as error:
        raise ValueError(f'the body is not JSON: {error}') from None


def set_faults(service: EsaService, document: t.Any) -> None:
    """Accept a bare list of rules, or {"rules": [...], "qps_limit": N, "qps_throttle": {...}}; either replaces everything."""
    if isinstance(document, list):
        service.faults.configure(document, None)
    elif isinstance(document, dict) and set(document) <= {'rules', 'qps_limit', 'qps_throttle'}:
        service.faults.configure(document.get('rules') or [], document.get('qps_limit'), document.get('qps_throttle'))
    else:
        raise ValueError('faults must be a list of rules or an object with "rules", "qps_limit" and "qps_throttle"')


def _set_clock(service: EsaService, document: t.Any) -> None:
    offset = document.get('offset_seconds') if isinstance(document, dict) else None
    if isinstance(offset, bool) or not isinstance(offset, (int, float)):
        raise ValueError('clock needs {"offset_seconds": <number>}')
    service.clock.set_offset(offset)


def _clock(service: EsaService) -> dict[str, t.Any]:
    return {'offset_seconds': service.clock.offset_seconds, 'now': to_iso(service.clock.now_utc())}


def handle_control(service: EsaService, method: str, path: str, body: bytes) -> Reply:
    route = (method, path[len(PREFIX):].strip('/'))
    try:
        if route == ('GET', 'ca.pem'):
            return Reply(200, service.ca.certificate_pem.encode('ascii'), 'application/x-pem-file')
        if route == ('GET', 'stats'):
            return Reply.json(200, service.stats.to_json())
        if route == ('POST', 'stats/reset'):
            service.stats.reset()
            return Reply.json(200, service.stats.to_json())
        if route == ('GET', 'faults'):
            return Reply.json(200, service.faults.to_json())
        if route == ('POST', 'faults'):
            set_faults(service, _body_json(body))
            return Reply.json(200, service.faults.to_json())
        if route == ('DELETE', 'faults'):
            service.faults.clear()
            return Reply.json(200, service.faults.to_json())
        if route == ('GET', 'settings'):
            return Reply.json(200, service.settings.current.to_json())
        if route == ('POST', 'settings'):
            return Reply.json(200, service.settings.update(_body_json(body)).to_json())
        if route == ('DELETE', 'settings'):
            return Reply.json(200, service.settings.restore().to_json())
        if route == ('GET', 'clock'):
            return Reply.json(200, _clock(service))
        if route == ('POST', 'clock'):
            _set_clock(service, _body_json(body))
            return Reply.json(200, _clock(service))
        if route == ('POST', 'reset'):
            service.reset()
            return Reply.json(200, {'reset': True})
        if route == ('POST', 'seed'):
            request = SeedRequest.from_json(_body_json(body), service.config)
            total = seed_certificates(service.store, service.ca, request, service.clock.now_utc())
            return Reply.json(200, {'seeded': request.count, 'site_id': request.site_id, 'total': total})
        if route == ('GET', 'state'):
            return Reply.json(200, {'certificates': service.state(), 'client_ca_certificates': service.client_ca_state(),
                                    'hostname_bindings': service.store.bindings()})
    except ValueError as error:
        return Reply.json(400, {'error': str(error)})
    return Reply.json(404, {'error': f'no emulator route {method} {path}'})
