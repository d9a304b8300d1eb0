# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os
import socket

import pytest

# alibabacloud_credentials reads this once, at import: set it first so the default chain never asks
# the ECS metadata address (only loopback traffic is allowed in tests).
os.environ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"

try:
    from alibabacloud_credentials.utils import auth_util
except ImportError:  # pragma: no cover - tests that need the SDK skip themselves
    auth_util = None
else:
    # In case another test module imported the SDK before this file ran.
    auth_util.environment_ecs_metadata_disabled = "true"


@pytest.fixture
def sdk_errors(request, monkeypatch):
    """Real SDK exceptions, each caught from one call through the installed SDK (see real_sdk_errors.py)."""
    # Imported here: the SDK it needs may be missing, and this conftest must load without it.
    from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.real_sdk_errors import RealSdkErrors  # pylint: disable=import-outside-toplevel

    return RealSdkErrors(request, monkeypatch)


# Two loopback ports that fail before any server could answer, which no emulator can stand in for: nothing listens there.


@pytest.fixture
def closed_port():
    """A port bound but never listening: every connect is refused, and holding the bind keeps other tests off it."""
    bound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    bound.bind(("127.0.0.1", 0))
    yield bound.getsockname()[1]
    bound.close()


@pytest.fixture
def full_backlog_port():
    """A listener that never accepts, its backlog filled: Linux drops further SYNs, so connecting times out."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _index in range(4):
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    yield port
    for filler in fillers:
        filler.close()
    listener.close()
