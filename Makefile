# alibabacloud.esa build and test entry points. Everything runs offline from pinned files:
# virtualenvs, the collection copy and test results live in .build/ (see scripts/).
#
#   make test                  sanity, units and integration for ansible-core 2.21, 2.19 and 2.16 (the main target only), lint, package, summary
#                              (two lanes side by side: 2.21, lint, package | 2.19, 2.16; ESA_TEST_LANES=1 for one)
#   make sanity CORE=2.21      one phase, one ansible-core line (CORE=2.21, 2.19 or 2.16; all three by default)
#   make units | integration | lint | venvs | clean
#   make lint-fix              ruff format and ruff check --fix on plugins/ (nox -s formatters), then the lint checks
#   make package               build the tarball, install it alone, ansible-doc, an example, antsibull-docs, ansible-builder
#   make docs                  the docsite (antsibull-docs + Sphinx, offline) into .build/docs/html (scripts/build-docs.sh)
#   make demo [HOSTS=20]       the fleet demo against the local ESA emulator (scripts/demo.sh)
#   make bench [HOSTS=50]      no-op cost against ansible.builtin.stat and community.crypto (scripts/bench.sh)
#   make bench-fleet           200 and 500 hosts at forks 50, 200 at forks 200, projected to 1,000 (scripts/bench_fleet.sh)

CORE ?= 2.21 2.19 2.16
export CORE

SHELL := /bin/bash

.PHONY: test sanity units integration lint lint-fix package venvs docs demo bench bench-fleet clean

test:
	scripts/test.sh sanity units integration lint package

sanity units integration lint package:
	scripts/test.sh $@

lint-fix:
	scripts/run-lint.sh --fix

venvs:
	scripts/setup-venv.sh $(CORE) tools docs

docs:
	scripts/build-docs.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

bench-fleet:
	scripts/bench_fleet.sh

clean:
	rm -rf .build tests/output tests/integration/integration_config.yml  # the config older scripts wrote into the checkout
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
