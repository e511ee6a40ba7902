"""Two executives signing at the same moment, in real threads against PostgreSQL: no lost
signature and never two versions in force."""

import threading

import pytest
from django.db import close_old_connections, connection

from risks.agreements import services
from risks.agreements.choices import AgreementStatus
from risks.agreements.models import Agreement, Signature

from .helpers import awaiting, in_force

concurrent = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs on it)"
)


def _together(*targets):
    """Run the targets in threads released at the same moment; the errors they raised."""
    errors = []
    start = threading.Barrier(len(targets))

    def run(target):
        try:
            start.wait()
            target()
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@concurrent
@pytest.mark.django_db(transaction=True)
def test_two_executives_signing_at_once_lose_no_signature_and_supersede_once(world):
    previous = in_force(world)
    for _ in range(5):
        draft = services.agreement_new_version(
            agreement=Agreement.objects.get(status=AgreementStatus.IN_FORCE), by=world.buddy_pm
        )
        services.agreement_submit(agreement=draft, by=world.buddy_pm)
        stale = Agreement.objects.get(pk=draft.pk)  # each signer holds an old copy

        errors = _together(
            lambda stale=stale: services.agreement_sign(agreement=stale, by=world.buddy_exec),
            lambda stale=stale: services.agreement_sign(agreement=stale, by=world.supported_exec),
        )

        assert errors == []
        assert Signature.objects.filter(agreement=draft).count() == 2
        assert Agreement.objects.get(pk=draft.pk).status == AgreementStatus.IN_FORCE
        assert Agreement.objects.filter(status=AgreementStatus.IN_FORCE).count() == 1
        assert Agreement.objects.get(pk=previous.pk).status == AgreementStatus.SUPERSEDED
        previous = draft


@concurrent
@pytest.mark.django_db(transaction=True)
def test_the_same_executive_signing_twice_at_once_signs_once(world):
    agreement = awaiting(world)
    errors = _together(
        lambda: services.agreement_sign(agreement=agreement, by=world.buddy_exec),
        lambda: services.agreement_sign(agreement=agreement, by=world.buddy_exec),
    )
    assert [type(error).__name__ for error in errors] == ["StateConflict"]
    assert Signature.objects.filter(agreement=agreement).count() == 1


@concurrent
@pytest.mark.django_db(transaction=True)
def test_a_signature_racing_a_return_to_draft_is_never_left_on_a_draft(world):
    for _ in range(5):
        Agreement.objects.filter(status__in=["draft", "awaiting_signatures"]).delete()
        agreement = awaiting(world)
        _together(
            lambda agreement=agreement: services.agreement_sign(
                agreement=agreement, by=world.buddy_exec
            ),
            lambda agreement=agreement: services.agreement_return_to_draft(
                agreement=agreement, by=world.supported_pm
            ),
        )
        saved = Agreement.objects.get(pk=agreement.pk)
        signatures = Signature.objects.filter(agreement=agreement).count()
        if saved.status == AgreementStatus.DRAFT:
            assert signatures == 0
        else:
            assert (saved.status, signatures) == (AgreementStatus.AWAITING_SIGNATURES, 1)
