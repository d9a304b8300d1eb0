"""Fault injection on demand (throttling, 5xx, latency, connection resets, silence, HTML, redirects) and a global QPS limit."""

from __future__ import annotations

import collections
import dataclasses
import math
import random
import threading
import time
import typing as t

from .errors import ERRORS, EsaError

# Latency and reset_after_effect shape a request that still runs; the others replace its answer.
NON_TERMINAL = ('latency', 'reset_after_effect')
TERMINAL = ('throttle', 'server_error', 'reset_before_effect', 'silent', 'html_error')
# Answered in front of the gateway (a load balancer's redirect), before any check, so the request repeated
# after it arrives as new and its signature nonce is not yet spent.
EDGE = ('redirect',)
FAULT_TYPES = NON_TERMINAL + TERMINAL + EDGE
DEFAULT_HTML_STATUS = 502
_DEFAULT_CODE = {'throttle': 'Throttling.User', 'server_error': 'ServiceUnavailable'}
_KNOWN_KEYS = {'type', 'action', 'times', 'probability', 'code', 'status', 'message', 'retry_after_ms', 'retry_after_header', 'latency_ms'}
_SHAPE_KEYS = {'code', 'status', 'message', 'retry_after_ms'}
DEFAULT_THROTTLE_RETRY_AFTER_MS = 100


def _number(raw: t.Mapping[str, t.Any], name: str, low: float, high: float | None = None, default: t.Any = None) -> t.Any:
    value = raw.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low or (high is not None and value > high):
        raise ValueError(f'fault {name} must be a number >= {low}{"" if high is None else f" and <= {high}"}, got {value!r}')
    return value


@dataclasses.dataclass
class FaultRule:
    type: str
    actions: frozenset[str] | None  # None: every ESA action
    times: int | None  # hits left; None: forever
    probability: float
    code: str | None = None
    status: int | None = None
    message: str | None = None
    retry_after_ms: int | None = None
    latency_ms: int = 0
    retry_after_header: str | None = None  # sent verbatim instead of retry_after_ms: values the SDK must ignore ('', '-5', 'soon')

    @classmethod
    def from_json(cls, raw: t.Any) -> FaultRule:
        if not isinstance(raw, dict):
            raise ValueError(f'a fault rule must be an object, got {raw!r}')
        unknown = set(raw) - _KNOWN_KEYS
        if unknown:
            raise ValueError(f'unknown fault rule keys: {", ".join(sorted(unknown))}')
        kind = raw.get('type')
        if kind not in FAULT_TYPES:
            raise ValueError(f'fault type must be one of {", ".join(FAULT_TYPES)}, got {kind!r}')
        action = raw.get('action')
        if isinstance(action, str):
            actions: frozenset[str] | None = frozenset([action])
        elif action is None:
            actions = None
        elif isinstance(action, list) and action and all(isinstance(a, str) for a in action):
            actions = frozenset(action)
        else:
            raise ValueError(f'fault action must be a name or a non-empty list of names, got {action!r}')
        times = _number(raw, 'times', 0)
        if times is not None and not isinstance(times, int):
            raise ValueError('fault times must be an integer or null')
        code, status, message = _code_status_message(raw, _DEFAULT_CODE.get(kind))
        if kind == 'html_error':
            # A proxy's error page carries no ESA code, only its status.
            status = _number(raw, 'status', 400, 599, DEFAULT_HTML_STATUS)
            if not isinstance(status, int):
                raise ValueError('fault status must be an integer')
        # Throttling carries x-acs-retry-after unless told otherwise: null sends none (as the gateway sometimes does).
        retry_after_header = raw.get('retry_after_header')
        if retry_after_header is not None and not isinstance(retry_after_header, str):
            raise ValueError('fault retry_after_header must be a string')
        default_retry_after = DEFAULT_THROTTLE_RETRY_AFTER_MS if kind == 'throttle' and retry_after_header is None else None
        retry_after = _number(raw, 'retry_after_ms', 0, default=default_retry_after)
        return cls(
            type=kind,
            actions=actions,
            times=times,
            probability=float(_number(raw, 'probability', 0, 1, 1.0)),
            code=code if kind in _DEFAULT_CODE else None,
            status=int(status) if status is not None and (kind in _DEFAULT_CODE or kind == 'html_error') else None,
            message=message,
            retry_after_ms=int(retry_after) if retry_after is not None else None,
            latency_ms=int(_number(raw, 'latency_ms', 0, default=0)),
            retry_after_header=retry_after_header,
        )

    def to_json(self) -> dict[str, t.Any]:
        raw = dataclasses.asdict(self)
        raw['action'] = sorted(raw.pop('actions')) if self.actions is not None else None
        shown = {k: v for k, v in raw.items() if v is not None and not (k == 'latency_ms' and self.type != 'latency')}
        if self.type == 'throttle':
            shown['retry_after_ms'] = self.retry_after_ms  # null too: a throttle without the header reads back as one
        return shown

    def error(self) -> EsaError:
        return EsaError(self.code or 'InternalError', status=self.status, message=self.message, retry_after_ms=self.retry_after_ms,
                        reason=f'injected {self.type}', throttling=self.type == 'throttle', retry_after_header=self.retry_after_header)


def _code_status_message(raw: t.Mapping[str, t.Any], default_code: str | None) -> tuple[str | None, int | None, str | None]:
    """A fault's code (any string), its status (the known code's unless given) and optional message."""
    code = raw.get('code', default_code)
    if code is not None and not isinstance(code, str):
        raise ValueError('fault code must be a string')
    status = _number(raw, 'status', 400, 599, ERRORS[code][0] if code in ERRORS else None)
    if code is not None and status is None:
        raise ValueError(f'fault code {code!r} is not a known ESA code: give its status')
    if status is not None and not isinstance(status, int):
        raise ValueError('fault status must be an integer')
    message = raw.get('message')
    if message is not None and not isinstance(message, str):
        raise ValueError('fault message must be a string')
    return code, status, message


@dataclasses.dataclass(frozen=True)
class QpsThrottle:
    """How an answer over the QPS limit looks: code, status, message, and x-acs-retry-after (computed, fixed or none)."""

    code: str = 'Throttling.User'
    status: int = 429
    message: str | None = None
    retry_after: str | int | None = 'computed'  # 'computed': ms until a slot frees; an integer: that value; None: no header

    @classmethod
    def from_json(cls, raw: t.Any) -> QpsThrottle:
        if not isinstance(raw, dict) or set(raw) - _SHAPE_KEYS:
            raise ValueError(f'qps_throttle takes an object with {", ".join(sorted(_SHAPE_KEYS))}')
        code, status, message = _code_status_message(raw, cls.code)
        retry_after: str | int | None = 'computed'
        if raw.get('retry_after_ms', 'computed') != 'computed':
            value = _number(raw, 'retry_after_ms', 0)
            retry_after = int(value) if value is not None else None
        return cls(t.cast(str, code), t.cast(int, status), message, retry_after)

    def to_json(self) -> dict[str, t.Any]:
        shown: dict[str, t.Any] = {'code': self.code, 'status': self.status, 'retry_after_ms': self.retry_after}
        if self.message is not None:
            shown['message'] = self.message
        return shown

    def error(self, wait_ms: int, limit: int) -> EsaError:
        retry_after = wait_ms if self.retry_after == 'computed' else self.retry_after
        return EsaError(self.code, status=self.status, message=self.message, retry_after_ms=t.cast('int | None', retry_after),
                        reason=f'over the limit of {limit} requests per second', throttling=True)


@dataclasses.dataclass
class FaultPlan:
    """What the rules decided for one request."""

    latency_ms: int = 0
    error: EsaError | None = None
    reset_before_effect: bool = False
    reset_after_effect: bool = False
    silent: bool = False
    html_status: int | None = None
    redirect: bool = False
    fired: list[str] = dataclasses.field(default_factory=list)


class FaultInjector:
    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._random = random.Random(seed)
        self._rules: list[FaultRule] = []
        self._qps_limit: int | None = None
        self._qps_throttle: QpsThrottle | None = None  # None: the default shape, left out of to_json
        self._window: collections.deque[float] = collections.deque()

    def configure(self, rules: t.Any, qps_limit: t.Any = None, qps_throttle: t.Any = None) -> None:
        """Replace every rule, the QPS limit and its answer's shape; raise ValueError, changing nothing, when one is invalid."""
        if not isinstance(rules, list):
            raise ValueError('rules must be a list')
        parsed = [FaultRule.from_json(rule) for rule in rules]
        limit = _number({'qps_limit': qps_limit}, 'qps_limit', 1)
        if limit is not None and not isinstance(limit, int):
            raise ValueError('qps_limit must be an integer or null')
        shape = QpsThrottle.from_json(qps_throttle) if qps_throttle is not None else None
        with self._lock:
            self._rules = parsed
            self._qps_limit = limit
            self._qps_throttle = shape
            self._window.clear()
            # Reseeded with every configuration, so the same rules replay the same way (given a seed).
            self._random.seed(self._seed)

    def clear(self) -> None:
        self.configure([], None)

    def to_json(self) -> dict[str, t.Any]:
        with self._lock:
            shown = {'rules': [rule.to_json() for rule in self._rules], 'qps_limit': self._qps_limit}
            if self._qps_throttle is not None:
                shown['qps_throttle'] = self._qps_throttle.to_json()
            return shown

    def admit(self) -> None:
        """Count one request against the rolling one-second window, or refuse it as ESA's flow control does."""
        now = time.monotonic()
        with self._lock:
            if self._qps_limit is None:
                return
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) >= self._qps_limit:
                wait_ms = max(1, math.ceil((self._window[0] + 1.0 - now) * 1000))
                raise (self._qps_throttle or QpsThrottle()).error(wait_ms, self._qps_limit)
            self._window.append(now)

    def plan(self, action: str, edge: bool = False) -> FaultPlan:
        """What the rules do to this request: the edge rules alone (``edge``, before the gateway) or all the others."""
        plan = FaultPlan()
        with self._lock:
            for rule in self._rules:
                if (rule.type in EDGE) != edge:
                    continue
                if rule.actions is not None and action not in rule.actions:
                    continue
                if rule.times is not None and rule.times <= 0:
                    continue
                if rule.probability < 1.0 and self._random.random() >= rule.probability:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                plan.fired.append(rule.type)
                if rule.type == 'latency':
                    plan.latency_ms += rule.latency_ms
                elif rule.type == 'reset_after_effect':
                    plan.reset_after_effect = True
                elif rule.type == 'reset_before_effect':
                    plan.reset_before_effect = True
                    break
                elif rule.type == 'silent':
                    plan.silent = True
                    break
                elif rule.type == 'html_error':
                    plan.html_status = rule.status
                    break
                elif rule.type == 'redirect':
                    plan.redirect = True
                    break
                else:
                    plan.error = rule.error()
                    break
        return plan
