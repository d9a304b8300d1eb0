# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One configuration of esa_client_certificate: its options and the files found before the first run."""

from __future__ import annotations

import dataclasses
import typing as t

# Where privatekey_path points: not given, its own file, the certificate's path, or the CSR file.
PRIVATEKEY_AT = ("none", "own", "path", "csr")
# What privatekey_path holds before the first run. "same_type"/"other_type" compare with pkey_type (no CSR);
# with a CSR, "csr_key" is the CSR's own key, "csr_key_encrypted" the same under a passphrase, "different_key" another.
KEY_FILES = ("none", "same_type", "other_type", "encrypted", "not_pem", "csr_key", "csr_key_encrypted", "different_key")
KEY_FILES_WITHOUT_CSR = ("none", "same_type", "other_type", "encrypted", "not_pem")
KEY_FILES_WITH_CSR = ("none", "other_type", "not_pem", "csr_key", "csr_key_encrypted", "different_key")
CERTIFICATE_FILES = ("none", "not_pem")
# Module options passed through unchanged when set (None means: left out of the task).
PLAIN_OPTIONS = ("state", "key_source", "pkey_type", "common_name", "validity_days", "remaining_days", "rotate_key",
                 "verify_remote", "revoke_replaced", "backup", "return_content", "mode", "privatekey_mode")


@dataclasses.dataclass(frozen=True)
class CsrSpec:
    """A CSR given to the module: where it comes from, the type of its key, its subject CN (None: no CN)."""

    source: str  # "path" (csr_path) or "content" (csr_content)
    key_type: str  # "RSA" or "ECDSA"
    common_name: str | None


@dataclasses.dataclass(frozen=True)
class Configuration:
    """Options of one esa_client_certificate task (force is never drawn) and the files before its first run."""

    state: str | None = None
    key_source: str | None = None
    pkey_type: str | None = None
    common_name: str | None = None
    validity_days: int | None = None
    remaining_days: int | None = None
    rotate_key: bool | None = None
    verify_remote: bool | None = None
    revoke_replaced: bool | None = None
    backup: bool | None = None
    return_content: bool | None = None
    mode: str | None = None
    privatekey_mode: str | None = None
    csr: CsrSpec | None = None
    privatekey_at: str = "own"
    key_file: str = "none"
    certificate_file: str = "none"
    # state=absent only: a state=present run with the same options comes first, so there is something to remove.
    start_issued: bool = False

    def __post_init__(self) -> None:
        if self.privatekey_at not in PRIVATEKEY_AT or self.key_file not in KEY_FILES or self.certificate_file not in CERTIFICATE_FILES:
            raise ValueError(f"unknown file setup in {self!r}")
        if self.privatekey_at == "csr" and (self.csr is None or self.csr.source != "path"):
            raise ValueError("privatekey_at=csr needs a CSR given by csr_path")

    def options(self) -> dict[str, t.Any]:
        """The plain options that are set, as the task gets them."""
        return {name: getattr(self, name) for name in PLAIN_OPTIONS if getattr(self, name) is not None}

    def effective_pkey_type(self) -> str:
        return self.pkey_type or "RSA"

    def summary(self) -> dict[str, t.Any]:
        """Plain JSON for reports and the example's directory."""
        return dataclasses.asdict(self)
