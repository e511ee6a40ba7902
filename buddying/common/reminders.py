"""The vocabulary of reminder rules, which domain apps use without importing ``notifications``.

Each domain app that has something to remind people of declares its rules in its own
``reminders.py`` as a module-level ``RULES`` list of ``ReminderRule``; the ``notifications`` app
collects every app's list when Django starts (``buddying.notifications.registry``), so adding an
app touches no other.

A rule is a name, the words a person sees, and a function that, given today's date, selects in
the database what is due and returns it as ``Due`` items, each naming the people to tell (found
through the access policy, ``partnerships.access.people_to_tell``). The notifications app records
one reminder per rule, item, due date and person, however often the rules run.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Due:
    """One item a rule found due: what it is, which partnership it belongs to, the date it is due
    (a new date is a new reminder), the sentence and link the person sees, and who is told."""

    item_type: str  # "<app label>.<model name>", e.g. "risks.riskaction"
    item_id: object  # the item's primary key (a UUID)
    partnership_id: object
    due_date: date
    text: str
    url: str
    user_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ReminderRule:
    """A named reminder: ``select(today)`` returns what is due today, with who is told.

    ``name`` is the stable key stored with every reminder and preference (never rename it);
    ``label`` is what people read in the digest and on the preferences page; ``order`` places the
    rule among the others there.
    """

    name: str
    label: str
    select: Callable[[date], Iterable[Due]]
    order: int = 100
    hint: str = ""


def day_text(value: date) -> str:
    """A date as people read it: "1 April 2026"."""
    return f"{value.day} {value:%B %Y}"


_PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


def link(reverse_url: Callable[[str], str]) -> Callable[[object], str]:
    """A fast maker of an item's link from its id: the URL is reversed once (with a placeholder
    id) and the id put in its place, rather than reversing the URL for each of thousands of
    items. ``link(lambda pk: reverse("risks:detail", args=[pk]))``."""
    before, _, after = reverse_url(_PLACEHOLDER).partition(_PLACEHOLDER)
    return lambda pk: f"{before}{pk}{after}"


def dues(
    rows: Iterable[Mapping],
    told: Mapping[object, Iterable[int]],
    *,
    item_type: str,
    due_date: Callable[[Mapping], date],
    text: Callable[[Mapping], str],
    url: Callable[[Mapping], str],
) -> list[Due]:
    """Turn the rows a rule selected (``values()`` dictionaries with ``pk`` and
    ``partnership_id``) and who is told about each (``{pk: user ids}``) into ``Due`` items,
    leaving out an item nobody can be told about."""
    found = []
    for row in rows:
        people = frozenset(told.get(row["pk"], ()))
        if not people:
            continue
        found.append(
            Due(
                item_type=item_type,
                item_id=row["pk"],
                partnership_id=row["partnership_id"],
                due_date=due_date(row),
                text=text(row),
                url=url(row),
                user_ids=people,
            )
        )
    return found
