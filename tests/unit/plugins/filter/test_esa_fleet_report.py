# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alibabacloud.esa.plugins.filter.esa_fleet_report import FilterModule
from ansible_collections.alibabacloud.esa.tests.unit.plugins.plugin_utils.fleet_report_cases import NOW, SITE, fleet, two_certificate_fleet

FILTERS = FilterModule().filters()


def test_the_three_filters_chain():
    hosts, listing = fleet()
    report = FILTERS["esa_fleet_report"](hosts, listing, site_id=str(SITE), now=NOW)
    assert report["site_id"] == SITE
    assert report["counts"]["hosts"] == 7
    assert FILTERS["esa_fleet_report_html"](report, title="Fleet <A>").count("<title>Fleet &lt;A&gt;</title>") == 1
    assert FILTERS["esa_fleet_report_csv"](report).startswith("host,path,status,days_left,")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: FILTERS["esa_fleet_report"](["web-01"], []), "must map host names"),
        (lambda: FILTERS["esa_fleet_report"]({}, "nope"), "certificates must be the list"),
        (lambda: FILTERS["esa_fleet_report"]({}, [], site_id="site"), "site_id must be"),
        (lambda: FILTERS["esa_fleet_report"]({}, [], now="yesterday"), "now must be a time"),
        (lambda: FILTERS["esa_fleet_report_html"]({"hosts": []}), "what alibabacloud.esa.esa_fleet_report returns"),
        (lambda: FILTERS["esa_fleet_report_csv"]("text"), "what alibabacloud.esa.esa_fleet_report returns"),
    ],
)
def test_wrong_input_is_one_clear_line(call, message):
    with pytest.raises(AnsibleFilterError, match=message):
        call()


def test_the_filter_takes_what_a_loop_over_certificate_paths_registers():
    hosts, listing = two_certificate_fleet()
    report = FILTERS["esa_fleet_report"](hosts, listing, site_id=SITE, now=NOW)
    assert [orphan["id"] for orphan in report["orphans"]] == ["gone"]
