"""nox sessions of alibabacloud.esa, from antsibull-nox and configured in antsibull-nox.toml.

scripts/run-lint.sh runs them from .build/venv-tools; each session makes its virtualenv in .build/nox, with pip
constrained to the pins of tests/requirements/. Not with `nox --no-venv`: antsibull-nox then skips the collection tree
that mypy, ansible-lint and antsibull-docs need, and reports success without checking. ansible-test (sanity, units,
integration) stays with scripts/run-*.sh, since antsibull-nox runs it in containers only.
"""

import antsibull_nox

antsibull_nox.load_antsibull_nox_toml()
