# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
import yaml

from ansible_collections.alibabacloud.esa.plugins.doc_fragments.esa_connection import ModuleDocFragment
from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import connection_argument_spec
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import (
    ENDPOINT_TYPES,
    ESA_REGIONS,
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
    assert settings.uses_default_chain
    assert (settings.access_key_id, settings.access_key_secret, settings.security_token) == (None, None, None)
    assert settings.region == "cn-hangzhou"
    assert settings.endpoint_host == "esa.cn-hangzhou.aliyuncs.com"
    assert settings.protocol == "https"
    assert settings.endpoint_url == "https://esa.cn-hangzhou.aliyuncs.com"
    assert (settings.timeout_seconds, settings.retries) == (30, 8)
    assert settings.endpoint_type == "public"
    assert settings.warnings == ()


def test_options_win_over_both_environments():
    settings = resolve(OPTION_KEYS, {**ALIBABA_ENV, **ALICLOUD_ENV})
    assert (settings.access_key_id, settings.access_key_secret, settings.security_token) == ("opt-id", "opt-secret", "opt-token")


def test_alibaba_cloud_environment_wins_over_alicloud():
    settings = resolve({}, {**ALIBABA_ENV, **ALICLOUD_ENV})
    assert (settings.access_key_id, settings.access_key_secret, settings.security_token) == ("ali-id", "ali-secret", "ali-token")


def test_alicloud_environment_used_alone():
    settings = resolve({}, ALICLOUD_ENV)
    assert (settings.access_key_id, settings.access_key_secret, settings.security_token) == ("old-id", "old-secret", "old-token")


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
    assert (settings.access_key_id, settings.access_key_secret, settings.security_token) == ("old-id", "old-secret", "old-token")
    assert settings.region == "cn-hangzhou"


@pytest.mark.parametrize(
    "params, environ, region",
    [
        ({"region": "ap-southeast-1"}, {"ALIBABA_CLOUD_REGION_ID": "cn-hangzhou", "ALICLOUD_REGION": "cn-hangzhou"}, "ap-southeast-1"),
        ({"region": "cn-hangzhou"}, {"ALIBABA_CLOUD_REGION_ID": "ap-southeast-1"}, "cn-hangzhou"),
        ({}, {"ALIBABA_CLOUD_REGION_ID": "ap-southeast-1", "ALICLOUD_REGION": "cn-hangzhou"}, "ap-southeast-1"),
        ({}, {"ALICLOUD_REGION": "ap-southeast-1"}, "ap-southeast-1"),
        # The first variable that names an ESA region is used; one naming another region is passed over.
        ({}, {"ALIBABA_CLOUD_REGION_ID": "cn-beijing", "ALICLOUD_REGION": "ap-southeast-1"}, "ap-southeast-1"),
        ({}, {}, "cn-hangzhou"),
    ],
)
def test_region_precedence_and_endpoint_from_region(params, environ, region):
    settings = resolve(params, environ)
    assert settings.region == region
    assert settings.endpoint_host == f"esa.{region}.aliyuncs.com"
    assert settings.endpoint_type == "public"
    assert not settings.uses_explicit_endpoint
    assert settings.warnings == ()


@pytest.mark.parametrize("region", ["eu-central-1", "cn-beijing", "cn-shanghai", "us-west-1", "ap-southeast-2", "CN_Hangzhou", "cn-hangzhou-1"])
def test_a_region_without_an_esa_endpoint_is_refused_naming_both_and_endpoint(region):
    with pytest.raises(ConnectionSettingsError) as raised:
        resolve({"region": region}, {"ALIBABA_CLOUD_REGION_ID": "cn-hangzhou"})
    assert str(raised.value) == (
        f"region {region!r} has no ESA endpoint: ESA's API is only in cn-hangzhou (China-site accounts) and"
        " ap-southeast-1 (international accounts); set region to one of them, or set endpoint to the address to call."
    )


@pytest.mark.parametrize(
    "environ, named",
    [
        ({"ALICLOUD_REGION": "cn-beijing"}, "ALICLOUD_REGION='cn-beijing' is"),
        ({"ALIBABA_CLOUD_REGION_ID": "eu-central-1"}, "ALIBABA_CLOUD_REGION_ID='eu-central-1' is"),
        ({"ALIBABA_CLOUD_REGION_ID": "eu-central-1", "ALICLOUD_REGION": "cn-beijing"},
         "ALIBABA_CLOUD_REGION_ID='eu-central-1' and ALICLOUD_REGION='cn-beijing' are"),
        ({"ALICLOUD_REGION": "cn hangzhou"}, "ALICLOUD_REGION='cn hangzhou' is"),
    ],
)
def test_a_generic_region_variable_naming_no_esa_region_falls_back_to_hangzhou_with_a_warning(environ, named):
    settings = resolve({}, environ)
    assert settings.region == "cn-hangzhou"
    assert settings.endpoint_url == "https://esa.cn-hangzhou.aliyuncs.com"
    assert settings.warnings == (
        f"{named} not an ESA region, so ESA is called at https://esa.cn-hangzhou.aliyuncs.com (cn-hangzhou):"
        " ESA's API is only in cn-hangzhou (China-site accounts) and ap-southeast-1 (international accounts);"
        " set the region option (ap-southeast-1 for an international account) to choose, and to silence this warning.",
    )


def test_the_region_option_silences_the_generic_variables():
    settings = resolve({"region": "ap-southeast-1"}, {"ALICLOUD_REGION": "cn-beijing"})
    assert settings.endpoint_host == "esa.ap-southeast-1.aliyuncs.com"
    assert settings.warnings == ()


@pytest.mark.parametrize(
    "params, environ, host",
    [
        ({"endpoint_type": "vpc"}, {}, "esa-vpc.cn-hangzhou.aliyuncs.com"),
        ({"endpoint_type": "vpc", "region": "ap-southeast-1"}, {}, "esa-vpc.ap-southeast-1.aliyuncs.com"),
        ({}, {"ALIBABA_CLOUD_ESA_ENDPOINT_TYPE": "vpc", "ALIBABA_CLOUD_REGION_ID": "ap-southeast-1"}, "esa-vpc.ap-southeast-1.aliyuncs.com"),
        ({"endpoint_type": "public"}, {"ALIBABA_CLOUD_ESA_ENDPOINT_TYPE": "vpc"}, "esa.cn-hangzhou.aliyuncs.com"),
        ({"endpoint_type": ""}, {"ALIBABA_CLOUD_ESA_ENDPOINT_TYPE": " vpc "}, "esa-vpc.cn-hangzhou.aliyuncs.com"),
    ],
)
def test_endpoint_type_picks_the_vpc_endpoint(params, environ, host):
    settings = resolve(params, environ)
    assert settings.endpoint_url == f"https://{host}"
    assert settings.endpoint_type == ("vpc" if "esa-vpc." in host else "public")
    assert settings.warnings == ()


@pytest.mark.parametrize(
    "params, environ, message",
    [
        ({"endpoint_type": "private"}, {}, "endpoint_type is 'private': use public, or vpc from inside an Alibaba Cloud VPC."),
        ({}, {"ALIBABA_CLOUD_ESA_ENDPOINT_TYPE": "internal"},
         "endpoint_type (from ALIBABA_CLOUD_ESA_ENDPOINT_TYPE) is 'internal': use public, or vpc from inside an Alibaba Cloud VPC."),
    ],
)
def test_an_unknown_endpoint_type_is_refused(params, environ, message):
    with pytest.raises(ConnectionSettingsError) as raised:
        resolve(params, environ)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "params, environ",
    [
        ({"endpoint": "http://127.0.0.1:18080", "region": "eu-central-1"}, {}),
        ({"region": "cn-shanghai"}, {"ALIBABA_CLOUD_ESA_ENDPOINT": "http://127.0.0.1:18080"}),
        ({"endpoint": "http://127.0.0.1:18080"}, {"ALICLOUD_REGION": "cn-beijing", "ALIBABA_CLOUD_ESA_ENDPOINT_TYPE": "vpc"}),
    ],
)
def test_an_explicit_endpoint_wins_over_region_and_endpoint_type(params, environ):
    settings = resolve(params, environ)
    assert settings.endpoint_url == "http://127.0.0.1:18080"
    assert settings.uses_explicit_endpoint
    assert settings.endpoint_type is None
    assert settings.warnings == ()


def test_explicit_endpoint_keeps_the_region_option_and_checks_only_its_form():
    assert resolve({"endpoint": "esa.example.com", "region": "eu-central-1"}).region == "eu-central-1"
    assert resolve({"endpoint": "esa.example.com"}, {"ALICLOUD_REGION": "cn-beijing"}).region == "cn-hangzhou"
    with pytest.raises(ConnectionSettingsError) as raised:
        resolve({"endpoint": "esa.example.com", "region": "CN_Hangzhou"})
    assert str(raised.value) == "region 'CN_Hangzhou' is not a region id: use lower-case letters, digits and '-', for example cn-hangzhou."


@pytest.mark.parametrize(
    "params, environ, origin",
    [
        ({"endpoint": "https://esa.example.com", "endpoint_type": "vpc"}, {}, "endpoint"),
        ({"endpoint_type": "public"}, {"ALIBABA_CLOUD_ESA_ENDPOINT": "https://esa.example.com"}, "endpoint (from ALIBABA_CLOUD_ESA_ENDPOINT)"),
    ],
)
def test_an_endpoint_type_option_overridden_by_an_endpoint_is_warned_about(params, environ, origin):
    settings = resolve(params, environ)
    assert settings.endpoint_url == "https://esa.example.com"
    assert settings.warnings == (f"endpoint_type {params['endpoint_type']} is ignored: {origin} names the address to call (https://esa.example.com).",)


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
    assert set(connection_argument_spec()) == {
        "access_key_id", "access_key_secret", "security_token", "region", "endpoint_type", "endpoint", "api_timeout", "api_retries"
    }
    assert connection_argument_spec()["endpoint_type"]["choices"] == list(ENDPOINT_TYPES)
    assert "default" not in connection_argument_spec()["endpoint_type"]  # ALIBABA_CLOUD_ESA_ENDPOINT_TYPE applies when it is not set
    assert "choices" not in connection_argument_spec()["region"]  # refused with a message naming endpoint, not argspec's generic one
    assert all("fallback" not in spec for spec in connection_argument_spec().values())
    assert connection_argument_spec()["access_key_secret"]["no_log"] is True
    assert connection_argument_spec()["security_token"]["no_log"] is True
    assert connection_argument_spec()["api_timeout"]["default"] == 30
    assert connection_argument_spec()["api_retries"]["default"] == 8


def test_doc_fragment_mirrors_argument_spec():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    assert set(documented) == set(connection_argument_spec())
    for name, spec in connection_argument_spec().items():
        assert documented[name]["type"] == spec["type"], name
        assert documented[name].get("default") == spec.get("default"), name
        assert documented[name].get("choices") == spec.get("choices"), name


def test_doc_fragment_names_both_esa_endpoints_and_the_proxy_rule():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    region_text = " ".join(documented["region"]["description"])
    assert all(f"esa.{region}.aliyuncs.com" in region_text for region in ESA_REGIONS)
    assert "esa-vpc.<region>.aliyuncs.com" in " ".join(documented["endpoint_type"]["description"])
    endpoint_text = " ".join(documented["endpoint"]["description"])
    assert "HTTP_PROXY" in endpoint_text
    assert "NO_PROXY" in endpoint_text
