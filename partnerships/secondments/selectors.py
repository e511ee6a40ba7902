"""Reads of secondments and capacity, always starting from what the person may see.

Capacity is computed in the database, grouped by home organisation and staff group, so a page or
an export costs the same few queries however many secondments there are:

- FTE seconded out on a day: the FTE of the secondments not cancelled that run that day;
- people: the distinct staff references among them;
- not backfilled: the FTE of those whose post is not backfilled;
- with an establishment recorded for the group, the share of it away and away unbackfilled;
- the talent-pool warning: the unbackfilled share is above the organisation's threshold (5%
  unless it set another).

Month by month, each month counts the secondments running on its last day, as NHS workforce
statistics count staff at the end of each month.
"""

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, Round
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from buddying.common.history import HistoryEntry, history_entries
from partnerships import access, risk_raising
from partnerships.choices import DeliveryStaffGroup
from partnerships.models import Organisation, Partnership, Party
from partnerships.models.organisations import title_case_nhs
from partnerships.secondments.choices import SecondmentStatus
from partnerships.secondments.models import (
    DEFAULT_THRESHOLD_PERCENT,
    CapacityThreshold,
    Secondment,
    StaffGroupEstablishment,
    TalentPoolRisk,
    status_expression,
)

_FTE = DecimalField(max_digits=12, decimal_places=2)
_PERCENT = DecimalField(max_digits=12, decimal_places=1)
_MONEY_DAYS = DecimalField(max_digits=20, decimal_places=2)
MAX_MONTHS = 60


def with_status(queryset: QuerySet[Secondment], today: dt.date | None = None) -> QuerySet:
    """Annotate ``status`` (planned, active, ended, cancelled) for ``today``, in the database."""
    return queryset.annotate(status=status_expression(today or timezone.localdate()))


def secondment_list(user, today: dt.date | None = None) -> QuerySet[Secondment]:
    """Visible secondments with their status and what a row shows, in one query."""
    return with_status(
        access.visible(Secondment, user).select_related(
            "partnership", "home_organisation", "host_organisation"
        ),
        today,
    )


def secondment_detail(user) -> QuerySet[Secondment]:
    """Visible secondments with what the detail page and the access checks need."""
    return secondment_list(user).prefetch_related("partnership__parties")


def running_on(day: dt.date) -> Q:
    """Secondments that count on ``day``: not cancelled, started and not yet ended."""
    return Q(cancelled=False, start_date__lte=day, end_date__gte=day)


def home_parties(user, partnership: Partnership) -> list[Party]:
    """The parties of the partnership whose secondments this person may record."""
    return [
        party
        for party in partnership.parties.all()
        if access.allows(
            user,
            "change",
            Secondment(partnership=partnership, home_organisation_id=party.organisation_id),
        )
    ]


# --- Capacity -----------------------------------------------------------------------------------


def _percent(part, whole) -> Case:
    return Case(
        When(GreaterThan(whole, Value(0)), then=Round(part * Value(100) / whole, 1)),
        default=None,
        output_field=_PERCENT,
    )


def capacity_rows(queryset: QuerySet[Secondment], day: dt.date | None = None) -> QuerySet:
    """Per home organisation and staff group, the figures for ``day`` (default today), in one
    query: ``fte_out``, ``people``, ``fte_not_backfilled``, ``establishment``, ``percent_away``,
    ``percent_not_backfilled``, ``threshold_percent`` and ``warning``."""
    day = day or timezone.localdate()
    establishment = Subquery(
        StaffGroupEstablishment.objects.filter(
            organisation_id=OuterRef("home_organisation_id"), staff_group=OuterRef("staff_group")
        ).values("fte")[:1],
        output_field=_FTE,
    )
    threshold = Coalesce(
        Subquery(
            CapacityThreshold.objects.filter(
                organisation_id=OuterRef("home_organisation_id")
            ).values("unbackfilled_percent")[:1]
        ),
        Value(DEFAULT_THRESHOLD_PERCENT),
        output_field=_PERCENT,
    )
    return (
        queryset.filter(running_on(day))
        .order_by()
        .values("home_organisation_id", "home_organisation__name", "staff_group")
        .annotate(
            fte_out=Sum("fte", output_field=_FTE),
            people=Count("staff_reference", distinct=True),
            fte_not_backfilled=Coalesce(
                Sum("fte", filter=Q(backfilled=False)), Value(Decimal(0)), output_field=_FTE
            ),
            establishment=establishment,
            threshold_percent=threshold,
        )
        .annotate(
            percent_away=_percent(F("fte_out"), F("establishment")),
            percent_not_backfilled=_percent(F("fte_not_backfilled"), F("establishment")),
            # Compared unrounded: over the threshold by any amount is over it.
            warning=Case(
                When(
                    GreaterThan(
                        F("fte_not_backfilled") * Value(100),
                        F("threshold_percent") * F("establishment"),
                    ),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("home_organisation__name", "home_organisation_id", "staff_group")
    )


@dataclass(frozen=True)
class CapacityRow:
    """One staff group of one organisation, as the pages show it."""

    organisation_id: str
    staff_group: str
    staff_group_label: str
    fte_out: Decimal
    people: int
    fte_not_backfilled: Decimal
    establishment: Decimal | None
    percent_away: Decimal | None
    percent_not_backfilled: Decimal | None
    threshold_percent: Decimal
    warning: bool


def capacity_row(values: dict) -> CapacityRow:
    return CapacityRow(
        organisation_id=values["home_organisation_id"],
        staff_group=values["staff_group"],
        staff_group_label=DeliveryStaffGroup(values["staff_group"]).label,
        fte_out=values["fte_out"],
        people=values["people"],
        fte_not_backfilled=values["fte_not_backfilled"],
        establishment=values["establishment"],
        percent_away=values["percent_away"],
        percent_not_backfilled=values["percent_not_backfilled"],
        threshold_percent=values["threshold_percent"],
        warning=values["warning"],
    )


def _month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    ends = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month) and len(ends) < MAX_MONTHS:
        ends.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ends


@dataclass(frozen=True)
class MonthFigures:
    month_end: dt.date
    fte_out: Decimal
    fte_not_backfilled: Decimal


def monthly_capacity(
    queryset: QuerySet[Secondment],
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> list[MonthFigures]:
    """FTE seconded out, and how much of it not backfilled, at the end of each month from
    ``first`` to ``last`` (default: the span of the secondments), in at most two queries."""
    queryset = queryset.filter(cancelled=False).order_by()
    if first is None or last is None:
        span = queryset.aggregate(first=Min("start_date"), last=Max("end_date"))
        first, last = first or span["first"], last or span["last"]
    if first is None or last is None or last < first:
        return []
    ends = _month_ends(first, last)
    sums = {}
    for index, end in enumerate(ends):
        on_day = Q(start_date__lte=end, end_date__gte=end)
        sums[f"out_{index}"] = Coalesce(
            Sum("fte", filter=on_day), Value(Decimal(0)), output_field=_FTE
        )
        sums[f"gap_{index}"] = Coalesce(
            Sum("fte", filter=on_day & Q(backfilled=False)), Value(Decimal(0)), output_field=_FTE
        )
    totals = queryset.aggregate(**sums)
    return [
        MonthFigures(end, totals[f"out_{index}"], totals[f"gap_{index}"])
        for index, end in enumerate(ends)
    ]


@dataclass(frozen=True)
class OrganisationCapacity:
    """The capacity page of one organisation: today's figures per staff group, the months, and
    what the organisation recorded (establishment, threshold)."""

    organisation: Organisation
    today: dt.date
    rows: list[CapacityRow]
    months: list[MonthFigures]
    establishments: dict[str, StaffGroupEstablishment]
    threshold: CapacityThreshold | None
    threshold_percent: Decimal
    risk_offers: dict[str, list["RiskOffer"]]

    @property
    def warnings(self) -> list[CapacityRow]:
        return [row for row in self.rows if row.warning]

    @property
    def peak_fte(self) -> Decimal:
        return max((month.fte_out for month in self.months), default=Decimal(0))


def organisation_capacity(
    organisation: Organisation, user, partnership: Partnership | None = None
) -> OrganisationCapacity:
    """What the person may see of the organisation's staff seconded out (only secondments of
    partnerships they may see count), in five queries — and four more where a staff group is
    above the threshold, for the offers to raise a risk."""
    today = timezone.localdate()
    secondments = access.visible(Secondment, user).filter(home_organisation=organisation)
    first = last = None
    if partnership is not None:
        secondments = secondments.filter(partnership=partnership)
        first = partnership.planned_start
        last = partnership.actual_end or partnership.planned_end
    threshold = CapacityThreshold.objects.filter(organisation=organisation).first()
    rows = [capacity_row(values) for values in capacity_rows(secondments, today)]
    return OrganisationCapacity(
        organisation=organisation,
        today=today,
        rows=rows,
        months=monthly_capacity(secondments, first, last),
        establishments={
            e.staff_group: e
            for e in StaffGroupEstablishment.objects.filter(organisation=organisation)
        },
        threshold=threshold,
        threshold_percent=threshold.unbackfilled_percent
        if threshold
        else DEFAULT_THRESHOLD_PERCENT,
        risk_offers=talent_pool_offers(
            secondments, organisation, user, [row.staff_group for row in rows if row.warning], today
        ),
    )


# --- The talent-pool warning's risk -------------------------------------------------------------


def this_month(today: dt.date | None = None) -> dt.date:
    """The month a talent-pool risk is raised in, as its key records it (its first day)."""
    return (today or timezone.localdate()).replace(day=1)


@dataclass(frozen=True)
class RiskOffer:
    """One partnership in which unbackfilled secondments of a warned staff group sit: the risk
    raised there this month, or whether this person may raise it."""

    staff_group: str
    partnership: Partnership
    raised: TalentPoolRisk | None
    can_raise: bool

    @property
    def risk_url(self) -> str | None:
        if self.raised is None or self.raised.risk_id is None:
            return None
        return risk_raising.url_for(self.raised.risk_id)


def talent_pool_offers(
    secondments: QuerySet[Secondment],
    organisation: Organisation,
    user,
    staff_groups: list[str],
    today: dt.date | None = None,
) -> dict[str, list[RiskOffer]]:
    """Per warned staff group, the partnerships among ``secondments`` (already scoped to what the
    person sees) holding its unbackfilled secondments today, in four queries whatever their
    number: where a risk was raised this month, and where this person may raise one."""
    if not staff_groups:
        return {}
    today = today or timezone.localdate()
    pairs = set(
        secondments.filter(running_on(today), staff_group__in=staff_groups, backfilled=False)
        .order_by()
        .values_list("staff_group", "partnership_id")
        .distinct()
    )
    partnerships = {
        p.pk: p
        for p in Partnership.objects.filter(pk__in={pk for _, pk in pairs}).prefetch_related(
            "parties"
        )
    }
    raised = {
        (r.staff_group, r.partnership_id): r
        for r in access.visible(TalentPoolRisk, user).filter(
            organisation=organisation, staff_group__in=staff_groups, month=this_month(today)
        )
    }
    installed = risk_raising.available()
    offers: dict[str, list[RiskOffer]] = {group: [] for group in staff_groups}
    for group, pk in sorted(pairs, key=lambda pair: (pair[0], partnerships[pair[1]].reference)):
        partnership = partnerships[pk]
        offers[group].append(
            RiskOffer(
                staff_group=group,
                partnership=partnership,
                raised=raised.get((group, pk)),
                can_raise=installed
                and access.allows(
                    user,
                    "raise",
                    TalentPoolRisk(partnership=partnership, organisation=organisation),
                ),
            )
        )
    return offers


def risks_raised_this_month(user, organisation_ids, today: dt.date | None = None) -> dict:
    """The talent-pool risks raised this month by the given organisations in partnerships the
    person sees, per ``(organisation, staff group)``, in one query."""
    found: dict[tuple[str, str], list[TalentPoolRisk]] = {}
    rows = (
        access.visible(TalentPoolRisk, user)
        .filter(organisation_id__in=set(organisation_ids), month=this_month(today))
        .select_related("partnership")
        .order_by("partnership__reference")
    )
    for raised in rows:
        found.setdefault((raised.organisation_id, raised.staff_group), []).append(raised)
    return found


# --- The partnership page -----------------------------------------------------------------------


@dataclass(frozen=True)
class SecondmentSummary:
    """What the partnership page shows about secondments: the counts by status, the FTE away per
    home organisation today, and the organisations this person may record secondments for."""

    today: dt.date
    counts: dict[str, int]
    by_home: list[dict]
    home_organisation_ids: frozenset[str]
    total: int

    @property
    def can_add(self) -> bool:
        return bool(self.home_organisation_ids)

    @property
    def headline(self) -> str:
        if not self.total:
            return "No secondments recorded yet"
        active = self.counts.get(SecondmentStatus.ACTIVE, 0)
        fte = sum((row["fte_out"] for row in self.by_home), Decimal(0))
        people = "person is" if active == 1 else "people are"
        return f"{active} {people} on secondment today ({fte.normalize():f} FTE)"


def secondment_summary(partnership: Partnership, user=None) -> SecondmentSummary:
    """The secondments section of a partnership page, in two queries whatever its size. The
    caller has already checked the person may see the partnership."""
    today = timezone.localdate()
    queryset = Secondment.objects.filter(partnership=partnership)
    counts = {
        row["status"]: row["n"]
        for row in with_status(queryset, today).order_by().values("status").annotate(n=Count("pk"))
    }
    by_home = list(
        queryset.filter(running_on(today))
        .order_by()
        .values("home_organisation_id", "home_organisation__name")
        .annotate(
            fte_out=Sum("fte", output_field=_FTE),
            people=Count("staff_reference", distinct=True),
            fte_not_backfilled=Coalesce(
                Sum("fte", filter=Q(backfilled=False)), Value(Decimal(0)), output_field=_FTE
            ),
            monthly_recharge=Sum("monthly_recharge"),
        )
        .order_by("home_organisation__name")
    )
    for row in by_home:
        row["home_name"] = title_case_nhs(row["home_organisation__name"])
    homes = (
        frozenset(p.organisation_id for p in home_parties(user, partnership))
        if user is not None
        else frozenset()
    )
    return SecondmentSummary(
        today=today,
        counts=counts,
        by_home=by_home,
        home_organisation_ids=homes,
        total=sum(counts.values()),
    )


@dataclass(frozen=True)
class Recharges:
    """What a partnership's secondments recharged over a period, and how many were counted."""

    amount: Decimal
    secondments: int


DAYS_IN_A_YEAR = 365


def recharges_between(partnership: Partnership, start: dt.date, end: dt.date) -> Recharges:
    """The secondment recharges of ``partnership`` for ``start`` to ``end`` (both included), added
    up in the database in one query.

    The rule: every secondment not cancelled that runs on at least one day of the period counts;
    its monthly recharge is spread evenly over the year, so each day it runs within the period
    costs ``monthly recharge × 12 / 365`` (a leap day costs the same as any other). The days are
    those from the later of the two starts to the earlier of the two ends. The total is rounded
    to the penny once, half up. No secondment in the period gives £0.00 and a count of 0.
    """
    first = Greatest(F("start_date"), Value(start, output_field=DateField()))
    last = Least(F("end_date"), Value(end, output_field=DateField()))
    # PostgreSQL subtracts two dates as a whole number of days.
    days = Func(last, first, template="(%(expressions)s + 1)", arg_joiner=" - ")
    totals = (
        Secondment.objects.filter(
            partnership=partnership, cancelled=False, start_date__lte=end, end_date__gte=start
        )
        .order_by()
        .aggregate(
            amount=Coalesce(
                Round(
                    Sum(ExpressionWrapper(F("monthly_recharge") * days, output_field=_MONEY_DAYS))
                    * Value(Decimal(12))
                    / Value(Decimal(DAYS_IN_A_YEAR)),
                    2,
                ),
                Value(Decimal(0)),
                output_field=_MONEY_DAYS,
            ),
            secondments=Count("pk"),
        )
    )
    return Recharges(
        amount=Decimal(totals["amount"]).quantize(Decimal("0.01")),
        secondments=totals["secondments"],
    )


def development_list(user) -> QuerySet[Secondment]:
    """Ended secondments with their objectives and what the person learned (not cancelled)."""
    today = timezone.localdate()
    return secondment_list(user, today).filter(cancelled=False, end_date__lt=today)


SECONDMENT_HISTORY_LIMIT = 100


def secondment_history(secondment: Secondment) -> list[HistoryEntry]:
    records = Secondment.history.filter(id=secondment.pk).select_related("history_user")
    entries = history_entries(records, lambda r: f"Secondment {r.reference}")
    return sorted(entries, key=lambda entry: entry.when, reverse=True)[:SECONDMENT_HISTORY_LIMIT]


def capacity_history(organisation: Organisation) -> list[HistoryEntry]:
    """Every change to the organisation's establishment and threshold, newest first."""
    history = chain(
        history_entries(
            StaffGroupEstablishment.history.filter(organisation_id=organisation.pk).select_related(
                "history_user"
            ),
            lambda r: f"Establishment: {DeliveryStaffGroup(r.staff_group).label}",
        ),
        history_entries(
            CapacityThreshold.history.filter(organisation_id=organisation.pk).select_related(
                "history_user"
            ),
            lambda r: "Warning threshold",
        ),
    )
    return sorted(history, key=lambda entry: entry.when, reverse=True)
