# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests mirror the code's layout: the path of every unit test names the source file it tests (CONTRIBUTING.md, Where a unit test lives).

- code in plugins/: plugins/<dir>/<name>.py is tested by tests/unit/plugins/<dir>/test_<stem>[_<aspect>].py, where the
  stem is the file name without .py and the underscores around it (_files.py: test_files*.py;
  _target/phases.py: _target/test_phases*.py); a package as a whole (_fleet_report/) is a source of its parent folder
  like a module (tests/unit/plugins/plugin_utils/test_fleet_report*.py), its modules are tested in its own folder;
- the emulator: tests/emulator/esa_emulator/<module>.py is tested by tests/unit/emulator/test_<module>[_<aspect>].py
  (__main__.py: test_main*.py), the package as a whole by tests/unit/emulator/test_esa_emulator*.py;
- a test that drives several files names the entry point it drives (an action plugin, the class every action shares).

A test file is what pytest collects (test_*.py, *_test.py); conftest.py and helpers (fake_esa_client.py, ...) are not.
Basenames are unique across tests/unit: without __init__.py files pytest imports a test by its basename. This file, at the
top of tests/unit, tests the tree itself and mirrors no source.
"""

from __future__ import annotations

import collections
import pathlib

import pytest

COLLECTION = pathlib.Path(__file__).resolve().parents[2]
UNIT = pathlib.PurePosixPath("tests/unit")
THIS_FILE = UNIT / "test_layout.py"

RULE = (
    "a unit test is tests/unit/<the folder of its source under plugins/>/test_<source file name without .py and the "
    "underscores around it>[_<aspect>].py, or tests/unit/emulator/test_<module of tests/emulator/esa_emulator/>[_<aspect>].py "
    "(CONTRIBUTING.md, Where a unit test lives)"
)


def collected_test_files(root: pathlib.Path) -> list[pathlib.PurePosixPath]:
    """Every file under tests/unit that pytest collects as tests (its default python_files), relative to the collection."""
    found = {path for pattern in ("test_*.py", "*_test.py") for path in (root / UNIT).rglob(pattern)}
    return sorted(pathlib.PurePosixPath(path.relative_to(root).as_posix()) for path in found if path.is_file())


def stem(name: str) -> str:
    """_files.py, files.py: files; __main__.py: main; _fleet_report (a package): fleet_report."""
    return name.removesuffix(".py").strip("_")


def source_stems(root: pathlib.Path, test_folder: pathlib.PurePosixPath) -> set[str]:
    """The stems a test in this folder may name: the modules and packages of the source folder it mirrors."""
    relative = test_folder.relative_to(UNIT)
    if relative.parts[:1] == ("plugins",):
        source, extra = root / relative, set()
    elif relative == pathlib.PurePosixPath("emulator"):
        source, extra = root / "tests/emulator/esa_emulator", {"esa_emulator"}
    else:
        return set()
    if not source.is_dir():
        return extra
    modules = {stem(path.name) for path in source.glob("*.py") if path.name != "__init__.py"}
    packages = {stem(path.name) for path in source.iterdir() if (path / "__init__.py").is_file()}
    return modules | packages | extra


def names_a_source(root: pathlib.Path, test_file: pathlib.PurePosixPath) -> bool:
    if not test_file.name.startswith("test_"):
        return False
    words = test_file.name.removeprefix("test_").removesuffix(".py")
    return any(words == name or words.startswith(f"{name}_") for name in source_stems(root, test_file.parent))


def misnamed(root: pathlib.Path) -> list[str]:
    """One line per test file that names no source file by the rule."""
    lines = []
    for test_file in collected_test_files(root):
        if test_file == THIS_FILE or names_a_source(root, test_file):
            continue
        allowed = sorted(source_stems(root, test_file.parent))
        here = f"here: test_{{{','.join(allowed)}}}[_<aspect>].py" if allowed else "no source folder is mirrored here"
        lines.append(f"{test_file}: names no source file ({here}); {RULE}")
    return lines


def test_every_test_file_names_the_source_it_tests():
    offenders = misnamed(COLLECTION)
    assert offenders == [], "\n".join(offenders)


def test_test_basenames_are_unique():
    folders = collections.defaultdict(list)
    for test_file in collected_test_files(COLLECTION):
        folders[test_file.name].append(str(test_file.parent))
    twice = {name: where for name, where in folders.items() if len(where) > 1}
    assert twice == {}, f"one basename in several folders of tests/unit (pytest imports a test by its basename): {twice}"


def test_the_rule_sees_the_tests_and_the_sources():
    """Guards the tests above against passing on nothing: a wrong collection root would find no test and no source."""
    assert len(collected_test_files(COLLECTION)) > 50
    assert "phases" in source_stems(COLLECTION, UNIT / "plugins/module_utils/_target")
    assert "files" in source_stems(COLLECTION, UNIT / "plugins/module_utils")
    assert "fleet_report" in source_stems(COLLECTION, UNIT / "plugins/plugin_utils")
    assert "main" in source_stems(COLLECTION, UNIT / "emulator")


@pytest.mark.parametrize(
    ("test_file", "follows"),
    [
        ("plugins/module_utils/test_files.py", True),
        ("plugins/module_utils/test_files_descriptors.py", True),
        ("plugins/module_utils/test_filesystem.py", False),  # a stem is followed by _ or nothing
        ("plugins/module_utils/_target/test_phases_crash_consistency.py", True),
        ("plugins/module_utils/_target/test_target_phases.py", False),  # the folder already says _target
        ("plugins/module_utils/test_target_phases.py", True),  # the package _target as a whole
        ("plugins/module_utils/test_phases.py", False),  # phases.py is in _target/, not here
        ("plugins/plugin_utils/_fleet_report/test_report.py", True),
        ("plugins/action/test_esa_client_certificate_pkcs12.py", True),
        ("plugins/action/test_esa_only_actions.py", False),
        ("emulator/test_main_try.py", True),
        ("emulator/test_emulator_try.py", False),
        ("emulator/test_esa_emulator_target_aliases.py", True),
        ("test_files.py", False),  # nothing is mirrored at the top of tests/unit
        ("plugins/module_utils/files_test.py", False),  # pytest collects *_test.py too: it must be test_*.py
    ],
)
def test_the_rule(tmp_path, test_file, follows):
    for source in ("plugins/module_utils/_files.py", "plugins/module_utils/_target/__init__.py", "plugins/module_utils/_target/phases.py",
                   "plugins/plugin_utils/_fleet_report/__init__.py", "plugins/plugin_utils/_fleet_report/report.py",
                   "plugins/action/esa_client_certificate.py", "tests/emulator/esa_emulator/__init__.py",
                   "tests/emulator/esa_emulator/__main__.py", f"{UNIT}/{test_file}"):
        (tmp_path / source).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / source).touch()
    expected = [] if follows else [f"{UNIT}/{test_file}"]
    assert [line.split(":")[0] for line in misnamed(tmp_path)] == expected
