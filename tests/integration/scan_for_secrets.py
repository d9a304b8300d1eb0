#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fail when output or files left behind carry a secret.

- Logs (files given as arguments) must hold no private key, no access key secret, no STS token, no PKCS#12 passphrase.
- In directories given as arguments, a file may hold a private key only if nobody but its owner can
  read it (keys and their backups); no file may hold the secret, the token or the passphrase; no temporary or pending
  file may be left behind.
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from esa_test_support import read_config  # noqa: E402  pylint: disable=wrong-import-position

LEFTOVER = re.compile(r"(\.tmp|\.esa-pending)$")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    config = read_config(args.config)
    names = ("esa_access_key_secret", "esa_security_token", "esa_sts_access_key_secret", "esa_pkcs12_passphrase")
    secrets = {name: config[name] for name in names if config.get(name)}
    if "esa_access_key_secret" not in secrets:
        print("scan_for_secrets: the config names no esa_access_key_secret to look for", file=sys.stderr)
        return 2
    problems, scanned = [], 0
    for root in args.paths:
        files = [root] if os.path.isfile(root) else [os.path.join(d, f) for d, _s, fs in os.walk(root) for f in fs]
        for path in files:
            # Symlinks, FIFOs and sockets that tests leave on purpose: reading a FIFO would block, a link is scanned where it points.
            if not stat.S_ISREG(os.lstat(path).st_mode):
                continue
            scanned += 1
            is_log = path == root
            if LEFTOVER.search(path):
                problems.append(f"{path}: temporary file left behind")
            with open(path, "rb") as handle:
                data = handle.read()
            for name, value in secrets.items():
                if value.encode() in data:
                    problems.append(f"{path}: contains {name}")
            if b"PRIVATE KEY" in data:
                mode = stat.S_IMODE(os.stat(path).st_mode)
                if is_log:
                    problems.append(f"{path}: output contains a private key")
                elif mode & 0o077:
                    problems.append(f"{path}: holds a private key with mode {mode:04o}")
    for problem in problems:
        print(f"SECRET LEAK: {problem}", file=sys.stderr)
    print(f"scan_for_secrets: {scanned} files scanned, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
