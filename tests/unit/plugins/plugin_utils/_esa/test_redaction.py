# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one redaction helper: secrets (and their URL-encoded forms) and private keys never survive, however the text is cut."""

from __future__ import annotations

import json

import pytest

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.redaction import REDACTED, quote, redact

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET"
TOKEN = "CAIS-sts-token-VALUE/xyz=="
KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"
PRIVATE_KEY = f"-----BEGIN PRIVATE KEY-----\n{KEY_BODY}\n{KEY_BODY}\n-----END PRIVATE KEY-----\n"


def test_secrets_and_their_url_encoded_forms_are_removed():
    text = f"signed with {SECRET} token={TOKEN} url=https://x/?t=wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYSECRET&u=CAIS-sts-token-VALUE%2Fxyz%3D%3D"
    redacted = redact(text, [SECRET, TOKEN, None, ""])
    for value in (SECRET, TOKEN, "wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYSECRET", "CAIS-sts-token-VALUE%2Fxyz%3D%3D"):
        assert value not in redacted
    assert redacted.count(REDACTED) == 4


@pytest.mark.parametrize("shape", ["pem", "ec-pem", "json-escaped", "cut-short", "one-line"])
def test_private_keys_are_removed_in_any_shape(shape):
    text = {
        "pem": f"answer: {PRIVATE_KEY} end",
        "ec-pem": PRIVATE_KEY.replace("PRIVATE KEY", "EC PRIVATE KEY"),
        "json-escaped": json.dumps({"PrivateKey": PRIVATE_KEY.replace("PRIVATE KEY", "RSA PRIVATE KEY"), "Id": "cert-1"}),
        "cut-short": f"Response: {{'PrivateKey': '-----BEGIN RSA PRIVATE KEY-----\\n{KEY_BODY}",
        "one-line": " ".join(PRIVATE_KEY.split()),
    }[shape]
    redacted = redact(text)
    assert KEY_BODY not in redacted
    assert "PRIVATE KEY-----" not in redacted.replace(REDACTED, "")
    assert REDACTED in redacted
    if shape == "json-escaped":
        assert '"Id": "cert-1"' in redacted


def test_a_certificate_is_not_a_private_key():
    certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
    assert redact(certificate) == certificate


@pytest.mark.parametrize("padding", [0, 280, 295, 299])
def test_quote_redacts_before_it_shortens_so_no_prefix_survives(padding):
    quoted = quote(f"{'x' * padding} {SECRET}\n{TOKEN}", [SECRET, TOKEN])
    assert "\n" not in quoted
    assert len(quoted) <= 300
    for value in (SECRET, TOKEN):
        assert value[:8] not in quoted


def test_quote_keeps_short_text_whole_and_can_keep_long_text_whole():
    assert quote("  ESA   said\nno. ") == "ESA said no."
    long_text = "word " * 100
    assert quote(long_text).endswith("...")
    assert len(quote(long_text)) == 300
    assert quote(long_text, limit=None) == long_text.strip()
