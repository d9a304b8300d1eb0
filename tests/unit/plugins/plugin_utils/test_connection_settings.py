# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
import yaml

from ansible_collections.alibabacloud.esa.plugins.doc_fragments.esa_connection import ModuleDocFragment
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._connection_settings import (
    CONNECTION_ARGUMENT_SPEC,
    CREDENTIALS_FROM_ALIBABA_CLOUD_ENV,
    CREDENTIALS_FROM_ALICLOUD_ENV,
    CREDENTIALS_FROM_DEFAULT_CHAIN,
    CREDENTIALS_FROM_OPTIONS,
    ConnectionSettingsError,
    parse_endpoint,
    resolve_connection_settings,
)

OPTION_KEYS = {"access_key_id": "opt-id", "access_key_secret": "opt-secret", "security_token": "opt-token"}
ALIBABA_ENV = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "ali-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "ali-secret", "ALIBABA_CLOUD_SECURITY_TOKEN": "ali-token"}
ALICLOUD_ENV = {"ALICLOUD_ACCESS_KEY": "old-id", "ALICLOUD_SECRET_KEY": "old-secret", "ALICLOUD_SECURITY_TOKEN": "old-token"}


def resolve(params=None, environ=None):
    return resolve_connection_settings(params or {}, environ or {})


def test_defaults_use_default_chain_and_hangzhou():
    settings = resolve()
    assert settings.credential_source == CREDENTIALS_FROM_DEFAULT_CHAIN
    assert settings.uses_default_chain
    assert (settings.access_key_id, settings.access_key_secret, settings.security_token) == (None, None, None)
    assert settings.region == "cn-hangzhou"
    assert settings.endpoint_host == "esa.cn-hangzhou.aliyuncs.com"
    assert settings.protocol == "https"
    assert settings.endpoint_url == "https://esa.cn-hangzhou.aliyuncs.com"
    assert (settings.timeout_seconds, settings.retries) == (30, 8)


def test_options_win_over_both_environments():
    settings = resolve(OPTION_KEYS, {**ALIBABA_ENV, **ALICLOUD_ENV})
    assert (settings.access_key_id, settings.access_key_secret, settings.security_token) == ("opt-id", "opt-secret", "opt-token")
    assert settings.credential_source == CREDENTIALS_FROM_OPTIONS


def test_alibaba_cloud_environment_wins_over_alicloud():
    settings = resolve({}, {**ALIBABA_ENV, **ALICLOUD_ENV})
    assert (settings.access_key_id, settings.access_key_secret, settings.security_token) == ("ali-id", "ali-secret", "ali-token")
    assert settings.credential_source == CREDENTIALS_FROM_ALIBABA_CLOUD_ENV


def test_alicloud_environment_used_alone():
    settings = resolve({}, ALICLOUD_ENV)
    assert (settings.access_key_id, settings.access_key_secret, settings.security_token) == ("old-id", "old-secret", "old-token")
    assert settings.credential_source == CREDENTIALS_FROM_ALICLOUD_ENV


@pytest.mark.parametrize(
    "params, environ, expected",
    [
        # Keys from options never pick up a token from the environment.
        ({"access_key_id": "opt-id", "access_key_secret": "opt-secret"}, ALIBABA_ENV, ("opt-id", "opt-secret", None)),
        # Keys from ALIBABA_CLOUD_* never pick up an ALICLOUD_* token.
        ({}, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "ali-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "ali-secret", "ALICLOUD_SECURITY_TOKEN": "old-token"},
         ("ali-id", "ali-secret", None)),
    ],
)
def test_key_id_secret_and_token_come_from_one_source(params, environ, expected):
    settings = resolve(params, environ)
    assert (settings.access_key_id, settings.access_key_secret, settings.security_token) == expected


@pytest.mark.parametrize(
    "params, environ, named",
    [
        ({"access_key_id": "opt-id"}, ALIBABA_ENV, ("access_key_id", "access_key_secret")),
        ({"access_key_secret": "opt-secret"}, ALIBABA_ENV, ("access_key_id", "access_key_secret")),
        ({}, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "ali-id", **ALICLOUD_ENV}, ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET")),
        ({}, {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "ali-secret"}, ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET")),
        ({}, {"ALICLOUD_ACCESS_KEY": "old-id"}, ("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY")),
        ({}, {"ALICLOUD_SECRET_KEY": "old-secret"}, ("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY")),
    ],
)
def test_half_key_pair_is_refused_naming_both(params, environ, named):
    with pytest.raises(ConnectionSettingsError) as raised:
        resolve(params, environ)
    message = str(raised.value)
    assert all(name in message for name in named)
    assert "\n" not in message
    assert not any(value in message for value in ("opt-secret", "ali-secret", "old-secret"))


@pytest.mark.parametrize(
    "params, environ, token_name",
    [
        ({"security_token": "opt-token"}, ALIBABA_ENV, "security_token"),
        ({}, {"ALIBABA_CLOUD_SECURITY_TOKEN": "ali-token", **ALICLOUD_ENV}, "ALIBABA_CLOUD_SECURITY_TOKEN"),
    ],
)
def test_token_without_its_key_pair_is_refused(params, environ, token_name):
    with pytest.raises(ConnectionSettingsError, match=token_name):
        resolve(params, environ)


def test_secret_values_never_in_messages_or_repr():
    with pytest.raises(ConnectionSettingsError) as raised:
        resolve({"access_key_secret": "S3CR3T-VALUE"})
    assert "S3CR3T-VALUE" not in str(raised.value)
    settings = resolve({"access_key_id": "id", "access_key_secret": "S3CR3T-VALUE", "security_token": "T0K3N-VALUE"})
    assert "S3CR3T-VALUE" not in repr(settings)
    assert "T0K3N-VALUE" not in repr(settings)
    assert set(settings.secret_values) == {"S3CR3T-VALUE", "T0K3N-VALUE"}


def test_empty_strings_count_as_not_set():
    settings = resolve({"access_key_id": "", "access_key_secret": " ", "region": "", "endpoint": ""}, {**ALICLOUD_ENV, "ALIBABA_CLOUD_ACCESS_KEY_ID": ""})
    assert settings.credential_source == CREDENTIALS_FROM_ALICLOUD_ENV
    assert settings.region == "cn-hangzhou"


@pytest.mark.parametrize(
    "params, environ, region",
    [
        ({"region": "ap-southeast-1"}, {"ALIBABA_CLOUD_REGION_ID": "cn-shanghai", "ALICLOUD_REGION": "cn-beijing"}, "ap-southeast-1"),
        ({}, {"ALIBABA_CLOUD_REGION_ID": "cn-shanghai", "ALICLOUD_REGION": "cn-beijing"}, "cn-shanghai"),
        ({}, {"ALICLOUD_REGION": "cn-beijing"}, "cn-beijing"),
        ({}, {}, "cn-hangzhou"),
    ],
)
def test_region_precedence_and_endpoint_from_region(params, environ, region):
    settings = resolve(params, environ)
    assert settings.region == region
    assert settings.endpoint_host == f"esa.{region}.aliyuncs.com"


@pytest.mark.parametrize(
    "params, environ, named",
    [({"region": "CN_Hangzhou"}, {}, "region"), ({}, {"ALICLOUD_REGION": "cn hangzhou"}, "ALICLOUD_REGION")],
)
def test_invalid_region_is_refused(params, environ, named):
    with pytest.raises(ConnectionSettingsError, match=named):
        resolve(params, environ)


@pytest.mark.parametrize(
    "endpoint, host, protocol",
    [
        ("esa.example.com", "esa.example.com", "https"),
        ("esa.example.com:8443", "esa.example.com:8443", "https"),
        ("esa.example.com/", "esa.example.com", "https"),
        ("https://esa.example.com", "esa.example.com", "https"),
        ("HTTPS://Esa.Example.com:443/", "Esa.Example.com:443", "https"),
        ("203.0.113.7:8443", "203.0.113.7:8443", "https"),
        ("[2001:db8::1]:8443", "[2001:db8::1]:8443", "https"),
        ("[2001:db8::1]", "[2001:db8::1]", "https"),
        ("https://[::1]:8443", "[::1]:8443", "https"),
        ("http://127.0.0.1:8080", "127.0.0.1:8080", "http"),
        ("http://127.1.2.3", "127.1.2.3", "http"),
        ("http://localhost:9000/", "localhost:9000", "http"),
        ("http://LOCALHOST:9000", "LOCALHOST:9000", "http"),
        ("http://[::1]:8080", "[::1]:8080", "http"),
        ("  http://127.0.0.1:8080  ", "127.0.0.1:8080", "http"),
    ],
)
def test_accepted_endpoint_forms(endpoint, host, protocol):
    assert parse_endpoint(endpoint) == (host, protocol)
    settings = resolve({"endpoint": endpoint})
    assert (settings.endpoint_host, settings.protocol) == (host, protocol)


@pytest.mark.parametrize(
    "endpoint",
    [
        "ftp://esa.example.com",
        "wss://esa.example.com",
        "https://esa.example.com/v1",
        "https://esa.example.com//",
        "https://esa.example.com?x=1",
        "https://esa.example.com#top",
        "https://user@esa.example.com",
        "https://user:pass@esa.example.com",
        "esa.example.com:0",
        "esa.example.com:65536",
        "esa.example.com:https",
        "esa.example.com:",
        "::1",
        "2001:db8::1:8080",
        "[::1",
        "[::1]8080",
        "[not-an-address]:80",
        "https://",
        "esa example.com",
        "-esa.example.com",
        "esa..example.com",
    ],
)
def test_refused_endpoint_forms_name_endpoint(endpoint):
    with pytest.raises(ConnectionSettingsError) as raised:
        resolve({"endpoint": endpoint})
    message = str(raised.value)
    assert message.startswith("endpoint ")
    assert "\n" not in message


@pytest.mark.parametrize(
    "endpoint",
    ["http://esa.cn-hangzhou.aliyuncs.com", "http://10.0.0.1:8080", "http://[2001:db8::1]:80", "http://localhost.example.com", "http://0.0.0.0:8080"],
)
def test_plain_http_refused_unless_loopback(endpoint):
    with pytest.raises(ConnectionSettingsError) as raised:
        resolve({"endpoint": endpoint})
    assert "loopback" in str(raised.value)
    assert "endpoint" in str(raised.value)


def test_endpoint_environment_variable_and_precedence():
    environ = {"ALIBABA_CLOUD_ESA_ENDPOINT": "http://127.0.0.1:18080"}
    assert resolve({}, environ).endpoint_url == "http://127.0.0.1:18080"
    assert resolve({"endpoint": "esa.example.com"}, environ).endpoint_url == "https://esa.example.com"
    with pytest.raises(ConnectionSettingsError, match="ALIBABA_CLOUD_ESA_ENDPOINT"):
        resolve({}, {"ALIBABA_CLOUD_ESA_ENDPOINT": "http://esa.example.com"})


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"api_timeout": 1, "api_retries": 0}, (1, 0)),
        ({"api_timeout": 600, "api_retries": 20}, (600, 20)),
        ({"api_timeout": None, "api_retries": None}, (30, 8)),
        ({"api_timeout": "45", "api_retries": "3"}, (45, 3)),
    ],
)
def test_timeout_and_retries_accepted(params, expected):
    settings = resolve(params)
    assert (settings.timeout_seconds, settings.retries) == expected


@pytest.mark.parametrize(
    "params, named",
    [
        ({"api_timeout": 0}, "api_timeout"),
        ({"api_timeout": -5}, "api_timeout"),
        ({"api_timeout": "soon"}, "api_timeout"),
        ({"api_timeout": True}, "api_timeout"),
        ({"api_retries": -1}, "api_retries"),
        ({"api_retries": 21}, "api_retries"),
    ],
)
def test_timeout_and_retries_bounds(params, named):
    with pytest.raises(ConnectionSettingsError, match=named):
        resolve(params)


def test_argument_spec_has_no_environment_fallbacks_and_hides_secrets():
    assert set(CONNECTION_ARGUMENT_SPEC) == {"access_key_id", "access_key_secret", "security_token", "region", "endpoint", "api_timeout", "api_retries"}
    assert all("fallback" not in spec for spec in CONNECTION_ARGUMENT_SPEC.values())
    assert CONNECTION_ARGUMENT_SPEC["access_key_secret"]["no_log"] is True
    assert CONNECTION_ARGUMENT_SPEC["security_token"]["no_log"] is True
    assert CONNECTION_ARGUMENT_SPEC["api_timeout"]["default"] == 30
    assert CONNECTION_ARGUMENT_SPEC["api_retries"]["default"] == 8


def test_doc_fragment_mirrors_argument_spec():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    assert set(documented) == set(CONNECTION_ARGUMENT_SPEC)
    for name, spec in CONNECTION_ARGUMENT_SPEC.items():
        assert documented[name]["type"] == spec["type"], name
        assert documented[name].get("default") == spec.get("default"), name
