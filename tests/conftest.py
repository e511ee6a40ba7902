"""Personas and shared fixtures (STYLE §8).

``world`` is one partnership between a buddy trust and a supported trust, with for each trust an
executive, a programme manager and a viewer, plus a regulator and an outsider: a programme
manager of an unrelated trust who must see none of it.
"""

import os
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from partnerships.choices import Role
from partnerships.models import Organisation, Partnership
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    RegulatorFactory,
    UserFactory,
)


def pytest_sessionstart(session):
    """In CI the suite runs on PostgreSQL: stop at once if it is not configured or not reachable."""
    if os.environ.get("CI", "").strip().lower() in {"", "0", "false", "no"}:
        return
    import psycopg2
    from django.conf import settings

    database = settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        pytest.exit(
            f"CI is set but the database is {database['ENGINE']}, not PostgreSQL. Set DATABASE_URL.",
            returncode=1,
        )
    try:
        psycopg2.connect(
            dbname="postgres",
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            host=database.get("HOST") or None,
            port=database.get("PORT") or None,
            connect_timeout=5,
        ).close()
    except psycopg2.Error as exc:
        where = f"{database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}"
        pytest.exit(f"CI is set but PostgreSQL at {where} cannot be reached: {exc}", returncode=1)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    buddy: Organisation
    supported: Organisation
    regulator_org: Organisation
    unrelated: Organisation
    partnership: Partnership
    buddy_exec: object
    buddy_pm: object
    buddy_viewer: object
    supported_exec: object
    supported_pm: object
    supported_viewer: object
    regulator: object
    outsider: object
    nobody: object

    def user(self, persona: str):
        return getattr(self, persona)


PERSONAS = [
    "buddy_exec",
    "buddy_pm",
    "buddy_viewer",
    "supported_exec",
    "supported_pm",
    "supported_viewer",
    "regulator",
    "outsider",
    "nobody",
]
READERS = [p for p in PERSONAS if p not in {"outsider", "nobody"}]
WRITERS = ["buddy_exec", "buddy_pm", "supported_exec", "supported_pm"]
EXECUTIVES = ["buddy_exec", "supported_exec"]


def _member(username: str, organisation: Organisation, role: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def world(db) -> World:
    buddy = OrganisationFactory(ods_code="RAL", name="ROYAL FREE LONDON NHS FOUNDATION TRUST")
    supported = OrganisationFactory(
        ods_code="RDD", name="BASILDON AND THURROCK UNIVERSITY HOSPITALS NHS FOUNDATION TRUST"
    )
    regulator_org = RegulatorFactory(ods_code="X24", name="NHS England")
    unrelated = OrganisationFactory(
        ods_code="RRK", name="UNIVERSITY HOSPITALS BIRMINGHAM NHS FOUNDATION TRUST"
    )
    partnership = PartnershipFactory(buddy=buddy, supported=supported, title="Basildon recovery")
    return World(
        buddy=buddy,
        supported=supported,
        regulator_org=regulator_org,
        unrelated=unrelated,
        partnership=partnership,
        buddy_exec=_member("buddy_exec", buddy, Role.EXECUTIVE),
        buddy_pm=_member("buddy_pm", buddy, Role.PROGRAMME_MANAGER),
        buddy_viewer=_member("buddy_viewer", buddy, Role.VIEWER),
        supported_exec=_member("supported_exec", supported, Role.EXECUTIVE),
        supported_pm=_member("supported_pm", supported, Role.PROGRAMME_MANAGER),
        supported_viewer=_member("supported_viewer", supported, Role.VIEWER),
        regulator=_member("regulator", regulator_org, Role.REGULATOR),
        outsider=_member("outsider", unrelated, Role.PROGRAMME_MANAGER),
        nobody=UserFactory(username="nobody"),
    )


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def as_user(client):
    """Sign a persona in to the browser client: ``as_user(world.buddy_pm)``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def api_as(api_client):
    """Authenticate the API client as a persona: ``api_as(world.regulator)``."""

    def authenticate(user):
        api_client.force_authenticate(user)
        return api_client

    return authenticate


@pytest.fixture(autouse=True)
def _empty_cache():
    """API throttles count requests in the cache: each test starts from nothing counted."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
