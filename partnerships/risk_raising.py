"""Raising a risk on a partnership's register from an app that may not import the risks app.

Secondments and risks are siblings and never import each other (see the import contracts), yet the
talent-pool warning of the capacity page offers to raise a "workforce and capacity" risk in one
step. The risks app registers its register here in its ``AppConfig.ready()``; an app that proposes
a risk calls ``raise_risk``, which goes through the risks app's own service (access policy first,
the model's rules, the history), and ``url_for`` to link to a risk it raised earlier.

Only one register can be registered: there is one risk register per partnership.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The category of the risks app's vocabulary a talent-pool risk belongs to ("Workforce and
# capacity"); the risks app validates it like any other value.
WORKFORCE_AND_CAPACITY = "workforce_capacity"


@dataclass(frozen=True)
class ProposedRisk:
    """A risk as another app proposes it, fully filled in: current scores start as the inherent
    ones (nothing controls the risk yet), the target is what mitigation should reach."""

    partnership: Any
    owner_organisation: Any
    owner: Any
    category: str
    title: str
    description: str
    likelihood: int
    consequence: int
    target_likelihood: int
    target_consequence: int


@dataclass(frozen=True)
class RaisedRisk:
    """The risk the register created: enough to link to it and to record that it exists."""

    id: uuid.UUID
    reference: str


@dataclass(frozen=True)
class RiskRegister:
    """What the risks app offers: ``raise_risk(proposal, by=user) -> RaisedRisk`` (may refuse
    with ``Http404``, ``PermissionDenied``, ``StateConflict`` or ``ValidationError``, like any
    service) and ``url(risk_id) -> str``, the risk's page."""

    raise_risk: Callable[..., RaisedRisk]
    url: Callable[[uuid.UUID], str]


_REGISTER: RiskRegister | None = None


def register(risk_register: RiskRegister) -> None:
    global _REGISTER
    _REGISTER = risk_register


def _registered() -> RiskRegister:
    if _REGISTER is None:
        raise LookupError("No risk register is installed (is the risks app in INSTALLED_APPS?)")
    return _REGISTER


def available() -> bool:
    """Whether a risk register is installed, so pages offer to raise risks only when they can."""
    return _REGISTER is not None


def raise_risk(proposal: ProposedRisk, *, by) -> RaisedRisk:
    """Add the proposed risk to its partnership's register, as ``by``, through the register's own
    service. Call it inside the caller's transaction, so a refusal undoes the caller's work too."""
    return _registered().raise_risk(proposal, by=by)


def url_for(risk_id: uuid.UUID) -> str | None:
    """The page of a risk raised earlier, or ``None`` when no register is installed."""
    return _REGISTER.url(risk_id) if _REGISTER is not None else None
