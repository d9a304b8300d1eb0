"""The behaviour switches: control route, Python API, config and command line, and what reset restores."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import esa_emulator
import pytest
from alibabacloud_esa20240910 import models
from alibabacloud_esa20240910.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils_models import Config
from esa_emulator import EmulatorServer

SITE_ID = 1234567890123
DEFAULTS = {
    'derived_fields': {'client_certificates': 'present', 'client_ca_certificates': 'present'},
    'gateway_codes': True,
    'unknown_action_code': 'InvalidAction.NotFound',
    'site_not_found_actions': [],
    'client_ca_limit': {'max': 5, 'code': 'QuotaCheckFailed.Function', 'status': 400, 'message': None},
}


def _control(emu, method, document=None):
    data = json.dumps(document).encode('utf-8') if document is not None else None
    request = urllib.request.Request(f'{emu.url}/_emulator/settings', data=data, method=method, headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_route_reads_changes_and_restores(esa_emulator):
    assert _control(esa_emulator, 'GET') == (200, DEFAULTS)
    status, changed = _control(esa_emulator, 'POST', {'derived_fields': {'client_certificates': 'empty'}, 'gateway_codes': False})
    assert status == 200
    assert changed == {**DEFAULTS, 'derived_fields': {'client_certificates': 'empty', 'client_ca_certificates': 'present'},
                       'gateway_codes': False}
    # A later change keeps what it does not name.
    status, changed = _control(esa_emulator, 'POST', {'client_ca_limit': {'max': 2}, 'site_not_found_actions': ['ListClientCertificates']})
    assert changed['gateway_codes'] is False
    assert changed['derived_fields']['client_certificates'] == 'empty'
    assert changed['client_ca_limit'] == {**DEFAULTS['client_ca_limit'], 'max': 2}
    assert changed['site_not_found_actions'] == ['ListClientCertificates']
    assert esa_emulator.settings() == changed
    assert _control(esa_emulator, 'DELETE') == (200, DEFAULTS)


@pytest.mark.parametrize('document', [
    None,
    [],
    {'colour': 'red'},
    {'derived_fields': {'client_certificates': 'blank'}},
    {'derived_fields': {'certificates': 'empty'}},
    {'gateway_codes': 'no'},
    {'unknown_action_code': 'InvalidAction'},
    {'site_not_found_actions': ['ListSites']},
    {'site_not_found_actions': 'GetClientCertificate'},
    {'client_ca_limit': {'max': -1}},
    {'client_ca_limit': {'code': 'Made.Up'}},
    {'client_ca_limit': {'code': 'Made.Up', 'status': 200}},
    {'client_ca_limit': {'seats': 5}},
    {'gateway_codes': False, 'derived_fields': {'client_certificates': 'blank'}},  # one bad key refuses the whole change
])
def test_the_route_refuses_bad_input_and_changes_nothing(esa_emulator, document):
    status, answer = _control(esa_emulator, 'POST', document)
    assert status == 400
    assert answer['error']
    assert esa_emulator.settings() == DEFAULTS


def test_reset_restores_the_start_settings(esa_emulator):
    esa_emulator.update_settings(gateway_codes=False, client_ca_limit={'max': 0})
    esa_emulator.reset()
    assert esa_emulator.settings() == DEFAULTS


def test_start_settings_come_from_the_config_and_the_settings_argument():
    config = {'gateway_codes': False, 'client_ca_limit': {'max': 7}}
    with EmulatorServer(config=config, settings={'derived_fields': {'client_ca_certificates': 'empty'}}) as emu:
        start = emu.settings()
        assert start['gateway_codes'] is False
        assert start['client_ca_limit']['max'] == 7
        assert start['derived_fields'] == {'client_certificates': 'present', 'client_ca_certificates': 'empty'}
        emu.update_settings(gateway_codes=True)
        assert emu.reset_settings() == start
        sdk = Client(Config(**emu.credentials, endpoint=emu.endpoint, protocol='http'))
        emu.set_clock_offset(3600)
        with pytest.raises(ClientException) as caught:
            sdk.list_client_certificates(models.ListClientCertificatesRequest(site_id=SITE_ID))
        assert caught.value.code == 'Unauthorized.InvalidTime'


def test_a_bad_start_setting_is_refused():
    with pytest.raises(ValueError, match='gateway_codes'):
        EmulatorServer(config={'gateway_codes': 'sometimes'})


def test_cli_takes_start_settings(tmp_path):
    settings = tmp_path / 'settings.json'
    settings.write_text(json.dumps({'unknown_action_code': 'InvalidApi.NotFound', 'derived_fields': {'client_certificates': 'absent'}}),
                        encoding='utf-8')
    emulator_dir = pathlib.Path(esa_emulator.__file__).resolve().parent.parent
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join(filter(None, [str(emulator_dir), os.environ.get('PYTHONPATH')]))}
    ready = tmp_path / 'ready.json'
    process = subprocess.Popen([sys.executable, '-m', 'esa_emulator', '--port', '0', '--ready-file', str(ready), '--settings', str(settings)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        url = json.loads(ready.read_text(encoding='utf-8'))['url']
        with urllib.request.urlopen(f'{url}/_emulator/settings', timeout=5) as answer:
            shown = json.load(answer)
        assert shown['unknown_action_code'] == 'InvalidApi.NotFound'
        assert shown['derived_fields']['client_certificates'] == 'absent'
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
    assert process.returncode == 0


def test_cli_refuses_bad_settings(tmp_path):
    settings = tmp_path / 'settings.json'
    settings.write_text(json.dumps({'gateway_codes': 'maybe'}), encoding='utf-8')
    emulator_dir = pathlib.Path(esa_emulator.__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, '-m', 'esa_emulator', '--port', '0', '--settings', str(settings)],
                            env={**os.environ, 'PYTHONPATH': str(emulator_dir)}, capture_output=True, text=True, timeout=20, check=False)
    assert result.returncode == 2
    assert 'gateway_codes' in result.stderr
