"""The emulator's clock: real time plus an offset that tests set, and ESA's two time formats."""

from __future__ import annotations

import datetime
import threading
import time

ISO_FORMAT = '%Y-%m-%dT%H:%M:%SZ'  # Create's answer and the SDK's x-acs-date
PLAIN_FORMAT = '%Y-%m-%d %H:%M:%S'  # Get's and List's answers (UTC)


class Clock:
    """Wall clock shifted by a settable offset, so tests can skew the server instead of the SDK."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset

    def set_offset(self, seconds: float) -> None:
        with self._lock:
            self._offset = float(seconds)

    def now(self) -> float:
        return time.time() + self.offset_seconds

    def now_utc(self) -> datetime.datetime:
        """Now, to the whole second, because X.509 times and ESA answers have no fractions."""
        return datetime.datetime.fromtimestamp(int(self.now()), tz=datetime.timezone.utc)


def to_iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime(ISO_FORMAT)


def to_plain(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime(PLAIN_FORMAT)


def from_iso(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, ISO_FORMAT).replace(tzinfo=datetime.timezone.utc)
