"""Print "<passed> <failed> <skipped>" summed over the JUnit XML files given as arguments.

Used by scripts/run-sanity.sh and scripts/run-units.sh to count results that ansible-test and
pytest write to tests/output/junit/.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def count(paths: list[str]) -> tuple[int, int, int]:
    passed = failed = skipped = 0

    for path in paths:
        for case in ET.parse(path).getroot().iter('testcase'):
            outcomes = {child.tag for child in case}

            if outcomes & {'failure', 'error'}:
                failed += 1
            elif 'skipped' in outcomes:
                skipped += 1
            else:
                passed += 1

    return passed, failed, skipped


if __name__ == '__main__':
    print(*count(sys.argv[1:]))
