"""The emulated ESA endpoint, independent of HTTP: the gateway's checks, QPS limit, faults, the action, the answer."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
import typing as t
import urllib.parse
import uuid

from .actions import ACTIONS, ActionContext
from .ca import CertificateAuthority
from .clock import Clock, to_iso
from .config import EmulatorConfig, load_config
from .errors import EsaError
from .faults import FaultInjector
from .gateway import Gateway
from .settings import SettingsHolder
from .state import CertificateStore
from .stats import CONNECTION_RESET, HTML_ANSWER, NO_ANSWER, REDIRECTED, SUCCESS, Stats

JSON_TYPE = 'application/json;charset=utf-8'

logger = logging.getLogger('esa_emulator')


def ca_file_for(state_file: str) -> str:
    """The CA key lives beside the state file, never inside it, so the state file holds no private key."""
    return f'{state_file}.ca.pem'


@dataclasses.dataclass
class Reply:
    status: int = 200
    body: bytes = b''
    content_type: str = JSON_TYPE
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    reset: bool = False  # drop the TCP connection with an RST instead of answering
    silent: bool = False  # never answer: hold the connection until the client gives up

    @classmethod
    def json(cls, status: int, document: t.Any, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, json.dumps(document).encode('utf-8'), JSON_TYPE, headers or {})


def _form(headers: t.Mapping[str, list[str]], body: bytes) -> dict[str, str]:
    content_type = (headers.get('content-type') or [''])[0].split(';')[0].strip().lower()
    if not body or content_type != 'application/x-www-form-urlencoded':
        return {}
    try:
        return dict(urllib.parse.parse_qsl(body.decode('utf-8'), keep_blank_values=True))
    except UnicodeDecodeError:
        raise EsaError('InvalidParameter', reason='the form body is not UTF-8') from None


class EsaService:
    def __init__(self, config: t.Any = None, state_file: str | os.PathLike[str] | None = None, seed: int | None = None,
                 settings: t.Mapping[str, t.Any] | None = None) -> None:
        self.config: EmulatorConfig = load_config(config)
        self.clock = Clock()
        path = os.fspath(state_file) if state_file is not None else None
        self.store = CertificateStore(path)
        self.ca = CertificateAuthority.load_or_create(ca_file_for(path) if path else None, self.clock.now_utc())
        self.faults = FaultInjector(seed)
        self.stats = Stats()
        # `settings` (as POST /_emulator/settings takes them) go on top of the config's; reset returns to both.
        self.settings = SettingsHolder(self.config.settings.updated(dict(settings or {})))
        self.gateway = Gateway(self.config, self.clock, self.settings)
        self.context = ActionContext(self.config, self.store, self.ca, self.clock, self.settings)

    def reset(self) -> None:
        """Forget certificates, client CAs, hostname bindings, counters, faults, clock offset, remembered nonces and
        settings changed at runtime; keep the CA, the sites and the start settings."""
        self.store.clear()
        self.stats.reset()
        self.faults.clear()
        self.clock.set_offset(0)
        self.gateway.reset()
        self.settings.restore()

    def state(self) -> list[dict[str, t.Any]]:
        """Every certificate record with its main facts (there is no private key to leave out: none is kept)."""
        records = []
        for record in self.store.ordered():
            facts = record.facts
            records.append({
                **record.to_json(),
                'common_name': facts.common_name,
                'serial_number': facts.serial_number,
                'fingerprint_sha256': facts.fingerprint_sha256,
                'not_before': to_iso(facts.not_before),
                'not_after': to_iso(facts.not_after),
            })
        return records

    def client_ca_state(self) -> list[dict[str, t.Any]]:
        """Every uploaded client CA record with its main facts."""
        records = []
        for record in self.store.ordered_client_cas():
            facts = record.facts
            records.append({
                **record.to_json(),
                'common_name': facts.common_name,
                'fingerprint_sha256': facts.fingerprint_sha256,
                'not_before': to_iso(facts.not_before),
                'not_after': to_iso(facts.not_after),
            })
        return records

    def handle_api(self, method: str, path: str, query: t.Mapping[str, str], headers: t.Mapping[str, list[str]], body: bytes) -> Reply:
        """Answer one RPC call; `headers` maps lower-cased names to all their values."""
        request_id = str(uuid.uuid4()).upper()
        action = (headers.get('x-acs-action') or [''])[0]
        self.stats.call(action, request_id)
        edge = self.faults.plan(action, edge=True)
        if edge.redirect:
            self.stats.faults(edge.fired)
            self.stats.answer(action, REDIRECTED)
            # The same URL again: requests repeats a 307 with its method, body and (same host) headers.
            location = path + ('?' + urllib.parse.urlencode(query) if query else '')
            return Reply(307, b'', 'text/plain', {'Location': location})
        try:
            return self._run(request_id, action, method, path, query, headers, body)
        except EsaError as caught:
            error = caught
        except Exception:  # an emulator bug must still answer as ESA would, not hang the SDK
            logger.exception('%s %s failed inside the emulator', request_id, action)
            error = EsaError('InternalError', reason='unexpected emulator failure')
        logger.info('%s %s -> %s %s (%s)', request_id, action or '-', error.status, error.code, error.reason or error.message)
        header = error.retry_after_header if error.retry_after_header is not None else error.retry_after_ms
        self.stats.answer(action, error.code, throttled=error.throttling or header is not None)
        extra = {'x-acs-request-id': request_id}
        if header is not None:
            extra['x-acs-retry-after'] = str(header)
        return Reply.json(error.status, {'RequestId': request_id, 'Code': error.code, 'Message': error.message}, extra)

    def _run(self, request_id: str, action: str, method: str, path: str, query: t.Mapping[str, str],
             headers: t.Mapping[str, list[str]], body: bytes) -> Reply:
        self.gateway.authenticate(method, path, query, headers, body)
        self.gateway.route(path, action, (headers.get('x-acs-version') or [''])[0], ACTIONS)
        self.faults.admit()
        plan = self.faults.plan(action)
        self.stats.faults(plan.fired)
        if plan.latency_ms:
            time.sleep(plan.latency_ms / 1000)
        if plan.reset_before_effect:
            self.stats.answer(action, CONNECTION_RESET)
            return Reply(reset=True)
        if plan.silent:
            self.stats.answer(action, NO_ANSWER)
            return Reply(silent=True)
        if plan.html_status is not None:
            # A proxy or load balancer in front of ESA answering its own error page: no JSON, no request id.
            self.stats.answer(action, HTML_ANSWER)
            page = f'<html><body><h1>{plan.html_status} Bad Gateway</h1></body></html>'.encode('ascii')
            return Reply(plan.html_status, page, 'text/html')
        if plan.error is not None:
            raise plan.error
        # RPC parameters may travel in the query or the form body; the body wins, as at ESA's gateway.
        params = {**query, **_form(headers, body)}
        answer = ACTIONS[action](dataclasses.replace(self.context, action=action), params)
        if plan.reset_after_effect:
            logger.info('%s %s took effect; resetting the connection instead of answering', request_id, action)
            self.stats.answer(action, CONNECTION_RESET)
            return Reply(reset=True)
        self.stats.answer(action, SUCCESS)
        return Reply.json(200, {'RequestId': request_id, **answer}, {'x-acs-request-id': request_id})
