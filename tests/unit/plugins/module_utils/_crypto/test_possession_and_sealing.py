# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Proof of possession (host signs, controller verifies) and the sealed ESA-generated key."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import key_wrap as _key_wrap
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import possession as _possession
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.keys import generate_private_key, private_key_pem


@pytest.mark.parametrize("pkey_type", ["RSA", "ECDSA"])
def test_a_signature_verifies_only_for_its_key_nonce_and_site(pkey_type):
    key, stranger = generate_private_key(pkey_type), generate_private_key(pkey_type)
    nonce = _possession.new_nonce()
    message = _possession.proof_message(nonce, 1234)
    signature = _possession.sign(key, message)
    assert _possession.verify(key.public_key(), message, signature)
    assert not _possession.verify(stranger.public_key(), message, signature)
    assert not _possession.verify(key.public_key(), _possession.proof_message(_possession.new_nonce(), 1234), signature)
    assert not _possession.verify(key.public_key(), _possession.proof_message(nonce, 1235), signature)


@pytest.mark.parametrize("garbage", [None, "", "not base64!", "A" * 5000, 42, "AAAA"])
def test_verify_never_raises_on_garbage(garbage):
    key = generate_private_key("ECDSA")
    assert _possession.verify(key.public_key(), b"m", garbage) is False


def test_a_proof_of_an_rsa_key_does_not_verify_against_an_ec_certificate():
    rsa_key, ec_key = generate_private_key("RSA"), generate_private_key("ECDSA")
    message = _possession.proof_message(_possession.new_nonce(), 1)
    assert not _possession.verify(ec_key.public_key(), message, _possession.sign(rsa_key, message))


def test_nonces_are_fresh():
    assert len({_possession.new_nonce() for _index in range(100)}) == 100


def test_a_sealed_key_opens_only_with_the_recipients_one_time_key():
    secret = private_key_pem(generate_private_key("RSA"))
    recipient_private, recipient_public = _key_wrap.new_recipient()
    sealed = _key_wrap.seal(secret, recipient_public)
    assert b"PRIVATE KEY" not in repr(sealed).encode()
    assert _key_wrap.unseal(sealed, recipient_private) == secret
    other_private, _other_public = _key_wrap.new_recipient()
    with pytest.raises(_key_wrap.UnsealError):
        _key_wrap.unseal(sealed, other_private)


@pytest.mark.parametrize("field", ["ciphertext", "nonce", "ephemeral_public"])
def test_a_tampered_seal_is_refused(field):
    recipient_private, recipient_public = _key_wrap.new_recipient()
    sealed = _key_wrap.seal(b"key", recipient_public)
    tampered = dict(sealed, **{field: sealed[field][:-4] + ("AAAA" if not sealed[field].endswith("AAAA") else "BBBB")})
    with pytest.raises(_key_wrap.UnsealError):
        _key_wrap.unseal(tampered, recipient_private)
    with pytest.raises(_key_wrap.UnsealError):
        _key_wrap.unseal({"ciphertext": "x"}, recipient_private)


@pytest.mark.parametrize(
    ("recipient", "problem"),
    [
        (None, "it is missing or not a short base64 string"),
        ("A" * 65, "it is missing or not a short base64 string"),
        ("not base64!", "it is not base64"),
        ("AAAA", "it has 3 bytes, an X25519 public key has 32"),
        (base64.b64encode(bytes(32)).decode(), "it is a point no key can be sealed to"),
    ],
    ids=["missing", "huge", "not base64", "short", "low-order point"],
)
def test_a_recipient_key_nothing_can_be_sealed_to_is_named_before_esa_makes_a_key(recipient, problem):
    assert _key_wrap.recipient_problem(recipient) == problem


def test_a_real_recipient_key_has_no_problem():
    _private, public = _key_wrap.new_recipient()
    assert _key_wrap.recipient_problem(public) is None
