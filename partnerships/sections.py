"""The sections other apps add to a partnership, collected through a registry.

An app registers its section in its ``AppConfig.ready()``. The partnership's overview shows one
headline per registered section (its ``summary_template``) and a sub-navigation; each section has its
own page, ``/partnerships/<id>/sections/<name>/``, showing its ``template``. Adding an app touches
neither this app nor its templates.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    """``template`` (the section's page) and ``summary_template`` (its headline on the overview)
    are included with ``section_data`` set to ``data(partnership, user)``. ``title`` names it in the
    sub-navigation; ``summary_data`` may give the overview something cheaper than ``data``."""

    name: str
    template: str
    data: Callable[[Any, Any], Any]
    order: int = 100
    title: str = ""
    summary_template: str | None = None
    summary_data: Callable[[Any, Any], Any] | None = None

    @property
    def label(self) -> str:
        return self.title or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class RenderedSection:
    name: str
    title: str
    template: str
    summary_template: str | None
    data: Any


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    _SECTIONS[section.name] = section


def registered() -> list[Section]:
    """Every registered section, in order (for the sub-navigation)."""
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.name))


def get(name: str) -> Section | None:
    return _SECTIONS.get(name)


def render(section: Section, partnership, user, *, summary: bool = False) -> RenderedSection:
    source = section.summary_data if summary and section.summary_data else section.data
    return RenderedSection(
        section.name,
        section.label,
        section.template,
        section.summary_template,
        source(partnership, user),
    )


def for_partnership(partnership, user, *, summary: bool = False) -> list[RenderedSection]:
    """Each registered section's templates and data for this partnership and person, in order."""
    return [render(section, partnership, user, summary=summary) for section in registered()]
