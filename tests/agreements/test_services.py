"""Agreements and disputes through the services: the rules every page and the API rely on."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from buddying.common.errors import StateConflict
from partnerships import services as partnership_services
from partnerships.choices import PartnershipStatus, PartyRole
from risks.agreements import canonical, selectors, services
from risks.agreements.choices import AgreementStatus, DisputeStatus
from risks.agreements.models import Agreement, AgreementLine, LineShare, Signature
from tests.factories import OrganisationFactory, PartnershipFactory
from tests.risks.factories import RiskFactory

from .helpers import awaiting, draft, in_force, line, party, risk, terms

pytestmark = pytest.mark.django_db


# --- Share rules ---------------------------------------------------------------------------------


def _errors(exc) -> dict:
    return exc.value.message_dict


def test_a_line_with_shares_adding_up_to_exactly_100_is_saved(world):
    agreement = draft(world, lines=[])
    services.line_save(
        agreement=agreement,
        by=world.buddy_pm,
        **line(world, shares={"RAL": "33.33", "RDD": "66.67"}),
    )
    shares = dict(LineShare.objects.values_list("organisation_id", "percent"))
    assert shares == {"RAL": Decimal("33.33"), "RDD": Decimal("66.67")}


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ({"RAL": "60", "RDD": "30"}, "The shares add up to 90.00%"),
        ({"RAL": "60", "RDD": "40.01"}, "The shares add up to 100.01%"),
        ({"RAL": "100"}, "Missing: Basildon"),
        ({"RAL": "50", "RDD": "40", "RRK": "10"}, "Not a party: RRK"),
        ({"RAL": "33.333", "RDD": "66.667"}, "at most two decimal places"),
        ({"RAL": "-10", "RDD": "110"}, "from 0 to 100"),
        ({"RAL": "half", "RDD": "50"}, "as a number"),
    ],
)
def test_a_line_whose_shares_break_the_rules_is_refused(world, shares, message):
    agreement = draft(world, lines=[])
    with pytest.raises(ValidationError) as exc:
        services.line_save(agreement=agreement, by=world.buddy_pm, **line(world, shares=shares))
    assert message in " ".join(_errors(exc)["shares"])
    assert not AgreementLine.objects.exists()


def test_a_negative_liability_cap_is_refused(world):
    agreement = draft(world, lines=[])
    with pytest.raises(ValidationError) as exc:
        services.line_save(
            agreement=agreement, by=world.buddy_pm, **line(world, liability_cap_gbp="-1")
        )
    assert _errors(exc)["liability_cap_gbp"] == ["The liability cap must be £0 or more."]


def test_a_zero_liability_cap_is_allowed(world):
    agreement = draft(world, lines=[])
    services.line_save(agreement=agreement, by=world.buddy_pm, **line(world, liability_cap_gbp="0"))
    assert AgreementLine.objects.get().liability_cap_gbp == 0


def test_a_risk_appears_at_most_once_per_agreement(world):
    shared = risk(world)
    agreement = draft(world, lines=[line(world, shared)])
    with pytest.raises(ValidationError) as exc:
        services.line_save(agreement=agreement, by=world.buddy_pm, **line(world, shared))
    assert "already in this agreement" in _errors(exc)["risk"][0]
    with pytest.raises(ValidationError) as exc:
        services.agreement_update(
            agreement=agreement, by=world.buddy_pm, lines=[line(world, shared), line(world, shared)]
        )
    assert "already on line 1" in " ".join(_errors(exc)["lines"])


def test_a_risk_of_another_partnership_cannot_be_shared(world):
    other = PartnershipFactory(buddy=world.buddy, supported=world.supported)
    foreign = RiskFactory(partnership=other, owner=world.buddy_pm)
    agreement = draft(world, lines=[])
    with pytest.raises(ValidationError) as exc:
        services.line_save(agreement=agreement, by=world.buddy_pm, **line(world, foreign))
    assert "this partnership's register" in _errors(exc)["risk"][0]


def test_the_lead_must_be_a_party(world):
    agreement = draft(world, lines=[])
    with pytest.raises(ValidationError) as exc:
        services.line_save(
            agreement=agreement, by=world.buddy_pm, **line(world, lead_organisation=world.unrelated)
        )
    assert "lead" in _errors(exc)["lead_organisation"][0]


def test_a_party_added_later_must_get_a_share_before_signature(world):
    agreement = draft(world)
    broker = OrganisationFactory(ods_code="X99", name="Broker Ltd")
    partnership_services.party_add(
        partnership=world.partnership, by=world.buddy_pm, organisation=broker, role=PartyRole.BROKER
    )
    problems = services.submission_problems(Agreement.objects.get(pk=agreement.pk))
    assert any("Missing: Broker Ltd" in problem for problem in problems)
    with pytest.raises(ValidationError):
        services.agreement_submit(agreement=agreement, by=world.buddy_pm)


# --- Lifecycle -----------------------------------------------------------------------------------


def test_versions_are_numbered_and_only_one_is_made_at_a_time(world):
    first = draft(world)
    assert first.number == 1 and first.status == AgreementStatus.DRAFT
    with pytest.raises(StateConflict, match="Version 1 of this partnership's agreement is draft"):
        draft(world)


def test_an_incomplete_draft_cannot_be_put_to_signature(world):
    agreement = draft(world, lines=[], shared_intent="", exit_terms="")
    with pytest.raises(ValidationError) as exc:
        services.agreement_submit(agreement=agreement, by=world.buddy_pm)
    assert set(exc.value.messages) >= {
        "Enter the shared intent.",
        "Enter the exit terms.",
        "Add at least one shared risk.",
    }


def test_the_whole_lifecycle_with_supersession(world):
    first = in_force(world)
    assert first.status == AgreementStatus.IN_FORCE and first.in_force_at is not None
    assert first.signatures.count() == 2

    second = services.agreement_new_version(agreement=first, by=world.supported_pm)
    assert (second.number, second.status, second.previous_id) == (2, "draft", first.pk)
    assert second.lines.count() == 1
    services.agreement_update(agreement=second, by=world.buddy_pm, scope="All acute services.")
    services.agreement_submit(agreement=second, by=world.buddy_pm)
    services.agreement_sign(agreement=second, by=world.buddy_exec)
    first.refresh_from_db()
    assert first.status == AgreementStatus.IN_FORCE  # until every party has signed
    services.agreement_sign(agreement=second, by=world.supported_exec)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == AgreementStatus.SUPERSEDED and first.ended_at is not None
    assert second.status == AgreementStatus.IN_FORCE
    assert Agreement.objects.filter(status=AgreementStatus.IN_FORCE).count() == 1

    services.agreement_terminate(agreement=second, by=world.supported_exec, reason="Merger.")
    second.refresh_from_db()
    assert (second.status, second.termination_reason) == ("terminated", "Merger.")


def test_returning_to_draft_clears_every_signature_and_keeps_them_in_history(world):
    agreement = awaiting(world)
    services.agreement_sign(agreement=agreement, by=world.buddy_exec)
    services.agreement_return_to_draft(agreement=agreement, by=world.supported_pm)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    assert not Signature.objects.exists()
    assert Signature.history.filter(history_type="-").count() == 1
    # Now it can change, and must be signed afresh by everyone.
    services.agreement_update(agreement=agreement, by=world.buddy_pm, scope="Changed.")
    services.agreement_submit(agreement=agreement, by=world.buddy_pm)
    services.agreement_sign(agreement=agreement, by=world.buddy_exec)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.AWAITING_SIGNATURES


def test_a_new_version_is_only_started_from_a_signed_one(world):
    agreement = awaiting(world)
    with pytest.raises(StateConflict, match="change it rather than"):
        services.agreement_new_version(agreement=agreement, by=world.buddy_pm)


# --- Signing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["buddy_pm", "supported_pm", "buddy_viewer", "regulator"])
def test_only_an_executive_may_sign(world, persona):
    agreement = awaiting(world)
    with pytest.raises(PermissionDenied, match="Only an executive"):
        services.agreement_sign(agreement=agreement, by=world.user(persona))
    assert not Signature.objects.exists()


def test_an_outsider_cannot_find_the_agreement_to_sign(world):
    agreement = awaiting(world)
    with pytest.raises(Http404):
        services.agreement_sign(agreement=agreement, by=world.outsider)


def test_a_party_signs_once(world):
    agreement = awaiting(world)
    services.agreement_sign(agreement=agreement, by=world.buddy_exec)
    with pytest.raises(StateConflict, match="has already signed version 1"):
        services.agreement_sign(agreement=agreement, by=world.buddy_exec)
    with pytest.raises(StateConflict, match="has already signed"):
        services.agreement_sign(agreement=agreement, by=world.buddy_exec, organisation=world.buddy)


def test_an_executive_signs_only_for_their_own_organisation(world):
    agreement = awaiting(world)
    with pytest.raises(PermissionDenied, match="Only an executive of Basildon"):
        services.agreement_sign(
            agreement=agreement, by=world.buddy_exec, organisation=world.supported
        )


def test_a_draft_cannot_be_signed(world):
    agreement = draft(world)
    with pytest.raises(StateConflict, match="is a draft"):
        services.agreement_sign(agreement=agreement, by=world.buddy_exec)


def test_a_signature_records_who_when_the_hash_and_the_sponsors_then(world):
    agreement = awaiting(world)
    signature = services.agreement_sign(agreement=agreement, by=world.buddy_exec)
    assert signature.signed_by == world.buddy_exec
    assert signature.content_hash == canonical.content_hash(
        Agreement.objects.prefetch_related("lines__risk", "lines__shares").get(pk=agreement.pk)
    )
    assert len(signature.content_hash) == 64
    assert (signature.sponsor_name, signature.sponsor_job_title) == (
        "Dr Asha Patel",
        "Chief executive",
    )


def test_a_signature_is_refused_when_the_signer_read_other_content(world):
    agreement = awaiting(world)
    with pytest.raises(StateConflict, match="has changed"):
        services.agreement_sign(agreement=agreement, by=world.buddy_exec, content_hash="0" * 64)


def test_nothing_is_signed_on_a_closed_partnership(world):
    agreement = awaiting(world)
    Agreement.objects.filter(pk=agreement.pk)  # the partnership closes meanwhile
    world.partnership.status = PartnershipStatus.CLOSED
    world.partnership.closure_outcome = "completed"
    world.partnership.closure_reason = "Done"
    world.partnership.save()
    with pytest.raises(StateConflict, match="closed"):
        services.agreement_sign(agreement=agreement, by=world.buddy_exec)


# --- Immutability --------------------------------------------------------------------------------


def test_an_agreement_in_force_cannot_be_changed_and_the_message_says_start_a_new_version(world):
    agreement = in_force(world)
    the_line = agreement.lines.get()
    for attempt in (
        lambda: services.agreement_update(agreement=agreement, by=world.buddy_pm, scope="X"),
        lambda: services.agreement_update(agreement=agreement, by=world.buddy_pm, lines=[]),
        lambda: services.line_save(agreement=agreement, by=world.buddy_pm, **line(world)),
        lambda: services.line_save(
            agreement=agreement,
            by=world.buddy_pm,
            line=the_line,
            **line(world, the_line.risk, liability_cap_gbp="1"),
        ),
        lambda: services.line_delete(line=the_line, by=world.buddy_pm),
    ):
        with pytest.raises(StateConflict, match="Start a new version"):
            attempt()
    assert selectors.verify(agreement).all_match


def test_an_agreement_awaiting_signatures_cannot_be_changed_directly(world):
    agreement = awaiting(world)
    with pytest.raises(StateConflict, match="Return it to draft"):
        services.agreement_update(agreement=agreement, by=world.buddy_pm, scope="X")


# --- Verify --------------------------------------------------------------------------------------


def test_verify_detects_a_change_made_directly_in_the_database(world):
    agreement = in_force(world)
    assert selectors.verify(agreement).all_match
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agreements_lineshare SET percent = 70 WHERE organisation_id = 'RAL'")
    verification = selectors.verify(agreement)
    assert not verification.all_match
    assert [check.matches for check in verification.checks] == [False, False]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agreements_lineshare SET percent = 60 WHERE organisation_id = 'RAL'")
    assert selectors.verify(agreement).all_match


def test_the_canonical_form_is_stable_and_documented(world):
    agreement = in_force(world)
    loaded = Agreement.objects.prefetch_related("lines__risk", "lines__shares").get(pk=agreement.pk)
    text = canonical.serialise(loaded).decode()
    assert text.startswith('{"agreement":"')
    assert '"format":"buddying-agreement/1"' in text
    assert (
        '"shares":[{"organisation":"RAL","percent":"60.00"},{"organisation":"RDD","percent":"40.00"}]'
        in text
    )
    assert '"liability_cap_gbp":"250000.00"' in text
    # Line endings and trailing spaces do not change the hash; words do.
    before = canonical.content_hash(loaded)
    loaded.scope = loaded.scope.replace(".", ".\r\n  ")
    assert canonical.content_hash(loaded) == before
    loaded.scope = "Something else."
    assert canonical.content_hash(loaded) != before


# --- Protecting intent ---------------------------------------------------------------------------


def test_a_sponsor_change_is_dated_and_flags_signed_under_a_previous_sponsor(world):
    agreement = in_force(world)
    partnership_services.party_update(
        party=party(world, world.buddy),
        by=world.buddy_pm,
        sponsor_name="Ms Jo Rivers",
        sponsor_job_title="Chief executive",
    )
    loaded = selectors.agreement_detail(world.regulator).get(pk=agreement.pk)
    rows = {row.party.organisation_id: row for row in selectors.sponsor_rows(loaded)}
    assert rows["RAL"].signed_under_previous_sponsor
    assert rows["RAL"].signature.sponsor_name == "Dr Asha Patel"
    assert rows["RAL"].party.sponsor_since is not None
    assert not rows["RDD"].signed_under_previous_sponsor
    assert loaded.shared_intent == "Sustained improvement in urgent care, whoever is in post."
    assert selectors.verify(loaded).all_match  # the intent stands


def test_an_empty_sponsor_post_shows_the_deputy_as_acting(world):
    agreement = in_force(world)
    partnership_services.party_update(
        party=party(world, world.supported),
        by=world.supported_pm,
        sponsor_name="",
        sponsor_job_title="",
        deputy_name="Ms Ada Obi",
        deputy_job_title="Chief operating officer",
    )
    loaded = selectors.agreement_detail(world.regulator).get(pk=agreement.pk)
    row = next(r for r in selectors.sponsor_rows(loaded) if r.party.organisation_id == "RDD")
    assert row.sponsor_vacant
    assert row.acting == "Ms Ada Obi, Chief operating officer (acting)"


# --- Disputes ------------------------------------------------------------------------------------


def test_dispute_goes_open_in_mediation_resolved(world):
    agreement = in_force(world)
    dispute = services.dispute_raise(
        agreement=agreement,
        by=world.supported_pm,
        raised_by_organisation=world.supported,
        title="Share of the workforce risk",
        risk=agreement.lines.get().risk,
    )
    assert dispute.status == DisputeStatus.OPEN
    assert dispute.mediator_organisation == world.regulator_org  # the agreement's by default
    dispute = services.dispute_transition(dispute=dispute, by=world.buddy_exec, to="in_mediation")
    assert dispute.mediation_started_on is not None
    with pytest.raises(ValidationError) as exc:
        services.dispute_transition(dispute=dispute, by=world.buddy_pm, to="resolved")
    assert "resolution" in exc.value.message_dict
    dispute = services.dispute_transition(
        dispute=dispute, by=world.buddy_pm, to="resolved", resolution="Shares stay 60/40."
    )
    assert (dispute.status, dispute.resolution) == ("resolved", "Shares stay 60/40.")
    assert dispute.resolved_on is not None
    with pytest.raises(StateConflict):
        services.dispute_transition(dispute=dispute, by=world.buddy_pm, to="in_mediation")
    with pytest.raises(StateConflict):
        services.dispute_update(dispute=dispute, by=world.buddy_pm, title="New")


def test_mediation_needs_a_mediator(world):
    agreement = in_force(world)
    Agreement.objects.filter(pk=agreement.pk).update(mediator_organisation=None)
    agreement.refresh_from_db()
    dispute = services.dispute_raise(
        agreement=agreement, by=world.buddy_pm, raised_by_organisation=world.buddy, title="T"
    )
    with pytest.raises(ValidationError) as exc:
        services.dispute_transition(dispute=dispute, by=world.buddy_pm, to="in_mediation")
    assert "mediator_organisation" in exc.value.message_dict


@pytest.mark.parametrize("persona", ["buddy_viewer", "regulator", "supported_pm"])
def test_a_dispute_is_raised_only_by_a_writer_of_the_raising_party(world, persona):
    agreement = in_force(world)
    with pytest.raises(PermissionDenied):
        services.dispute_raise(
            agreement=agreement,
            by=world.user(persona),
            raised_by_organisation=world.buddy,
            title="T",
        )


def test_terms_helper_is_complete(world):
    assert set(terms(world)) == set(services.AGREEMENT_FIELDS)
