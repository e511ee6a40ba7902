"""The import contracts (pyproject.toml, checked by ``lint-imports``) name the base app's and the
risks app's modules one by one, so the apps built inside them can be left out. A module added later
and not listed would escape its contract unseen: this test fails until it is listed."""

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "contracts"
]


def _modules(package: str, apps_inside: set[str]) -> set[str]:
    folder = ROOT / package.replace(".", "/")
    found = set()
    for path in folder.iterdir():
        if path.name.startswith("__") or path.name in apps_inside:
            continue
        if path.suffix == ".py" or (path / "__init__.py").exists():
            found.add(f"{package}.{path.stem}")
    return found


@pytest.mark.parametrize(
    ("contract", "package", "apps_inside"),
    [
        ("The base app", "partnerships", {"commitments", "secondments", "reviews"}),
        ("The risks app", "risks", {"agreements"}),
    ],
)
def test_every_module_of_an_app_is_under_its_contract(contract, package, apps_inside):
    [listed] = [c["source_modules"] for c in CONTRACTS if c["name"].startswith(contract)]
    assert _modules(package, apps_inside) - set(listed) == set()
