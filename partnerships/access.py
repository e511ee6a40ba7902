"""The access policy: the one place that decides what a person may see and do (DESIGN §2).

Visibility is expressed as SQL (``EXISTS`` subqueries on parties and memberships), never as a list
of ids loaded into Python, so its cost does not grow with the size of the tables. Everything else
— pages, API, reports, reminders — asks this module and filters nothing by hand.

- A regulator (a ``regulator`` membership of a regulator organisation) reads everything, writes nothing.
- Anyone else reads the partnerships their organisations are a party to, and what hangs off them.
- Programme managers and executives change what belongs to their own organisation.
- Only executives approve, sign, sign off and set their organisation's risk appetite.
- A person with no membership sees nothing.
"""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from partnerships.choices import PartyRole, Role
from partnerships.models import Commitment, Delivery, Membership, Organisation, Partnership, Party

WRITE_ROLES = frozenset({Role.PROGRAMME_MANAGER, Role.EXECUTIVE})
EXECUTIVE_ROLES = frozenset({Role.EXECUTIVE})
PRINCIPAL_PARTY_ROLES = frozenset({PartyRole.BUDDY, PartyRole.SUPPORTED})

_CACHE_ATTR = "_buddying_memberships"


def memberships_of(user) -> list[Membership]:
    """The person's memberships, read once per request and kept on the user object."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organisation"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user) -> None:
    """Drop the cached memberships (after adding or removing one)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_regulator(user) -> bool:
    return any(m.role == Role.REGULATOR for m in memberships_of(user))


def roles_in(user, organisation_id: str) -> set[str]:
    return {m.role for m in memberships_of(user) if m.organisation_id == organisation_id}


def organisations_with_role(user, roles: Iterable[str]) -> list[Organisation]:
    """The organisations in which the person holds one of ``roles``."""
    roles = set(roles)
    return [m.organisation for m in memberships_of(user) if m.role in roles]


def _member_party_exists(user, partnership_ref: str) -> Exists:
    return Exists(
        Party.objects.filter(
            partnership_id=OuterRef(partnership_ref),
            organisation__memberships__user_id=user.pk,
        )
    )


# --- What may this person see ------------------------------------------------------------------


def scope_to_visible_partnerships(queryset: QuerySet, user, partnership_path: str) -> QuerySet:
    """Restrict any queryset whose rows belong to a partnership to those the person may see.

    ``partnership_path`` is the lookup from the row to the partnership's id, e.g. ``"pk"`` for
    partnerships, ``"partnership_id"`` for a commitment, ``"risk__partnership_id"`` for an action.
    """
    if user is None or not user.is_authenticated or not memberships_of(user):
        return queryset.none()
    if is_regulator(user):
        return queryset
    return queryset.filter(_member_party_exists(user, partnership_path))


def partnerships_visible_to(user) -> QuerySet[Partnership]:
    return scope_to_visible_partnerships(Partnership.objects.all(), user, "pk")


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """Organisations are public reference data for every member of the service."""
    if user is None or not user.is_authenticated or not memberships_of(user):
        return Organisation.objects.none()
    return Organisation.objects.all()


def organisations_related_to(user) -> QuerySet[Organisation]:
    """Organisations whose own positions (such as their risk appetite) this person may read:
    their own, those in a partnership with one of theirs, and every one for a regulator."""
    if user is None or not user.is_authenticated or not memberships_of(user):
        return Organisation.objects.none()
    if is_regulator(user):
        return Organisation.objects.all()
    own = Exists(Membership.objects.filter(user_id=user.pk, organisation_id=OuterRef("pk")))
    partner = Exists(
        Party.objects.filter(
            organisation_id=OuterRef("pk"),
            partnership__parties__organisation__memberships__user_id=user.pk,
        )
    )
    return Organisation.objects.filter(own | partner)


# --- What may this person do -------------------------------------------------------------------


def can_act_for(user, organisation_id: str, roles: Iterable[str] = WRITE_ROLES) -> bool:
    """Whether the person holds one of ``roles`` in the organisation (regulators never write)."""
    return bool(roles_in(user, organisation_id) & set(roles))


def can_propose_partnership(user, organisation_ids: Iterable[str]) -> bool:
    """A programme manager or executive may propose only a partnership their organisation is in."""
    return any(can_act_for(user, code) for code in organisation_ids)


def can_change_partnership(user, partnership: Partnership) -> bool:
    """Programme managers and executives of any party may edit a partnership that is not closed."""
    return partnership.status != "closed" and any(
        can_act_for(user, party.organisation_id) for party in partnership.parties.all()
    )


def approvable_parties(user, partnership: Partnership) -> list[Party]:
    """The buddy or supported parties for which this person may give an executive approval."""
    return [
        party
        for party in partnership.parties.all()
        if party.role in PRINCIPAL_PARTY_ROLES
        and can_act_for(user, party.organisation_id, EXECUTIVE_ROLES)
    ]


def can_change_status(user, partnership: Partnership) -> bool:
    """Programme managers and executives of the buddy or supported party move the lifecycle on."""
    return any(
        party.role in PRINCIPAL_PARTY_ROLES and can_act_for(user, party.organisation_id)
        for party in partnership.parties.all()
    )


# --- Commitments and deliveries ----------------------------------------------------------------


def commitments_visible_to(user) -> QuerySet[Commitment]:
    """Every party's members read all the partnership's commitments; regulators read them all."""
    return scope_to_visible_partnerships(Commitment.objects.all(), user, "partnership_id")


def deliveries_visible_to(user) -> QuerySet[Delivery]:
    return scope_to_visible_partnerships(Delivery.objects.all(), user, "commitment__partnership_id")


def can_write_for_organisation(user, organisation_id: str) -> bool:
    """Whether the person may plan commitments and log deliveries on the organisation's behalf."""
    return can_act_for(user, organisation_id)


def can_change_commitment(user, commitment) -> bool:
    """Programme managers and executives of the committing organisation, while the partnership
    is not closed, change a commitment and its deliveries."""
    return commitment.partnership.status != "closed" and can_write_for_organisation(
        user, commitment.organisation_id
    )


def committable_parties(user, partnership: Partnership) -> list[Party]:
    """The parties of an open partnership for which this person may plan and log commitments."""
    if partnership.status == "closed":
        return []
    return [
        party
        for party in partnership.parties.all()
        if can_write_for_organisation(user, party.organisation_id)
    ]
