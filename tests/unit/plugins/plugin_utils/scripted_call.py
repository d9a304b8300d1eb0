# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for the one SDK call a RetryPolicy wraps: it fails as scripted, then succeeds, and counts the attempts."""

from __future__ import annotations


class Scripted:
    """A callable that raises the scripted exceptions in order, then returns ``result``."""

    def __init__(self, *failures, result="ok"):
        self.failures = list(failures)
        self.result = result
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return self.result
