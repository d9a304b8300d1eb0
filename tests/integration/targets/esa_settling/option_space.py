# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypothesis strategies over the option space of esa_client_certificate (see its DOCUMENTATION).

force is never drawn: force=true reissues on every run by definition, so it can never settle.
Site, endpoint and credentials are fixed (the emulator's); owner and group are left out (the tests run as root).

Each option is one draw from a strategy of its own (no two share a label): hypothesis's generator otherwise
spends most of a small budget on copies of earlier examples with one value duplicated (its "mutator"), and
each example here costs an ansible-playbook run.
"""

from __future__ import annotations

import typing as t

from hypothesis import strategies as st

from configuration import KEY_FILES_WITH_CSR, KEY_FILES_WITHOUT_CSR, Configuration, CsrSpec

NORMAL_NAME = "client.example.com"
NAME_OF_64 = "c" * 52 + ".example.com"  # the longest CN X.509 allows (ub-common-name)
NAME_OF_65 = "l" * 53 + ".example.com"  # one over
NAME_OF_80 = "l" * 68 + ".example.com"
# Usable values appear twice: most options refused up front would leave few examples that reach the second run.
COMMON_NAMES = (None, None, NORMAL_NAME, NORMAL_NAME, "", NAME_OF_64, NAME_OF_65, NAME_OF_80, "Client-01.Example.COM",
                "payments client 01", " client.example.com ")
VALIDITY_DAYS = (1, 2, 30, 30, 365, 365, 3650, 0, 3651)  # the last two are out of range (1..3650)
FILE_MODES = (None, "0644", "0640", "0600", "0400")
KEY_MODES = (None, "0600", "0400", "0640")


def optional_bool(draw: t.Callable[..., t.Any], option: str) -> bool | None:
    """Left out, true or false; the option's name in the elements gives each option a strategy label of its own."""
    return draw(st.sampled_from(tuple((option, value) for value in (None, True, False))))[1]


@st.composite
def remaining_days(draw: t.Callable[..., t.Any], validity_days: int) -> int | None:
    """Left out, 0, below, equal to or above validity_days."""
    relation = draw(st.sampled_from(("absent", "absent", "zero", "below", "below", "equal", "above")))
    if relation == "absent":
        return None
    if relation == "zero":
        return 0
    if relation == "below":
        return draw(st.integers(0, max(0, validity_days - 1)))
    if relation == "equal":
        return validity_days
    return draw(st.integers(validity_days + 1, validity_days + 400))


def csr_specs() -> st.SearchStrategy[CsrSpec]:
    return st.builds(CsrSpec, source=st.sampled_from(("path", "content")), key_type=st.sampled_from(("RSA", "ECDSA")),
                     common_name=st.sampled_from((NORMAL_NAME, None, "Client-02.Example.COM")))


@st.composite
def configurations(draw: t.Callable[..., t.Any]) -> Configuration:
    """Any configuration of the module but force=true, with the files found before its first run."""
    state = draw(st.sampled_from((None, "present", "present", "absent")))
    validity_days = draw(st.sampled_from(VALIDITY_DAYS))
    csr = draw(st.one_of(st.none(), st.none(), csr_specs()))
    if csr is None:
        privatekey_at = draw(st.sampled_from(("own", "own", "path", "none")))
    else:
        privatekey_at = draw(st.sampled_from(("none", "own", "path") + (("csr",) if csr.source == "path" else ())))
    key_files = KEY_FILES_WITH_CSR if csr is not None else KEY_FILES_WITHOUT_CSR
    key_file = draw(st.sampled_from(key_files)) if privatekey_at in ("own", "path") else "none"
    return Configuration(
        state=state,
        key_source=draw(st.sampled_from((None, "local", "esa"))),
        pkey_type=draw(st.sampled_from((None, "RSA", "ECDSA"))),
        common_name=draw(st.sampled_from(COMMON_NAMES)),
        validity_days=validity_days,
        remaining_days=draw(remaining_days(validity_days)),
        rotate_key=optional_bool(draw, "rotate_key"),
        verify_remote=optional_bool(draw, "verify_remote"),
        revoke_replaced=optional_bool(draw, "revoke_replaced"),
        backup=optional_bool(draw, "backup"),
        return_content=optional_bool(draw, "return_content"),
        mode=draw(st.sampled_from(FILE_MODES)),
        privatekey_mode=draw(st.sampled_from(KEY_MODES)),
        csr=csr,
        privatekey_at=privatekey_at,
        key_file=key_file,
        certificate_file=draw(st.sampled_from(("none", "none", "not_pem"))),
        start_issued=draw(st.booleans()) if state == "absent" else False,
    )
