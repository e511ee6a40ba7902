"""The API against its own schema: schemathesis, inside the suite (issue 8).

Every operation of ``/api/schema/`` is fuzzed with data that fits the schema (also aimed at the
world's real objects, so detail and write endpoints do more than answer 404) and with data that
does not, as a programme manager and as a regulator, through the project's WSGI application on the
test database. It fails on any 5xx, any answer the schema does not describe (status, content type,
body), and any write a regulator's token achieved: every regulator POST or PATCH must be refused
with a 4xx and leave every table as it was.

Bounded so it runs in every ``make test`` (a minute or two on a small machine): few examples per
operation, derandomised so a run is repeatable, no shrinking.
"""

from datetime import timedelta

import pytest
import schemathesis
from django.apps import apps
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.db.models import Max
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partnerships.choices import Role
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.factories import MembershipFactory, UserFactory
from tests.risks.factories import RiskActionFactory, RiskFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_STRATEGY = 7
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Asking for a report is a read of data the regulator may see (issue 13: "a regulator through
# reports/ asks for a report"): it queues a report and changes no domain table.
REGULATOR_MAY_POST = {"/api/v1/reports/"}
DOMAIN_APPS = ["partnerships", "commitments", "risks"]


@pytest.fixture
def api_world(world, settings):
    """The world's partnership with something in every list, and an appetite to compare."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    DeliveryFactory(commitment=commitment, staff_group="", note="=SUM(A1)")
    DeliveryFactory(commitment=commitment)
    risk = RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
    action = RiskActionFactory(risk=risk, owner=world.buddy_pm)
    return {
        "id": [world.partnership.pk, commitment.pk, risk.pk, action.pk],
        "commitment_pk": [commitment.pk],
        "ods_code": [world.buddy.pk, world.supported.pk],
    }


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, run on the test's connection and inside its transaction.

    Django closes "old" connections at the start and end of every request; inside a test's
    transaction that would drop it, so, as Django's own test client does, that is switched off.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _token(user) -> str:
    _, token = AuthToken.objects.create(user, expiry=timedelta(days=1))
    return token


def _snapshot() -> dict:
    """Rows, and the latest change, of every table of the domain apps (history included)."""
    state = {}
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            queryset = model._base_manager.all()
            fields = {field.name for field in model._meta.concrete_fields}
            latest = (
                queryset.aggregate(latest=Max("updated_at"))["latest"]
                if "updated_at" in fields
                else None
            )
            state[model._meta.label] = (queryset.count(), latest)
    return state


def _strategy(operation, known_ids):
    strategies = [
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    names = [parameter.name for parameter in operation.path_parameters]
    if names and all(name in known_ids for name in names):
        aimed = st.fixed_dictionaries(
            {name: st.sampled_from([str(value) for value in known_ids[name]]) for name in names}
        ).flatmap(
            lambda path: operation.as_strategy(
                generation_mode=GenerationMode.POSITIVE, path_parameters=path
            )
        )
        strategies.append(aimed)
    return st.one_of(strategies), EXAMPLES_PER_STRATEGY * len(strategies)


def _run(schema, token: str, known_ids, *, regulator: bool) -> tuple[list, int]:
    failures, calls = [], 0
    headers = {"Authorization": f"Token {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy, examples = _strategy(operation, known_ids)

        @hypothesis_settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def fuzz(case):
            nonlocal calls
            calls += 1
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)
            if (
                regulator
                and case.method.upper() in WRITES
                and not (case.method.upper() == "POST" and case.path in REGULATOR_MAY_POST)
            ):
                assert response.status_code >= 400, (
                    f"A regulator's {case.method} {case.formatted_path} answered "
                    f"{response.status_code}"
                )

        try:
            fuzz()
        except Exception as error:  # one report for every failing operation
            failures.append(f"{operation.label}:\n{error}")
    return failures, calls


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["buddy_pm", "regulator"])
def test_every_operation_answers_as_its_schema_says(world, api_world, wsgi_app, persona):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    user = world.user(persona)
    token = _token(user)
    before = _snapshot()

    failures, calls = _run(schema, token, api_world, regulator=persona == "regulator")

    assert not failures, "\n\n".join(failures)
    assert calls > 100, "schemathesis sent too few requests to mean anything"
    if persona == "regulator":
        assert _snapshot() == before, "a regulator's token changed the data"


@pytest.mark.django_db
def test_a_regulator_write_would_be_noticed(world, api_world):
    """The snapshot sees a change, so the regulator check above can fail."""
    before = _snapshot()
    member = UserFactory(username="another")
    MembershipFactory(user=member, organisation=world.buddy, role=Role.VIEWER)
    world.partnership.title = "Changed"
    world.partnership.save()

    assert _snapshot() != before
