"""Stand-in for the get-pip.py bootstrap script that ansible-test downloads.

ansible-test bootstraps pip into each virtualenv it creates with a script it fetches from a host
that is not reachable from the machines this collection is tested on. scripts/install-get-pip.sh
saves this file under ~/.ansible/test/cache/get_pip_<version>.py, where ansible-test looks first.

ansible-test runs this file with the pip options and packages it wants, for example
``--disable-pip-version-check pip==25.2 --no-setuptools --no-wheel``. ensurepip runs in a child
process because in-process it clears the PIP_* variables and points PIP_CONFIG_FILE at /dev/null,
which would drop the machine's package index settings for the install that follows.
"""

# alibabacloud.esa offline get-pip stand-in (scripts/install-get-pip.sh replaces files with this marker)

from __future__ import annotations

import os
import subprocess
import sys

IGNORED_OPTIONS = frozenset(('--no-setuptools', '--no-wheel'))


def main() -> int:
    env = dict(os.environ)
    env.pop('GET_PIP', None)

    ensurepip = subprocess.call([sys.executable, '-m', 'ensurepip', '--default-pip'], env=env)

    if ensurepip != 0:
        return ensurepip

    arguments = [argument for argument in sys.argv[1:] if argument not in IGNORED_OPTIONS]

    return subprocess.call([sys.executable, '-m', 'pip', 'install', '--upgrade', '--force-reinstall'] + arguments, env=env)


if __name__ == '__main__':
    sys.exit(main())
