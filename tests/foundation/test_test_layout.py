"""Shared test helpers live in tests/factories.py and tests/support/, shared fixtures in tests/conftest.py: no test
module imports a conftest (pytest would run its autouse fixtures twice over) or another test module (whose tests
would then be collected twice)."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_it_imports_no_conftest_and_no_test_module_from_a_test_module():
    pattern = re.compile(r"^\s*from (\S*\.)?(conftest|test_\w+) import", re.M)
    offenders = [str(path.relative_to(TESTS)) for path in TESTS.rglob("*.py") if pattern.search(path.read_text())]
    assert offenders == []
