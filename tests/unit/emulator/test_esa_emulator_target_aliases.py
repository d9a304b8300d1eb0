"""An integration target that starts an emulator of its own lists every file of the emulator package in its aliases.

ansible-test copies into a target's temporary directory only the files its aliases name (needs/file/...): a module
added to the emulator and missing there makes the target fail with ModuleNotFoundError, and only in CI.
"""

from __future__ import annotations

import pathlib

import pytest

TESTS_DIR = pathlib.Path(__file__).resolve().parent.parent.parent
EMULATOR_PACKAGE = TESTS_DIR / 'emulator' / 'esa_emulator'
TARGETS_DIR = TESTS_DIR / 'integration' / 'targets'
PREFIX = 'needs/file/tests/emulator/esa_emulator/'


def emulator_files() -> set[str]:
    return {path.name for path in EMULATOR_PACKAGE.glob('*.py')}


def targets_copying_the_emulator() -> list[pathlib.Path]:
    return sorted(path for path in TARGETS_DIR.glob('*/aliases') if PREFIX in path.read_text(encoding='utf-8'))


def test_the_package_and_a_target_that_copies_it_are_found() -> None:
    assert '__main__.py' in emulator_files()
    assert [path.parent.name for path in targets_copying_the_emulator()], 'no target copies the emulator: this test would check nothing'


@pytest.mark.parametrize('aliases', targets_copying_the_emulator(), ids=lambda path: path.parent.name)
def test_every_emulator_file_is_copied(aliases: pathlib.Path) -> None:
    listed = {line.strip()[len(PREFIX):] for line in aliases.read_text(encoding='utf-8').splitlines() if line.strip().startswith(PREFIX)}
    assert emulator_files() - listed == set(), f'{aliases.parent.name}/aliases lacks these emulator files'
    assert listed - emulator_files() == set(), f'{aliases.parent.name}/aliases names emulator files that do not exist'
