"""Shared helpers for the agreements tests: agreements built through the services."""

from datetime import date

from partnerships.models import Party
from risks.agreements import services
from risks.agreements.models import Agreement
from tests.risks.factories import RiskFactory


def risk(world, **overrides):
    return RiskFactory(
        partnership=world.partnership,
        owner_organisation=world.buddy,
        owner=world.buddy_pm,
        **overrides,
    )


def line(world, the_risk=None, **overrides) -> dict:
    fields = {
        "risk": the_risk or risk(world),
        "lead_organisation": world.buddy,
        "shares": {world.buddy.ods_code: "60", world.supported.ods_code: "40"},
        "liability_cap_gbp": "250000",
        "responsibilities": "The buddy leads the recovery plan; the supported trust reports monthly.",
    }
    fields.update(overrides)
    return fields


def terms(world, **overrides) -> dict:
    fields = {
        "shared_intent": "Sustained improvement in urgent care, whoever is in post.",
        "scope": "Urgent and emergency care.",
        "effective_from": date(2026, 4, 1),
        "review_date": date(2027, 4, 1),
        "mediator_organisation": world.regulator_org,
        "dispute_process": "Raise with the sponsors; then mediation by NHS England.",
        "exit_terms": "Three months' notice by either board.",
    }
    fields.update(overrides)
    return fields


def draft(world, *, by=None, lines=None, **overrides) -> Agreement:
    return services.agreement_create(
        partnership=world.partnership,
        by=by or world.buddy_pm,
        lines=[line(world)] if lines is None else lines,
        **terms(world, **overrides),
    )


def awaiting(world, **kwargs) -> Agreement:
    agreement = draft(world, **kwargs)
    return services.agreement_submit(agreement=agreement, by=world.buddy_pm)


def in_force(world, **kwargs) -> Agreement:
    agreement = awaiting(world, **kwargs)
    services.agreement_sign(agreement=agreement, by=world.buddy_exec)
    services.agreement_sign(agreement=agreement, by=world.supported_exec)
    return Agreement.objects.get(pk=agreement.pk)


def party(world, organisation) -> Party:
    return Party.objects.get(partnership=world.partnership, organisation=organisation)
