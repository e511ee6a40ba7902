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
    sub-navigation; ``summary_data`` may give the overview something cheaper than ``data``. A
    ``paged`` section lists rows a page at a time: its ``data`` also takes ``page``, the page
    number asked for (``?page=``, unchecked), so no section page renders an unbounded list."""

    name: str
    template: str
    data: Callable[[Any, Any], Any]
    order: int = 100
    title: str = ""
    summary_template: str | None = None
    summary_data: Callable[[Any, Any], Any] | None = None
    paged: bool = False

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


def render(
    section: Section, partnership, user, *, summary: bool = False, page: str | None = None
) -> RenderedSection:
    if summary and section.summary_data:
        data = section.summary_data(partnership, user)
    elif section.paged:
        data = section.data(partnership, user, page=page)
    else:
        data = section.data(partnership, user)
    return RenderedSection(
        section.name, section.label, section.template, section.summary_template, data
    )


def for_partnership(partnership, user, *, summary: bool = False) -> list[RenderedSection]:
    """Each registered section's templates and data for this partnership and person, in order."""
    return [render(section, partnership, user, summary=summary) for section in registered()]
