"""Shared test helpers live in tests/factories.py and tests/support/, shared fixtures in tests/conftest.py: no test
module imports another folder's conftest (pytest would then run that conftest's autouse fixtures twice over)."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_it_imports_no_conftest_from_a_test_module():
    offenders = [str(path.relative_to(TESTS)) for path in TESTS.rglob("*.py")
                 if re.search(r"^\s*from (\S*\.)?conftest import", path.read_text(), re.M)]
    assert offenders == []
