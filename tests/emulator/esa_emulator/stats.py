"""Counters that tests read to prove how many ESA calls a run made and what they were answered."""

from __future__ import annotations

import collections
import threading
import typing as t

SUCCESS = 'OK'  # the answer key of a successful call, which carries no Code
CONNECTION_RESET = 'ConnectionReset'  # the answer key of a call whose connection was reset instead
NO_ANSWER = 'NoAnswer'  # the answer key of a call held unanswered (silent fault)
HTML_ANSWER = 'HtmlAnswer'  # the answer key of a call answered with an HTML error page (html_error fault)
REDIRECTED = 'Redirected'  # the answer key of a call redirected to itself (redirect fault)


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
            self._request_ids: list[str] = []

    def call(self, action: str, request_id: str = '') -> None:
        with self._lock:
            self._requests += 1
            self._calls[action] += 1
            self._request_ids.append(request_id)

    def request_ids(self) -> list[str]:
        """The RequestId of every ESA call, in arrival order: tests compare it with what an error reported."""
        with self._lock:
            return list(self._request_ids)

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
