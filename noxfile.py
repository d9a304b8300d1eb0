"""nox sessions of alibabacloud.esa, from antsibull-nox and configured in antsibull-nox.toml.

scripts/run-lint.sh runs them with `nox --no-venv` from .build/venv-tools, where tests/requirements/tools.txt pins every
tool: no session makes a virtualenv or downloads anything. ansible-test (sanity, units, integration) stays with
scripts/run-*.sh, since antsibull-nox runs it in containers only.
"""

import antsibull_nox

antsibull_nox.load_antsibull_nox_toml()
