"""The sections other apps add to a partnership's page, collected through a registry.

An app registers its section in its ``AppConfig.ready()``; the partnership page shows every
registered section in order, so adding an app touches neither this app nor its templates.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    """``template`` is included with ``section_data`` set to ``data(partnership, user)``."""

    name: str
    template: str
    data: Callable[[Any, Any], Any]
    order: int = 100


@dataclass(frozen=True)
class RenderedSection:
    name: str
    template: str
    data: Any


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    _SECTIONS[section.name] = section


def for_partnership(partnership, user) -> list[RenderedSection]:
    """Each registered section's template and data for this partnership and person, in order."""
    return [
        RenderedSection(section.name, section.template, section.data(partnership, user))
        for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.name))
    ]
