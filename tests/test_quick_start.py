"""The README's regulator quick start, run as written against a live server."""

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from fhir.resources.R4B.bundle import Bundle
from knox.models import AuthToken

from partnerships.choices import PartnershipStatus, Role
from risks.choices import RiskCategory
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory, UserFactory
from tests.risks.factories import RiskAppetiteFactory, RiskFactory

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands() -> str:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- quick-start -->\n```sh\n(.*?)```", readme, re.DOTALL)
    assert match, "The README has no quick-start block"
    return match.group(1)


def _run(commands: str, cwd: Path, env: dict) -> None:
    result = subprocess.run(  # noqa: S603 - our own README's commands
        ["bash", "-euo", "pipefail", "-c", commands],  # noqa: S607
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open()]


@pytest.mark.django_db(transaction=True)
def test_the_readme_quick_start_runs_against_a_live_server(world, live_server, tmp_path):
    analyst = UserFactory(username="analyst")
    MembershipFactory(user=analyst, organisation=world.regulator_org, role=Role.REGULATOR)
    world.partnership.status = PartnershipStatus.ACTIVE
    world.partnership.save()
    # A partnership outside London, which the region filter leaves out.
    north = PartnershipFactory(
        buddy=OrganisationFactory(ods_code="RR8", region_code="Y63", region_name="North East"),
        supported=OrganisationFactory(ods_code="RAE", region_code="Y63", region_name="North East"),
    )
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    delivery = DeliveryFactory(commitment=commitment)
    delivery_id = str(delivery.pk)
    delivery.delete()
    # The buddy accepts strategic risks scoring up to 4: the one scoring 9 is outside.
    RiskAppetiteFactory(organisation=world.buddy, category=RiskCategory.STRATEGIC, tolerance=4)
    outside = RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
    within = RiskFactory(
        partnership=world.partnership, owner=world.buddy_pm, category=RiskCategory.FINANCIAL
    )
    (tmp_path / "manage.py").symlink_to(ROOT / "manage.py")
    database = connection.settings_dict
    env = {
        **os.environ,
        "BUDDYING": live_server.url,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}",
        "DEBUG": "true",
        "API_SYNC_SETTLE_SECONDS": "0",
    }

    _run(quick_start_commands(), tmp_path, env)

    # 1. A read-only token, stored hashed, for the analyst.
    token = AuthToken.objects.get(user=analyst)
    assert token.details.read_only and token.details.name == "Nightly mirror"
    # 2. The partnerships in London only.
    partnerships = json.loads((tmp_path / "partnerships.json").read_text())
    assert [p["reference"] for p in partnerships["results"]] == [world.partnership.reference]
    assert north.reference not in (tmp_path / "partnerships.json").read_text()
    # 3. The risks outside appetite as CSV: the one outside, not the one within.
    rows = list(csv.DictReader((tmp_path / "outside-appetite.csv").open()))
    assert [row["reference"] for row in rows] == [outside.reference]
    assert within.reference not in (tmp_path / "outside-appetite.csv").read_text()
    # 4. Every commitment and risk, and the deletions, with where to resume.
    assert [row["id"] for row in _jsonl(tmp_path / "commitments.jsonl")] == [str(commitment.pk)]
    assert {row["id"] for row in _jsonl(tmp_path / "risks.jsonl")} == {
        str(outside.pk),
        str(within.pk),
    }
    deleted = _jsonl(tmp_path / "deleted.jsonl")
    assert [(d["type"], d["object_id"]) for d in deleted] == [("delivery", delivery_id)]
    assert (tmp_path / "deleted.resume").read_text().startswith(live_server.url)
    # 5. The FHIR bundle, valid FHIR R4: who is buddying whom, by ODS code.
    bundle = Bundle.model_validate_json((tmp_path / "affiliations.json").read_text())
    assert bundle.type == "searchset"
    assert [
        (
            e.resource.organization.identifier.value,
            e.resource.participatingOrganization.identifier.value,
        )
        for e in bundle.entry
    ] == [("RDD", "RAL")]

    # The next night: the same commands read only what changed since, deletions included.
    commitment.description = "Sessions moved to the day unit"
    commitment.save()
    doomed = str(within.pk)
    within.delete()
    _run(quick_start_commands(), tmp_path, env)

    synced = _jsonl(tmp_path / "commitments.jsonl")
    assert [row["id"] for row in synced] == [str(commitment.pk)] * 2
    assert synced[-1]["description"] == "Sessions moved to the day unit"
    assert len(_jsonl(tmp_path / "risks.jsonl")) == 2  # nothing new to read
    deleted = _jsonl(tmp_path / "deleted.jsonl")
    assert [(d["type"], d["object_id"]) for d in deleted] == [
        ("delivery", delivery_id),
        ("risk", doomed),
    ]
