# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The floors (Python 3.8, cryptography 2.8), the version check that never imports cryptography, the compat kwargs."""

from __future__ import annotations

import datetime as dt
import importlib.machinery
import sys
import types

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto import support


@pytest.mark.parametrize(("version", "expected"), [
    ("2.8", (2, 8)),
    ("3.4.8", (3, 4, 8)),
    ("42.0.0.dev1", (42, 0, 0)),
    (" 41.0.7 ", (41, 0, 7)),
    ("unknown", ()),
])
def test_version_tuple(version, expected):
    assert support.version_tuple(version) == expected


def fake_cryptography_package(tmp_path, about_text):
    """A package directory laid out like cryptography's, found by a stubbed find_spec."""
    package = tmp_path / "cryptography"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('the version check must not import the package')\n")
    if about_text is not None:
        (package / "__about__.py").write_text(about_text)
    spec = importlib.machinery.ModuleSpec("cryptography", None, is_package=True)
    spec.submodule_search_locations = [str(package)]
    return spec


@pytest.fixture
def not_imported(monkeypatch):
    """cryptography absent from sys.modules, as on a fresh target; restored afterwards."""
    monkeypatch.delitem(sys.modules, "cryptography", raising=False)


@pytest.mark.usefixtures("not_imported")
@pytest.mark.parametrize(("about", "expected"), [
    ('__version__ = "2.8"\n', "2.8"),
    ("__all__ = []\n__version__ = '38.0.4'\n", "38.0.4"),
])
def test_version_is_read_from_about_file_without_importing(tmp_path, monkeypatch, about, expected):
    spec = fake_cryptography_package(tmp_path, about)
    monkeypatch.setattr(support.importlib.util, "find_spec", lambda name: spec)
    assert support.installed_cryptography_version() == expected
    assert "cryptography" not in sys.modules


@pytest.mark.usefixtures("not_imported")
def test_real_installed_version_without_importing():
    """The cryptography installed here is found through its __about__.py, and stays unimported."""
    version = support.installed_cryptography_version()
    assert version is not None
    assert support.version_tuple(version) >= (41,)
    assert "cryptography" not in sys.modules


@pytest.mark.usefixtures("not_imported")
def test_not_installed(monkeypatch):
    monkeypatch.setattr(support.importlib.util, "find_spec", lambda name: None)
    assert support.installed_cryptography_version() is None
    problem = support.cryptography_problem()
    assert problem.startswith("the Python library cryptography is not installed for the target's Python ")
    assert sys.executable in problem
    assert "install cryptography 2.8 or later" in problem
    assert "\n" not in problem


def test_an_imported_package_answers_for_itself(monkeypatch):
    monkeypatch.setitem(sys.modules, "cryptography", types.SimpleNamespace(__version__="36.0.1"))
    assert support.installed_cryptography_version() == "36.0.1"


@pytest.mark.parametrize("version", ["2.7", "2.1.4", "1.9"])
def test_below_the_floor_is_one_line_naming_version_and_floor(monkeypatch, version):
    monkeypatch.setattr(support, "installed_cryptography_version", lambda: version)
    problem = support.cryptography_problem()
    found_python = ".".join(str(part) for part in sys.version_info[:3])
    assert problem == (f"cryptography {version} is installed for the target's Python {found_python} ({sys.executable}), and "
                       "alibabacloud.esa needs cryptography 2.8 or later: upgrade it, or set ansible_python_interpreter to a "
                       "Python that has a newer one")


@pytest.mark.parametrize("version", ["2.8", "3.4.8", "36.0.1", "38.0.4", "41.0.7", "50.0.2"])
def test_at_or_above_the_floor_is_no_problem(monkeypatch, version):
    monkeypatch.setattr(support, "installed_cryptography_version", lambda: version)
    assert support.cryptography_problem() is None


def test_the_real_environment_has_no_problem():
    assert support.cryptography_problem() is None


def test_python_below_the_floor(monkeypatch):
    monkeypatch.setattr(support.sys, "version_info", (3, 7, 16, "final", 0))
    problem = support.cryptography_problem()
    assert problem.startswith("alibabacloud.esa needs Python 3.8 or later on the target, found Python 3.7.16 (")
    assert "\n" not in problem


@pytest.mark.parametrize(("imported", "expect_backend"), [((2, 8), True), ((3, 0, 1), True), ((3, 1), False), ((50, 0, 2), False)])
def test_backend_is_passed_only_where_required(monkeypatch, imported, expect_backend):
    monkeypatch.setattr(support, "_imported_version", lambda: imported)
    kwargs = support.backend_kwargs()
    assert ("backend" in kwargs) is expect_backend
    assert set(kwargs) <= {"backend"}


@pytest.mark.parametrize(("imported", "expected"), [((38, 0, 4), {}), ((39,), {"unsafe_skip_rsa_key_validation": True})])
def test_rsa_key_validation_skipped_only_where_supported(monkeypatch, imported, expected):
    monkeypatch.setattr(support, "_imported_version", lambda: imported)
    assert support.skip_rsa_key_validation_kwargs() == expected


def test_imported_version_is_the_real_one():
    import cryptography  # pylint: disable=import-outside-toplevel

    assert support._imported_version() == support.version_tuple(cryptography.__version__)  # pylint: disable=protected-access


def test_validity_of_old_releases_is_made_aware():
    naive = dt.datetime(2030, 1, 2, 3, 4, 5)
    old_certificate = types.SimpleNamespace(not_valid_before=naive, not_valid_after=naive + dt.timedelta(days=1))
    assert support.not_valid_before_utc(old_certificate) == naive.replace(tzinfo=dt.timezone.utc)
    assert support.not_valid_after_utc(old_certificate).tzinfo == dt.timezone.utc


def test_validity_of_new_releases_uses_the_utc_properties():
    aware = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)

    class NewCertificate:
        not_valid_before_utc = aware
        not_valid_after_utc = aware

        @property
        def not_valid_before(self):
            raise AssertionError("the naive property warns from cryptography 42 on and must not be read")

    assert support.not_valid_before_utc(NewCertificate()) is aware
    assert support.not_valid_after_utc(NewCertificate()) is aware
