"""A full mirror built from the API — every list read with ``?cursor=``, resumed from where it
stopped, and ``deleted/`` — equals the database after a scripted day of creates, edits and
deletes in every app: partnerships (their parties and objectives), organisations, commitments and
deliveries, secondments, risks, actions and appetites, agreements and disputes, reviews and
learning."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from partnerships import services as partnership_services
from partnerships.choices import PartyRole
from partnerships.commitments import services as commitment_services
from partnerships.commitments.choices import CommitmentCategory, CommitmentUnit
from partnerships.reviews import services as review_services
from partnerships.secondments import services as secondment_services
from risks import services as risk_services
from risks.agreements import services as agreement_services
from risks.choices import RiskCategory
from tests.agreements import helpers as agreement_helpers
from tests.commitments.factories import DeliveryFactory
from tests.factories import OrganisationFactory
from tests.reviews.factories import LearningFactory, ReviewFactory
from tests.risks.factories import RiskActionFactory, RiskAppetiteFactory, RiskFactory
from tests.secondments.factories import record as record_secondment

DELETED = "/api/v1/deleted/"
# Each kind a mirror keeps: its list, and the model whose table it mirrors (``deleted/``'s type).
LISTS = {
    "organisation": ("/api/v1/organisations/", "partnerships.Organisation"),
    "partnership": ("/api/v1/partnerships/", "partnerships.Partnership"),
    "commitment": ("/api/v1/commitments/", "commitments.Commitment"),
    "secondment": ("/api/v1/secondments/", "secondments.Secondment"),
    "risk": ("/api/v1/risks/", "risks.Risk"),
    "riskaction": ("/api/v1/risk-actions/", "risks.RiskAction"),
    "riskappetite": ("/api/v1/risk-appetites/", "risks.RiskAppetite"),
    "agreement": ("/api/v1/agreements/", "agreements.Agreement"),
    "dispute": ("/api/v1/disputes/", "agreements.Dispute"),
    "outcomereview": ("/api/v1/reviews/", "reviews.OutcomeReview"),
    "learningitem": ("/api/v1/learning/", "reviews.LearningItem"),
}
KEY = {"organisation": "ods_code"}


class Mirror:
    """What an analyst's nightly pipeline keeps: every object by type and key, read from each
    list with ``?cursor=`` from where the last run stopped (``resume``), a changed commitment's
    deliveries read again (a delivery write marks its commitment changed), and what ``deleted/``
    lists dropped."""

    def __init__(self, client):
        self.client = client
        self.rows: dict[str, dict[str, dict]] = {kind: {} for kind in [*LISTS, "delivery"]}
        self.resume: dict[str, str] = {}

    def _follow(self, name: str, url: str) -> list[dict]:
        response = self.client.get(self.resume[name]) if name in self.resume else None
        if response is None:
            response = self.client.get(url, {"cursor": "", "page_size": 3})
        assert response.status_code == 200, (url, response.content)
        body = response.json()
        rows = list(body["results"])
        while body["next"]:
            body = self.client.get(body["next"]).json()
            rows += body["results"]
        self.resume[name] = body["resume"]
        return rows

    def _deliveries(self, commitment_id: str) -> list[dict]:
        url = f"/api/v1/commitments/{commitment_id}/deliveries/"
        body = self.client.get(url, {"cursor": "", "page_size": 3}).json()
        rows = list(body["results"])
        while body["next"]:
            body = self.client.get(body["next"]).json()
            rows += body["results"]
        return rows

    def sync(self) -> None:
        for kind, (url, _) in LISTS.items():
            for row in self._follow(kind, url):
                self.rows[kind][str(row[KEY.get(kind, "id")])] = row
                if kind == "commitment":
                    held = self.rows["delivery"]
                    for pk in [pk for pk, d in held.items() if d["commitment"] == row["id"]]:
                        del held[pk]
                    held.update({d["id"]: d for d in self._deliveries(row["id"])})
        for deletion in self._follow("deleted", DELETED):
            self.rows.get(deletion["type"], {}).pop(deletion["object_id"], None)


def _database() -> dict[str, set[str]]:
    tables = {kind: label for kind, (_, label) in LISTS.items()}
    tables["delivery"] = "commitments.Delivery"
    return {
        kind: {str(pk) for pk in apps.get_model(label)._base_manager.values_list("pk", flat=True)}
        for kind, label in tables.items()
    }


def _commitment(world, organisation, description: str):
    return commitment_services.commitment_create(
        by=world.buddy_pm if organisation == world.buddy else world.supported_exec,
        partnership=world.partnership,
        organisation=organisation,
        category=CommitmentCategory.CLINICAL_TIME,
        description=description,
        owner="Dr A. Lead",
        unit=CommitmentUnit.HOURS,
        planned_quantity=Decimal(100),
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2027, 3, 31),
    )


def _morning(world) -> dict:
    """What the mirror first copies: something of every kind."""
    commitment = _commitment(world, world.buddy, "Clinical sessions")
    risk = RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
    agreement = agreement_helpers.in_force(world)
    return {
        "commitment": commitment,
        "doomed_commitment": _commitment(world, world.supported, "Data returns"),
        "delivery": DeliveryFactory(commitment=commitment, quantity=Decimal(2)),
        "doomed_delivery": DeliveryFactory(commitment=commitment, quantity=Decimal(1)),
        "secondment": record_secondment(world),
        "doomed_secondment": record_secondment(world, staff_reference="E99999", fte=Decimal("0.2")),
        "risk": risk,
        "other_risk": RiskFactory(partnership=world.partnership, owner=world.buddy_pm),
        "doomed_risk": RiskFactory(partnership=world.partnership, owner=world.buddy_pm),
        "action": RiskActionFactory(risk=risk, owner=world.buddy_pm),
        "agreement": agreement,
        "dispute": agreement_services.dispute_raise(
            agreement=agreement,
            by=world.supported_exec,
            raised_by_organisation=world.supported,
            title="Reporting dates",
        ),
        "appetite": RiskAppetiteFactory(organisation=world.supported),
        "review": ReviewFactory(partnership=world.partnership),
        "doomed_review": ReviewFactory(
            partnership=world.partnership,
            period_start=dt.date(2026, 7, 1),
            period_end=dt.date(2026, 9, 30),
            due_date=dt.date(2026, 10, 14),
        ),
        "learning": LearningFactory(partnership=world.partnership),
        "doomed_learning": LearningFactory(partnership=world.partnership),
    }


def _the_day(world, had: dict) -> None:
    """Creates, edits and deletes in every app, through the services (the pages and the API use
    them) and, for what only an administrator removes, as the admin site does. Some objects change
    only through what they show of others: the partnership through its parties, the risk through
    its actions, the agreement through its disputes, the commitment through its deliveries."""
    pm, exec_ = world.buddy_pm, world.buddy_exec
    # Partnerships: a new one, a broker added, an objective, the sponsor changed; an organisation.
    broker = OrganisationFactory(ods_code="RXB", name="BROKER TRUST")
    party = partnership_services.party_add(
        partnership=world.partnership, by=pm, organisation=broker, role=PartyRole.BROKER
    )
    partnership_services.party_update(party=party, by=pm, sponsor_name="A. Broker")
    partnership_services.objective_save(
        partnership=world.partnership, by=pm, title="Cut waits", measure="Weeks"
    )
    partnership_services.organisation_save(
        organisation=_renamed(broker, "BROKER TRUST (RENAMED)"), by=None
    )
    # Commitments and deliveries: planned, changed, logged one and many, corrected, removed.
    new = _commitment(world, world.buddy, "Weekend cover")
    commitment_services.commitment_update(
        commitment=had["commitment"], by=pm, description="Sessions moved to the day unit"
    )
    commitment_services.delivery_log(
        commitment=new, by=pm, date=dt.date(2026, 4, 2), quantity=Decimal(3)
    )
    commitment_services.deliveries_log(
        commitment=had["commitment"],
        by=pm,
        entries=[{"date": dt.date(2026, 4, 3), "quantity": 1}, {"date": dt.date(2026, 4, 4),
                 "quantity": 2}],
    )  # fmt: skip
    commitment_services.delivery_update(delivery=had["delivery"], by=exec_, quantity=Decimal(4))
    commitment_services.delivery_delete(delivery=had["doomed_delivery"], by=pm)
    had["doomed_commitment"].delete()  # with its deliveries, as the admin site does
    # Secondments: one more, one changed, one cancelled, one removed.
    record_secondment(world, staff_reference="E77777", fte=Decimal("0.1"))
    secondment_services.secondment_update(
        secondment=had["secondment"], by=pm, role_title="Clinical lead"
    )
    had["doomed_secondment"].delete()
    # Risks: one raised, one changed, an action added and completed, an appetite set, one removed.
    risk_services.risk_update(risk=had["other_risk"], by=pm, title="Clinical cover at risk")
    risk_services.action_create(
        risk=had["risk"],
        by=pm,
        description="Agree a cover rota",
        owner=pm,
        due_date=dt.date(2026, 12, 1),
    )
    risk_services.action_update(action=had["action"], by=pm, status="done")
    risk_services.risk_appetite_set(
        organisation=world.buddy,
        category=RiskCategory.QUALITY_SAFETY,
        by=exec_,
        level="minimal",
        tolerance=4,
    )
    had["doomed_risk"].delete()  # with its actions
    # Agreements: a dispute raised and changed; a new version drafted and a line removed.
    dispute = agreement_services.dispute_raise(
        agreement=had["agreement"],
        by=pm,
        raised_by_organisation=world.buddy,
        title="Share of the liability",
    )
    agreement_services.dispute_update(dispute=dispute, by=pm, description="The cap is too low.")

    draft = agreement_services.agreement_new_version(agreement=had["agreement"], by=pm)
    agreement_services.line_save(
        agreement=draft,
        by=pm,
        **agreement_helpers.line(world, shares={"RAL": "50", "RDD": "40", "RXB": "10"}),
    )
    agreement_services.line_delete(line=draft.lines.first(), by=pm)
    # Reviews and learning: a review written, one removed; learning added, changed, removed.
    review_services.review_update(review=had["review"], by=pm, benefits_buddy="Shared rotas")
    had["doomed_review"].delete()
    review_services.learning_create(
        partnership=world.partnership,
        by=pm,
        title="Board rounds",
        description="Daily board rounds shortened stays.",
        direction=had["learning"].direction,
        theme=had["learning"].theme,
    )
    review_services.learning_update(item=had["learning"], by=pm, title="Earlier discharge")
    had["doomed_learning"].delete()


def _renamed(organisation, name):
    organisation.name = name
    return organisation


@pytest.mark.django_db
def test_a_mirror_from_cursor_lists_and_deleted_equals_the_database_after_a_day(world):
    client = APIClient()
    client.force_authenticate(world.regulator)
    mirror = Mirror(client)
    had = _morning(world)
    mirror.sync()
    assert {kind: set(rows) for kind, rows in mirror.rows.items()} == _database()
    assert all(mirror.rows.values()), "the morning has something of every kind"

    _the_day(world, had)
    mirror.sync()

    # The same objects as the database, and each as a full read of the API shows it now.
    assert {kind: set(rows) for kind, rows in mirror.rows.items()} == _database()
    fresh = Mirror(client)
    fresh.sync()
    for kind in mirror.rows:
        assert mirror.rows[kind] == fresh.rows[kind], kind
    # What the day changed reached the mirror (not only that the ids match).
    assert mirror.rows["risk"][str(had["other_risk"].pk)]["title"] == "Clinical cover at risk"
    assert mirror.rows["delivery"][str(had["delivery"].pk)]["quantity"] == "4.00"
    assert mirror.rows["organisation"]["RXB"]["name"] == "BROKER TRUST (RENAMED)"
    # A second run with nothing changed reads nothing new.
    before = {kind: dict(rows) for kind, rows in mirror.rows.items()}
    mirror.sync()
    assert mirror.rows == before
