"""The command line: start on a free port, announce it, serve the SDK, stop cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import esa_emulator
import pytest
from alibabacloud_esa20240910 import models
from alibabacloud_esa20240910.client import Client
from alibabacloud_tea_openapi.exceptions import ThrottlingException
from alibabacloud_tea_openapi.utils_models import Config

EMULATOR_DIR = pathlib.Path(esa_emulator.__file__).resolve().parent.parent


def _start(tmp_path, *extra):
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join(filter(None, [str(EMULATOR_DIR), os.environ.get('PYTHONPATH')]))}
    ready = tmp_path / 'ready.json'
    process = subprocess.Popen([sys.executable, '-m', 'esa_emulator', '--port', '0', '--ready-file', str(ready), *extra],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f'the emulator did not start: {process.communicate()}')
        time.sleep(0.05)
    return process, ready, json.loads(ready.read_text(encoding='utf-8'))


def test_cli_serves_and_stops_on_sigterm(tmp_path):
    config = tmp_path / 'config.json'
    config.write_text(json.dumps({
        'credentials': [{'access_key_id': 'LTAIcliKey', 'access_key_secret': 'cli-secret'}],
        'sites': [{'site_id': 42, 'site_name': 'cli.example', 'client_certificates': True, 'hostnames': ['cli.example']}],
    }), encoding='utf-8')
    faults = tmp_path / 'faults.json'
    faults.write_text(json.dumps({'rules': [{'type': 'throttle', 'times': 1}]}), encoding='utf-8')
    process, ready, info = _start(tmp_path, '--config', str(config), '--state-file', str(tmp_path / 'state.json'), '--seed', '7',
                                  '--faults', str(faults))
    try:
        assert set(info) == {'host', 'port', 'endpoint', 'url', 'pid'}
        assert info['host'] == '127.0.0.1'
        assert info['port'] > 0
        assert info['pid'] == process.pid
        assert info['endpoint'] == f'127.0.0.1:{info["port"]}'
        assert info['url'] == f'http://{info["endpoint"]}'

        sdk = Client(Config(access_key_id='LTAIcliKey', access_key_secret='cli-secret', endpoint=info['endpoint'], protocol='http'))
        request = models.CreateClientCertificateRequest(site_id=42, pkey_type='ECDSA', validity_days=1)
        with pytest.raises(ThrottlingException):
            sdk.create_client_certificate(request)  # the fault from --faults
        assert sdk.create_client_certificate(request).body.status == 'active'
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert stdout.strip() == f'ESA emulator listening on {info["url"]}'
    assert not ready.exists()
    assert len(json.loads((tmp_path / 'state.json').read_text(encoding='utf-8'))['certificates']) == 1


def test_cli_stops_on_sigint(tmp_path):
    process = _start(tmp_path)[0]
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=10)
    assert process.returncode == 0


@pytest.mark.parametrize('host', ['0.0.0.0', '192.0.2.1', 'example.com'])
def test_cli_refuses_a_non_loopback_host(host):
    env = {**os.environ, 'PYTHONPATH': str(EMULATOR_DIR)}
    result = subprocess.run([sys.executable, '-m', 'esa_emulator', '--host', host, '--port', '0'], env=env, capture_output=True, text=True,
                            timeout=20, check=False)
    assert result.returncode == 2
    assert 'loopback' in result.stderr


def test_python_api_refuses_a_non_loopback_host():
    with pytest.raises(ValueError, match='loopback'):
        esa_emulator.EmulatorServer(host='0.0.0.0')
