# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostname spelling, the 50-hostname limit, the planned change as sets, and which hostnames ESA refused."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import (
    client_ca_certificate_input_errors,
    client_certificate_hostnames_input_errors,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._hostnames import (
    MAX_HOSTNAMES,
    HostnamePlan,
    esa_spelling,
    normalize_hostname,
    normalize_hostnames,
    offending_hostnames,
    plan_hostnames,
    too_many_hostnames,
)


@pytest.mark.parametrize(("given", "expected"), [
    ("api.example.com", "api.example.com"),
    ("  API.Example.COM.  ", "api.example.com"),
    ("*.example.com", "*.example.com"),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ("bücher.example", "xn--bcher-kva.example"),
    ("a-b.c-d.example.com", "a-b.c-d.example.com"),
])
def test_hostnames_are_spelled_as_esa_spells_them(given, expected):
    assert normalize_hostname(given) == expected


@pytest.mark.parametrize("given", ["", "example", "-bad.example.com", "bad-.example.com", "a..example.com", "https://a.example.com",
                                   "a.example.com/path", "*.*.example.com", "www.*.example.com", "under_score.example.com",
                                   "a" * 64 + ".example.com", ".".join(["abcdefghi"] * 26) + ".com", "1.2.3.4:443"])
def test_what_is_not_a_hostname_is_refused(given):
    with pytest.raises(ValueError, match="is not a hostname"):
        normalize_hostname(given)


def test_normalizing_a_list_keeps_the_first_spelling_and_names_the_option():
    names, errors = normalize_hostnames(["b.example.com", "A.example.com", "B.EXAMPLE.COM.", "no_good", "a.example.com"], option="hostnames")
    assert names == ["b.example.com", "a.example.com"]
    assert errors == ["hostnames: 'no_good' is not a hostname"]


def test_the_limit_is_fifty():
    assert too_many_hostnames(MAX_HOSTNAMES) is None
    message = too_many_hostnames(51, detail=" (40 bound now, 11 to add)")
    assert message == "hostnames: ESA binds at most 50 hostnames to a CA, this would bind 51 (40 bound now, 11 to add)"


@pytest.mark.parametrize(("current", "requested", "state", "append", "after", "changed"), [
    # present replaces; order and case never count as a change
    (["b.example.com", "a.example.com"], ["a.example.com", "b.example.com"], "present", False, ["a.example.com", "b.example.com"], False),
    (["A.example.com."], ["a.example.com"], "present", False, ["a.example.com"], False),
    (["a.example.com"], ["b.example.com"], "present", False, ["b.example.com"], True),
    (["a.example.com"], [], "present", False, [], True),
    ([], [], "present", False, [], False),
    (None, ["a.example.com"], "present", False, ["a.example.com"], True),
    # append adds to what is bound
    (["a.example.com"], ["b.example.com"], "present", True, ["a.example.com", "b.example.com"], True),
    (["a.example.com", "b.example.com"], ["b.example.com"], "present", True, ["a.example.com", "b.example.com"], False),
    # absent removes the listed ones, or everything when none are listed
    (["a.example.com", "b.example.com"], ["b.example.com", "c.example.com"], "absent", False, ["a.example.com"], True),
    (["a.example.com"], ["c.example.com"], "absent", False, ["a.example.com"], False),
    (["a.example.com", "b.example.com"], None, "absent", False, [], True),
    ([], None, "absent", False, [], False),
])
def test_plans_compare_sets(current, requested, state, append, after, changed):
    plan = plan_hostnames(current, requested, state=state, append=append)
    assert plan.after == after
    assert plan.before == esa_spelling(current)
    assert plan.changed is changed
    assert set(plan.added) == set(after) - set(plan.before)
    assert set(plan.removed) == set(plan.before) - set(after)


def test_plan_reports_what_changes_sorted():
    plan = HostnamePlan(before=["a.example.com", "c.example.com"], after=["b.example.com", "c.example.com", "d.example.com"])
    assert (plan.added, plan.removed, plan.changed) == (["b.example.com", "d.example.com"], ["a.example.com"], True)


@pytest.mark.parametrize(("message", "site_name", "expected"), [
    # ESA's message names them: those, and only whole names (www.example.com does not "mention" example.com)
    ("The specified parameter is invalid. Hostnames not on site example.com: shop.example.net, www.example.org.", "example.com",
     ["shop.example.net", "www.example.org"]),
    ("hostname WWW.EXAMPLE.ORG does not belong to the site", None, ["www.example.org"]),
    # a bare message: fall back to the names outside the site's domain
    ("The specified parameter is invalid.", "example.com", ["shop.example.net", "www.example.org"]),
    # nothing to go on
    ("The specified parameter is invalid.", None, []),
    ("", "", []),
])
def test_offending_hostnames(message, site_name, expected):
    requested = ["example.com", "www.example.com", "shop.example.net", "www.example.org", "*.example.com"]
    assert offending_hostnames(requested, message, site_name) == expected


def test_a_name_inside_another_is_not_mentioned():
    assert offending_hostnames(["example.com"], "not on the site: www.example.com", "other.example") == ["example.com"]
    assert offending_hostnames(["example.com", "www.example.com"], "not on the site: www.example.com.", None) == ["www.example.com"]


def _hostnames_params(**overrides):
    return {"site_id": 1234567890123, "ca_id": None, "hostnames": ["www.example.com"], "state": "present", "append": False, **overrides}


@pytest.mark.parametrize(("overrides", "expected"), [
    ({}, []),
    ({"hostnames": [f"h{n}.example.com" for n in range(50)] + ["h0.example.com"]}, []),  # 50 after removing the duplicate
    ({"hostnames": [f"h{n}.example.com" for n in range(51)]}, ["hostnames: ESA binds at most 50 hostnames to a CA, this would bind 51"]),
    ({"state": "absent", "hostnames": [f"h{n}.example.com" for n in range(60)]}, []),  # removing has no limit
    ({"hostnames": ["ok.example.com", "not a host"]}, ["hostnames: 'not a host' is not a hostname"]),
    ({"append": True, "state": "absent", "hostnames": None},
     ["append applies to state=present only: with state=absent, the hostnames listed are removed from the set"]),
    ({"ca_id": " "}, ["ca_id must be the ESA id of an uploaded client CA, or left out for the ESA-managed CA; got an empty string"]),
    ({"site_id": 0}, ["site_id must be a positive ESA site id, got 0"]),
])
def test_hostnames_module_input_errors(overrides, expected):
    assert client_certificate_hostnames_input_errors(_hostnames_params(**overrides)) == expected


def _ca_params(**overrides):
    return {"site_id": 1234567890123, "state": "present", "certificate": "PEM", "id": None, "name": None, "hostnames": None, **overrides}


@pytest.mark.parametrize(("overrides", "expected"), [
    ({}, []),
    ({"id": "abc"}, ["id applies to state=absent only: with state=present the certificate itself (its SHA-256 fingerprint) finds the client CA"]),
    ({"state": "absent", "id": "abc", "hostnames": []}, ["hostnames applies to state=present only: deleting a client CA unbinds its hostnames"]),
    ({"name": "n" * 129}, ["name must have 1 to 128 characters, got 129"]),
    ({"name": "  "}, ["name must have 1 to 128 characters, got 0"]),
    ({"hostnames": ["a.example.com", "a_b"]}, ["hostnames: 'a_b' is not a hostname"]),
    ({"hostnames": [f"h{n}.example.com" for n in range(51)]}, ["hostnames: ESA binds at most 50 hostnames to a CA, this would bind 51"]),
])
def test_ca_module_input_errors(overrides, expected):
    assert client_ca_certificate_input_errors(_ca_params(**overrides)) == expected
