"""The vocabulary of the access policy's tables: a ``Rule`` says who may do one thing to a model.

Every model that belongs to a partnership declares, once, on the class:

- ``access_route``: the lookup from the row to its partnership (``"partnership"``,
  ``"commitment__partnership"``; ``""`` for the partnership itself), which
  ``partnerships.access.visible`` turns into SQL and ``access.require`` follows in Python;
- ``access_rules``: its who-may-do-what table, ``{action: Rule(...)}``.

Kept apart from ``partnerships.access`` so that models can import it without a cycle.
"""

from dataclasses import dataclass

from partnerships.choices import Role

WRITE_ROLES = frozenset({Role.PROGRAMME_MANAGER, Role.EXECUTIVE})
EXECUTIVE_ROLES = frozenset({Role.EXECUTIVE})

# Which party's membership counts for a rule.
ANY_PARTY = "any"  # a member of any party to the partnership
PRINCIPAL_PARTY = "principal"  # a member of the buddy or the supported party


@dataclass(frozen=True)
class Rule:
    """Who may do one action.

    - ``roles``: the membership roles that may (regulators and viewers never write);
    - ``party``: ``ANY_PARTY``, ``PRINCIPAL_PARTY``, or a lookup from the object to the
      organisation whose members may (``"organisation"``, ``"commitment__organisation"``);
    - ``open_only``: refused (409) once the partnership is closed;
    - ``message``: the sentence a person who may not is shown (``{organisation}`` is filled in);
    - ``closed_message``: the sentence when the partnership is closed.
    """

    roles: frozenset
    party: str = ANY_PARTY
    open_only: bool = True
    message: str = "You cannot do that."
    closed_message: str = "The partnership is closed, so it cannot be changed."
