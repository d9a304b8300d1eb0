"""Counters that tests read to prove how many ESA calls a run made and what they were answered."""

from __future__ import annotations

import collections
import threading
import typing as t

SUCCESS = 'OK'  # the answer key of a successful call, which carries no Code
CONNECTION_RESET = 'ConnectionReset'  # the answer key of a call whose connection was reset instead


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._requests = 0
            self._calls: collections.Counter[str] = collections.Counter()
            self._answers: collections.Counter[str] = collections.Counter()
            self._by_action: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
            self._faults: collections.Counter[str] = collections.Counter()
            self._throttled = 0

    def call(self, action: str) -> None:
        with self._lock:
            self._requests += 1
            self._calls[action] += 1

    def answer(self, action: str, code: str, throttled: bool = False) -> None:
        """Count one answer; `throttled` when it asked the caller to wait (x-acs-retry-after)."""
        with self._lock:
            self._answers[code] += 1
            self._by_action[action][code] += 1
            self._throttled += throttled

    def faults(self, fired: t.Iterable[str]) -> None:
        with self._lock:
            self._faults.update(fired)

    def to_json(self) -> dict[str, t.Any]:
        with self._lock:
            return {
                'requests_total': self._requests,
                'calls': dict(self._calls),
                'answers': dict(self._answers),
                'answers_by_action': {action: dict(codes) for action, codes in self._by_action.items()},
                'faults_injected': dict(self._faults),
                'faults_injected_total': sum(self._faults.values()),
                'throttled': self._throttled,
            }
