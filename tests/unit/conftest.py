"""Shared unit-test setup: a loopback-only environment and the `esa_emulator` fixture."""

from __future__ import annotations

import os
import pathlib
import sys
import typing as t

import pytest

# Before any Alibaba SDK import: the credential chain must never try the ECS metadata address,
# and nothing in these tests may leave the machine.
os.environ['ALIBABA_CLOUD_ECS_METADATA_DISABLED'] = 'true'
# The SDK sends every request through HTTP(S)_PROXY when set and ignores NO_PROXY, so a proxy
# variable would route loopback calls to the emulator off the machine.
for _name in ('HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy'):
    os.environ.pop(_name, None)

EMULATOR_DIR = pathlib.Path(__file__).resolve().parent.parent / 'emulator'
if str(EMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(EMULATOR_DIR))

if t.TYPE_CHECKING:
    from esa_emulator import EmulatorServer


def pytest_collection_finish(session: pytest.Session) -> None:
    """Make the emulator's CA now, in the worker: ansible-test runs each test in a fork, which inherits it."""
    if any('esa_emulator' in getattr(item, 'fixturenames', ()) for item in session.items):
        from esa_emulator.ca import shared_authority

        shared_authority()


@pytest.fixture(scope='session')
def esa_emulator_session() -> t.Iterator[EmulatorServer]:
    """One in-memory emulator per test process (per test under ansible-test, which forks each test)."""
    from esa_emulator import EmulatorServer

    with EmulatorServer(seed=20240910) as server:
        yield server


@pytest.fixture
def esa_emulator(esa_emulator_session: EmulatorServer) -> EmulatorServer:
    """A fresh emulator for each test: no certificates, counters, faults or clock offset (same CA and sites)."""
    esa_emulator_session.reset()
    return esa_emulator_session


@pytest.fixture(scope='session')
def esa_emulator_tls_session() -> t.Iterator[EmulatorServer]:
    """One emulator speaking HTTPS with a certificate from its own CA, which the SDK does not trust."""
    from esa_emulator import EmulatorServer

    with EmulatorServer(seed=20240910, tls=True) as server:
        yield server


@pytest.fixture
def esa_emulator_tls(esa_emulator_tls_session: EmulatorServer) -> EmulatorServer:
    """The HTTPS emulator, fresh for each test (its connection count included)."""
    esa_emulator_tls_session.reset()
    return esa_emulator_tls_session
