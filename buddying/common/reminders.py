"""The vocabulary of reminder rules, which domain apps use without importing ``notifications``.

Each domain app that has something to remind people of declares its rules in its own
``reminders.py`` as a module-level ``RULES`` list of ``ReminderRule``; the ``notifications`` app
collects every app's list when Django starts (``buddying.notifications.registry``), so adding an
app touches no other.

A rule is a name, the words a person sees, and a function that, given today's date, selects in
the database what is due. Its ``rows(today)`` is one SQL query (a queryset of ``values()``) with a
row per item and person told (``reminder_columns`` names them; the people come from the access
policy, ``partnerships.access.told_rows``), so the notifications app claims the rule's reminders
with one ``INSERT … SELECT … ON CONFLICT DO NOTHING``, never a Python loop over the rows. Its
``select(today)`` gives the same as ``Due`` items (for reading and tests). The notifications app
records one reminder per rule, item, due date and person, however often the rules run.

A reminder is grouped (in the digest and on the notifications page) under its partnership, or,
for something not about one partnership (a monthly portfolio report), under an organisation, or
under the whole system when it has neither.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case as CaseExpression
from django.db.models import (
    CharField,
    F,
    Func,
    QuerySet,
    TextField,
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import Exact

PREFIX = "reminder_"
COLUMNS = ("item_type", "item_id", "partnership_id", "organisation_id", "due_date", "text", "url")
USER_COLUMN = "told_user_id"


@dataclass(frozen=True)
class Due:
    """One item a rule found due: what it is, which partnership it belongs to, the date it is due
    (a new date is a new reminder), the sentence and link the person sees, and who is told."""

    item_type: str  # "<app label>.<model name>", e.g. "risks.riskaction"
    item_id: object  # the item's primary key (a UUID)
    partnership_id: object  # None for what is not about one partnership
    due_date: date
    text: str
    url: str
    user_ids: frozenset[int] = field(default_factory=frozenset)
    organisation_id: object = None  # the group when there is no partnership (None: the system)


@dataclass(frozen=True)
class ReminderRule:
    """A named reminder: ``select(today)`` returns what is due today, with who is told;
    ``rows(today)``, when given, is the same as one SQL query (``reminder_columns`` and the person
    told), which the daily job claims set-based. A rule without ``rows`` is claimed from ``select``.

    ``name`` is the stable key stored with every reminder and preference (never rename it);
    ``label`` is what people read in the digest and on the preferences page; ``order`` places the
    rule among the others there.
    """

    name: str
    label: str
    select: Callable[[date], Iterable[Due]]
    order: int = 100
    hint: str = ""
    rows: Callable[[date], QuerySet] | None = None


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


# --- Rules as SQL --------------------------------------------------------------------------------

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def day_text_sql(expression) -> Concat:
    """``day_text`` in SQL: a date column as "1 April 2026" (any database, no locale)."""
    month = CaseExpression(
        *[
            When(Exact(ExtractMonth(expression), number), then=Value(name))
            for number, name in enumerate(_MONTHS, start=1)
        ],
        output_field=CharField(),
    )
    return Concat(
        Cast(ExtractDay(expression), CharField()),
        Value(" "),
        month,
        Value(" "),
        Cast(ExtractYear(expression), CharField()),
        output_field=TextField(),
    )


class UUIDText(Func):
    """A UUID column as its usual text (with hyphens), as the URL converter reads it."""

    output_field = CharField()
    template = "CAST(%(expressions)s AS text)"

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite stores a UUID as 32 hex digits.
        sql, params = compiler.compile(self.source_expressions[0])
        parts = [(1, 8), (9, 4), (13, 4), (17, 4), (21, 12)]
        joined = " || '-' || ".join(f"substr({sql}, {start}, {length})" for start, length in parts)
        return f"lower({joined})", params * len(parts)


def link_sql(reverse_url: Callable[[str], str], pk) -> Concat:
    """``link`` in SQL: the item's URL from its id column (reversed once, with a placeholder)."""
    before, _, after = reverse_url(_PLACEHOLDER).partition(_PLACEHOLDER)
    pk = F(pk) if isinstance(pk, str) else pk
    return Concat(Value(before), UUIDText(pk), Value(after), output_field=TextField())


def text_sql(*parts) -> Concat:
    """A reminder's sentence from strings (kept as they are) and expressions."""
    parts = [Value(part) if isinstance(part, str) else part for part in parts]
    return Concat(*parts, output_field=TextField())


def reminder_columns(
    *,
    item_type: str,
    due_date,
    text,
    url,
    item_id="pk",
    partnership_id="partnership_id",
    organisation_id=None,
) -> dict[str, object]:
    """The columns of a rule's ``rows``: expressions over the item (a string is a field)."""

    def expression(value):
        return F(value) if isinstance(value, str) else value

    return {
        f"{PREFIX}item_type": Value(item_type, output_field=CharField()),
        f"{PREFIX}item_id": Cast(expression(item_id), UUIDField()),
        f"{PREFIX}partnership_id": (
            Cast(Value(None), UUIDField())
            if partnership_id is None
            else Cast(expression(partnership_id), UUIDField())
        ),
        f"{PREFIX}organisation_id": (
            Cast(Value(None), CharField())
            if organisation_id is None
            else Cast(expression(organisation_id), CharField())
        ),
        f"{PREFIX}due_date": expression(due_date),
        f"{PREFIX}text": expression(text),
        f"{PREFIX}url": expression(url),
    }


def dues_of(rows: QuerySet) -> list[Due]:
    """A rule's ``rows`` read as ``Due`` items (one query): one per item and due date."""
    people: dict[tuple, set[int]] = defaultdict(set)
    found: dict[tuple, dict] = {}
    for row in rows:
        key = (row[f"{PREFIX}item_type"], row[f"{PREFIX}item_id"], row[f"{PREFIX}due_date"])
        found.setdefault(key, row)
        people[key].add(row[USER_COLUMN])
    return [
        Due(
            item_type=row[f"{PREFIX}item_type"],
            item_id=row[f"{PREFIX}item_id"],
            partnership_id=row[f"{PREFIX}partnership_id"],
            organisation_id=row[f"{PREFIX}organisation_id"],
            due_date=row[f"{PREFIX}due_date"],
            text=row[f"{PREFIX}text"],
            url=row[f"{PREFIX}url"],
            user_ids=frozenset(people[key]),
        )
        for key, row in found.items()
    ]
