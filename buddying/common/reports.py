"""The vocabulary of summary reports, and the registry the domain apps add their sections to.

Each domain app contributes its own sections from a ``report.py`` module (for example
``partnerships/commitments/report.py``), which ``buddying.reports`` imports at start-up
(``autodiscover_modules("report")``). A section is a function of a ``ReportContext`` — the
partnerships in scope (already narrowed by the access policy when built for a person), the
period and the day — that returns tables, time series and a headline, computed with database
aggregates. The reports app renders them (HTML, PDF, XLSX, CSV) and draws the series as
statistical process control charts. Kept here, in the toolkit, so that a domain app registers a
section without importing the reports app (dependencies point one way).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

# The kinds of report, and which scope each is for.
PARTNERSHIP_WEEKLY = "partnership_weekly"  # one partnership, a week (Monday to Sunday)
ORGANISATION_MONTHLY = "organisation_monthly"  # one organisation's portfolio, a month
SYSTEM_MONTHLY = "system_monthly"  # every partnership, a month (for regulators)
ALL_KINDS = frozenset({PARTNERSHIP_WEEKLY, ORGANISATION_MONTHLY, SYSTEM_MONTHLY})
PORTFOLIO_KINDS = frozenset({ORGANISATION_MONTHLY, SYSTEM_MONTHLY})


@dataclass(frozen=True)
class ReportContext:
    """What a section is computed for.

    ``partnerships`` is a queryset of the partnerships in scope: a section filters its own rows
    with ``partnership__in=context.partnerships`` (one SQL subquery, never a list of ids).
    """

    kind: str
    partnerships: Any  # QuerySet[Partnership]
    period_start: date
    period_end: date
    today: date
    partnership: Any = None  # for a partnership report
    organisation: Any = None  # for an organisation's portfolio

    @property
    def is_partnership(self) -> bool:
        return self.kind == PARTNERSHIP_WEEKLY

    @property
    def period_label(self) -> str:
        start, end = self.period_start, self.period_end
        return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"


@dataclass(frozen=True)
class Column:
    """A column of a table. ``numeric`` columns are right-aligned and written as numbers;
    ``unit`` (``"gbp"``, ``"percent"``, ``"fte"``, ``"hours"``…) says how a page shows them."""

    title: str
    numeric: bool = False
    unit: str = ""


@dataclass(frozen=True)
class Table:
    """Figures as a table: one sheet of the XLSX, one block of the CSV, one table on the page."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    empty_text: str = "None recorded."
    sheet: str = ""  # the XLSX sheet's name, when the title is too long for one (31 characters)


@dataclass(frozen=True)
class Series:
    """A monthly time series the reports app draws as an SPC (XmR) chart, with its figures.

    ``improvement`` is ``"increase"``, ``"decrease"`` or ``"neutral"``; ``target`` (optional) is
    what the assurance icon compares the process limits with.
    """

    key: str
    title: str
    labels: tuple[str, ...]
    values: tuple[Decimal | float, ...]
    unit: str = ""
    improvement: str = "increase"
    target: Decimal | float | None = None


@dataclass(frozen=True)
class Variation:
    """Many monthly series — one per partnership and unit, say — that the reports app does not
    draw one by one but characterises with SPC in one table: each row's variation (common cause,
    special cause improving or concerning) and assurance icons, its mean and process limits.

    ``row_label`` is the title of the first column; each series' ``title`` is its row's label.
    """

    key: str
    title: str
    row_label: str
    series: tuple[Series, ...]
    sheet: str = "SPC"  # the start of its XLSX sheets' names (up to 17 characters)


@dataclass(frozen=True)
class Change:
    """What changed in the period, from the history: one line of "What changed this week"."""

    what: str
    added: int
    changed: int
    deleted: int


@dataclass(frozen=True)
class SectionContent:
    title: str
    headline: str = ""
    tables: tuple[Table, ...] = ()
    series: tuple[Series, ...] = ()
    notes: tuple[str, ...] = ()
    variations: tuple[Variation, ...] = ()


@dataclass(frozen=True)
class ReportSection:
    """A section one app adds to the reports of ``kinds``.

    ``build(context)`` returns the section's content (or ``None`` to leave it out);
    ``changes(context)`` (optional) returns what changed in the period in the app's objects.
    """

    name: str
    build: Callable[[ReportContext], SectionContent | None]
    kinds: frozenset = ALL_KINDS
    order: int = 100
    changes: Callable[[ReportContext], list[Change]] | None = None


_SECTIONS: dict[str, ReportSection] = {}


def register(section: ReportSection) -> None:
    """Add (or replace, by name) a section; called from each app's ``report.py``."""
    _SECTIONS[section.name] = section


def sections_for(kind: str) -> list[ReportSection]:
    return sorted(
        (section for section in _SECTIONS.values() if kind in section.kinds),
        key=lambda s: (s.order, s.name),
    )


def history_change(what: str, records, start: date, end: date) -> Change:
    """Count the history ``records`` (a django-simple-history queryset, already narrowed to the
    scope) made from ``start`` to ``end`` inclusive, by kind, in one aggregate query."""
    from django.db.models import Count, Q

    counts = (
        records.filter(history_date__date__gte=start, history_date__date__lte=end)
        .order_by()
        .aggregate(
            added=Count("pk", filter=Q(history_type="+")),
            changed=Count("pk", filter=Q(history_type="~")),
            deleted=Count("pk", filter=Q(history_type="-")),
        )
    )
    return Change(what, counts["added"], counts["changed"], counts["deleted"])
