"""In CI (env ``CI`` set) the suite must run on PostgreSQL and stop at once when it cannot."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
A_QUICK_TEST = "tests/buddying/test_celery.py::test_tasks_are_serialised_as_json_only"


def run_suite(**env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    return subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-m", "pytest", A_QUICK_TEST, "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_in_ci_the_suite_stops_when_the_database_is_not_postgresql(tmp_path):
    result = run_suite(CI="true", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert result.returncode != 0
    assert "not PostgreSQL" in result.stdout + result.stderr
    assert "1 passed" not in result.stdout


def test_in_ci_the_suite_stops_when_postgresql_cannot_be_reached():
    result = run_suite(CI="true", DATABASE_URL="postgres://postgres@127.0.0.1:1/buddying")

    assert result.returncode != 0
    assert "PostgreSQL at 127.0.0.1:1 cannot be reached" in result.stdout + result.stderr
    assert "1 passed" not in result.stdout


@pytest.mark.parametrize("ci", ["", "false"])
def test_outside_ci_the_suite_runs_on_sqlite(tmp_path, ci):
    result = run_suite(CI=ci, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
