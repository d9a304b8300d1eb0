# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PEM text read without cryptography, so a run with nothing to do never imports it."""

from __future__ import annotations

import re

_CERTIFICATE_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]*?-----END CERTIFICATE-----")
_ANY_LABEL = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")


def certificate_blocks(text: str | None) -> list[str]:
    """The PEM certificate blocks of text, each as written from its BEGIN line to its END line."""
    return [block.group(0) for block in _CERTIFICATE_BLOCK.finditer(text or "")]


def block_labels(text: str | None) -> set[str]:
    """The labels of every PEM block in text (CERTIFICATE, PRIVATE KEY, ...)."""
    return set(_ANY_LABEL.findall(text or ""))
