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

from partnerships.choices import Role
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.factories import MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands() -> str:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- quick-start -->\n```sh\n(.*?)```", readme, re.DOTALL)
    assert match, "The README has no quick-start block"
    return match.group(1)


@pytest.mark.django_db(transaction=True)
def test_the_readme_quick_start_runs_against_a_live_server(world, live_server, tmp_path):
    analyst = UserFactory(username="analyst")
    MembershipFactory(user=analyst, organisation=world.regulator_org, role=Role.REGULATOR)
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    delivery = DeliveryFactory(commitment=commitment)
    delivery_id = str(delivery.pk)
    delivery.delete()
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

    result = subprocess.run(  # noqa: S603 - our own README's commands
        ["bash", "-euo", "pipefail", "-c", quick_start_commands()],  # noqa: S607
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    partnerships = json.loads((tmp_path / "partnerships.json").read_text())
    assert [p["reference"] for p in partnerships["results"]] == [world.partnership.reference]
    header = next(csv.reader((tmp_path / "outside-appetite.csv").open()))
    assert "reference" in header
    synced = [json.loads(line) for line in (tmp_path / "commitments.jsonl").open()]
    assert [row["id"] for row in synced] == [str(commitment.pk)]
    deleted = [json.loads(line) for line in (tmp_path / "deleted.jsonl").open()]
    assert [(d["type"], d["object_id"]) for d in deleted] == [("delivery", delivery_id)]
    assert (tmp_path / "deleted.resume").read_text().startswith(live_server.url)
    bundle = json.loads((tmp_path / "affiliations.json").read_text())
    assert bundle["resourceType"] == "Bundle"
