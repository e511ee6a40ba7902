"""The access policy: the one place that decides what a person may see and do (DESIGN §2, §5).

Visibility is expressed as SQL (an ``EXISTS`` over parties and memberships), never as a list of ids
loaded into Python, so its cost does not grow with the size of the tables. Every model that belongs
to a partnership declares its route to it (``access_route``) and its who-may-do-what table
(``access_rules``, see ``partnerships.rules``); this module reads them:

- ``visible(Model or queryset, user)``: the rows the person may see, for any such model;
- ``require(user, action, obj)``: raises, in this order, ``Http404`` (not visible),
  ``PermissionDenied`` (not allowed, with the sentence the person sees) and ``StateConflict``
  (allowed, but not in this state — a closed partnership);
- ``allows(user, action, obj)``: whether ``require`` would pass, for pages deciding which buttons
  to show.

A model may also declare ``access_public(obj)``: rows for which it is true are visible to every
member of the service (a published learning item), though only its rule's people may change them.

Views, API, commands, tasks and reports all call it; nothing filters visibility by hand elsewhere.

- A regulator (a ``regulator`` membership of a regulator organisation) reads everything, writes nothing.
- Anyone else reads the partnerships their organisations are a party to, and what hangs off them.
- A person with no membership sees nothing.
"""

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.http import Http404

from buddying.common.errors import StateConflict
from partnerships.choices import OrganisationKind, PartnershipStatus, PartyRole, Role
from partnerships.models import Membership, Organisation, Partnership, Party
from partnerships.rules import ANY_PARTY, EXECUTIVE_ROLES, PRINCIPAL_PARTY, WRITE_ROLES, Rule

__all__ = [
    "EXECUTIVE_ROLES",
    "PRINCIPAL_PARTY_ROLES",
    "WRITE_ROLES",
    "allows",
    "people_to_tell",
    "require",
    "told_rows",
    "visible",
]

PRINCIPAL_PARTY_ROLES = frozenset({PartyRole.BUDDY, PartyRole.SUPPORTED})

_CACHE_ATTR = "_buddying_memberships"


# --- Who is this person ------------------------------------------------------------------------


def memberships_of(user) -> list[Membership]:
    """The person's memberships, read once per request and kept on the user object."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organisation"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def memberships_key(user) -> str:
    """A fingerprint of the person's memberships (organisation and role of each): what they may
    see changes only when it does. A file built for them (a queued export) is theirs to read
    while it is the same."""
    held = sorted(f"{m.organisation_id}:{m.role}" for m in memberships_of(user))
    return hashlib.sha256("\n".join(held).encode()).hexdigest()


def forget_memberships(user) -> None:
    """Drop the cached memberships (after adding or removing one)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_regulator(user) -> bool:
    """A ``regulator`` membership of an organisation that is a regulator (both, always)."""
    return any(
        m.role == Role.REGULATOR and m.organisation.kind == OrganisationKind.REGULATOR
        for m in memberships_of(user)
    )


def roles_in(user, organisation_id: str) -> set[str]:
    return {m.role for m in memberships_of(user) if m.organisation_id == organisation_id}


def organisations_with_role(user, roles: Iterable[str]) -> list[Organisation]:
    """The organisations in which the person holds one of ``roles``."""
    roles = set(roles)
    return [m.organisation for m in memberships_of(user) if m.role in roles]


def can_act_for(user, organisation_id: str, roles: Iterable[str] = WRITE_ROLES) -> bool:
    """Whether the person holds one of ``roles`` in the organisation (regulators never write)."""
    return bool(roles_in(user, organisation_id) & set(roles))


# --- What may this person see ------------------------------------------------------------------


def _sql_route(model: type[Model]) -> str:
    route = model.access_route
    return f"{route}_id" if route else "pk"


def visible(source: type[Model] | QuerySet, user) -> QuerySet:
    """The rows of a model that belongs to a partnership (or of a queryset of it) that the person
    may see: none without a membership, all for a regulator, else one ``EXISTS`` on the parties."""
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    if user is None or not user.is_authenticated or not memberships_of(user):
        return queryset.none()
    if is_regulator(user):
        return queryset
    member_party = Party.objects.filter(
        partnership_id=OuterRef(_sql_route(queryset.model)),
        organisation__memberships__user_id=user.pk,
    )
    return queryset.filter(Exists(member_party))


def partnerships_visible_to(user) -> QuerySet[Partnership]:
    return visible(Partnership, user)


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


def partnership_of(obj) -> Partnership | None:
    """Follow the object's declared route to its partnership (no query when it is loaded)."""
    route = type(obj).access_route
    if route is None:
        return None
    for name in route.split("__") if route else ():
        obj = getattr(obj, name)
    return obj


def can_see(user, partnership: Partnership) -> bool:
    """Whether the person may see this partnership (using its prefetched parties)."""
    if is_regulator(user):
        return True
    mine = {m.organisation_id for m in memberships_of(user)}
    return any(party.organisation_id in mine for party in partnership.parties.all())


# --- Who is told about it ----------------------------------------------------------------------


def told_in_organisation(roles: Iterable[str], prefix: str = "") -> Q:
    """The active memberships told about an organisation's own things (its monthly portfolio):
    those holding one of ``roles`` in it. ``prefix`` is the lookup from the queried model to the
    organisation's memberships (e.g. ``"organisation__memberships__"``)."""
    return Q(**{f"{prefix}role__in": list(roles), f"{prefix}user__is_active": True})


def told_as_regulator(prefix: str = "") -> Q:
    """The active memberships told about the whole system: regulators, by the same rule as
    ``is_regulator`` (the role in an organisation that is a regulator)."""
    return Q(
        **{
            f"{prefix}role": Role.REGULATOR,
            f"{prefix}organisation__kind": OrganisationKind.REGULATOR,
            f"{prefix}user__is_active": True,
        }
    )


def people_to_tell(
    queryset: QuerySet,
    *,
    party: str = ANY_PARTY,
    roles: Iterable[str] = WRITE_ROLES,
    owners: Iterable[str] = (),
    party_condition: Callable[[str], Q] | None = None,
) -> dict[object, set[int]]:
    """Who is told about each row of ``queryset`` (a reminder): ``{pk: user ids}``, in one query
    whatever the number of rows (see ``told_rows``, which it reads)."""
    told: dict[object, set[int]] = defaultdict(set)
    rows = told_rows(
        queryset,
        party=party,
        roles=roles,
        owners=owners,
        party_condition=party_condition,
        columns={"told_item": F("pk")},
    )
    for row in rows:
        told[row["told_item"]].add(row["told_user_id"])
    return dict(told)


def told_rows(
    queryset: QuerySet,
    *,
    columns: dict[str, object],
    party: str = ANY_PARTY,
    roles: Iterable[str] = WRITE_ROLES,
    owners: Iterable[str] = (),
    party_condition: Callable[[str], Q] | None = None,
) -> QuerySet:
    """One row per row of ``queryset`` and person told about it (a reminder): the ``columns``
    (expressions over the row) and ``told_user_id``, as one SQL query (a ``UNION ALL`` when there
    are owners; a person may appear twice), so a reminder rule can be claimed with ``INSERT … SELECT`` and no Python loop.

    - the active members holding one of ``roles`` (programme managers and executives by default)
      in the parties concerned: ``party`` is ``ANY_PARTY``, ``PRINCIPAL_PARTY`` or a lookup from
      the row to an organisation (which counts only while it is a party to the partnership);
      ``party_condition(lookup)``, given the lookup from the row to the party's organisation id,
      narrows the parties (e.g. those that have not signed yet);
    - the people named by each ``owners`` field (a lookup to a user), while they are members of
      a party to the partnership.

    Nobody else: only members of a party see the partnership, so a person told can always see the
    item (regulators read everything, but are never told).
    """
    model = queryset.model
    route = model.access_route
    partnership_id = _sql_route(model)
    prefix = f"{route}__" if route else ""
    roles = list(roles)
    queryset = queryset.order_by()
    if party in (ANY_PARTY, PRINCIPAL_PARTY):
        organisation = f"{prefix}parties__organisation"
        membership = f"{organisation}__memberships"
        conditions = {f"{membership}__role__in": roles, f"{membership}__user__is_active": True}
        if party == PRINCIPAL_PARTY:
            conditions[f"{prefix}parties__role__in"] = list(PRINCIPAL_PARTY_ROLES)
        narrower = [party_condition(f"{organisation}_id")] if party_condition else []
        members = queryset.filter(*narrower, **conditions)
    else:
        membership = f"{party}__memberships"
        is_party = Exists(
            Party.objects.filter(
                partnership_id=OuterRef(partnership_id), organisation_id=OuterRef(f"{party}_id")
            )
        )
        narrower = [party_condition(f"{party}_id")] if party_condition else []
        members = queryset.filter(
            is_party,
            *narrower,
            **{f"{membership}__role__in": roles, f"{membership}__user__is_active": True},
        )
    combined = members.values(**columns, told_user_id=F(f"{membership}__user_id"))
    for owner in owners:
        owner_is_member = Exists(
            Party.objects.filter(
                partnership_id=OuterRef(partnership_id),
                organisation__memberships__user_id=OuterRef(f"{owner}_id"),
            )
        )
        named = queryset.filter(owner_is_member, **{f"{owner}__is_active": True})
        # UNION ALL: a person told twice (an owner who is also a writer) is one reminder anyway
        # (the claim's unique key), and the duplicates cost less than sorting them away.
        combined = combined.union(named.values(**columns, told_user_id=F(f"{owner}_id")), all=True)
    return combined


# --- What may this person do -------------------------------------------------------------------


def _follow(obj, lookup: str):
    for name in lookup.split("__"):
        obj = getattr(obj, name)
    return obj


def _organisations_counting(rule: Rule, obj, partnership: Partnership | None) -> list[str]:
    """The ODS codes of the organisations whose members ``rule`` lets act on ``obj``."""
    if rule.party == ANY_PARTY:
        return [party.organisation_id for party in partnership.parties.all()]
    if rule.party == PRINCIPAL_PARTY:
        return [
            party.organisation_id
            for party in partnership.parties.all()
            if party.role in PRINCIPAL_PARTY_ROLES
        ]
    return [_follow(obj, f"{rule.party}_id")]


def _rule(obj, action: str) -> Rule:
    try:
        return type(obj).access_rules[action]
    except (AttributeError, KeyError):
        raise LookupError(f"No access rule for {action!r} on {type(obj).__name__}") from None


_VISIBLE, _ALLOWED, _STATE = "visible", "allowed", "state"


def _failed_check(user, action: str, obj) -> tuple[str, Rule] | None:
    """The first check ``action`` on ``obj`` fails, in the order visible, allowed, state."""
    rule = _rule(obj, action)
    partnership = partnership_of(obj)
    public = getattr(type(obj), "access_public", None)  # e.g. a published learning item
    if (
        partnership is not None
        and not (public is not None and public(obj) and memberships_of(user))
        and not can_see(user, partnership)
    ):
        return _VISIBLE, rule
    organisations = _organisations_counting(rule, obj, partnership)
    if not any(can_act_for(user, code, rule.roles) for code in organisations):
        return _ALLOWED, rule
    if (
        rule.open_only
        and partnership is not None
        and partnership.status == PartnershipStatus.CLOSED
    ):
        return _STATE, rule
    return None


def require(user, action: str, obj) -> None:
    """Refuse ``action`` on ``obj`` unless the object's rule allows it: 404 if the person may not
    see it, 403 (with the rule's sentence) if they may not do it, 409 if its state forbids it."""
    failed = _failed_check(user, action, obj)
    if failed is None:
        return
    check, rule = failed
    if check == _VISIBLE:
        raise Http404("Not found.")
    if check == _ALLOWED:
        named = (
            _follow(obj, rule.party)
            if rule.party not in (ANY_PARTY, PRINCIPAL_PARTY)
            else "a party to the partnership"
        )
        raise PermissionDenied(rule.message.format(organisation=named))
    raise StateConflict(rule.closed_message)


def allows(user, action: str, obj) -> bool:
    """Whether ``require(user, action, obj)`` would pass: for pages deciding what to offer."""
    return _failed_check(user, action, obj) is None


def can_propose_partnership(user, organisation_ids: Iterable[str]) -> bool:
    """A programme manager or executive may propose only a partnership their organisation is in."""
    return any(can_act_for(user, code) for code in organisation_ids)


def approvable_parties(user, partnership: Partnership) -> list[Party]:
    """The buddy or supported parties for which this person may give an executive approval."""
    return [
        party
        for party in partnership.parties.all()
        if party.role in PRINCIPAL_PARTY_ROLES
        and can_act_for(user, party.organisation_id, EXECUTIVE_ROLES)
    ]


def acting_parties(user, partnership: Partnership, action: str, model: type[Model]) -> list[Party]:
    """The parties of the partnership on whose behalf this person may do ``action`` to a new
    ``model`` row of theirs (for example, plan a commitment for that party)."""
    return [
        party
        for party in partnership.parties.all()
        if allows(
            user, action, model(partnership=partnership, organisation_id=party.organisation_id)
        )
    ]
