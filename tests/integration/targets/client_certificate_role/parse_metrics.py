#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parse a node_exporter textfile with the Prometheus text-format parser and print its families as JSON (metrics.yml)."""

from __future__ import annotations

import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as handle:
        text = handle.read()
    families = {}
    for family in text_string_to_metric_families(text):
        families[family.name] = {
            "type": family.type,
            "help": family.documentation,
            "samples": [{"name": sample.name, "labels": sample.labels, "value": sample.value} for sample in family.samples],
        }
    print(json.dumps(families, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
