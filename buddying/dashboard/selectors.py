"""Reads for the home pages: what needs this person, and the regulator's portfolio.

The dashboard sits above every app (DESIGN §5), so it may read each app's selectors. Every read
starts from what the person may see; each count is one SQL ``COUNT`` and each list a fixed number
of queries, whatever the number of rows.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from partnerships import access
from partnerships import selectors as partnership_selectors
from partnerships.choices import PartnershipStatus, Rag
from partnerships.commitments import selectors as commitment_selectors
from partnerships.commitments.models import Commitment
from partnerships.models import Partnership, Party
from partnerships.models.organisations import title_case_nhs
from partnerships.reviews.choices import ReviewStatus
from partnerships.reviews.models import OutcomeReview, ReviewSignOff
from risks import matrix
from risks import selectors as risk_selectors
from risks.agreements.choices import AgreementStatus
from risks.agreements.models import Agreement, Signature
from risks.choices import RiskStatus
from risks.models import Risk, RiskAction, RiskAppetite

ROWS = 10
# A commitment under way with nothing logged for this long needs a delivery logged.
DELIVERY_GAP_DAYS = 30


@dataclass
class AttentionItem:
    """One kind of thing waiting for the person: how many, and the first few of them."""

    key: str
    singular: str
    plural: str
    count: int
    rows: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.singular if self.count == 1 else self.plural


def _item(
    key: str, singular: str, plural: str, queryset: QuerySet, rows: QuerySet
) -> AttentionItem:
    """The first ``ROWS`` of ``queryset`` and how many there are, in two queries: the first rows'
    ids with the total beside them (a window count over the same narrow scan), then those rows
    (none when there are none). At national scale a typical trust user's 40 partnerships hold
    5,000 risks and 10,000 open actions; a ``COUNT`` and a ``LIMIT`` of the full, joined rows read
    them twice and carried every wide row through the sort (issue 15).

    ``rows`` is what the page shows of each row, read by those ids: the ids come from
    ``queryset``, which asked the access policy and the item's conditions, so the rows need
    neither again. Planning their ``EXISTS`` and annotations a second time cost more than reading
    the ten rows (2-3 ms of each such query at national scale)."""
    first = list(
        queryset.annotate(attention_total=Window(Count("pk"))).values_list("pk", "attention_total")[
            :ROWS
        ]
    )
    if not first:
        return AttentionItem(key, singular, plural, 0)
    by_pk = rows.in_bulk([pk for pk, _ in first])
    return AttentionItem(key, singular, plural, first[0][1], [by_pk[pk] for pk, _ in first])


def _executive_party(user, partnership_ref: str = "partnership_id") -> QuerySet[Party]:
    """Parties of the outer row's partnership for which this person is an executive."""
    return Party.objects.filter(
        partnership_id=OuterRef(partnership_ref),
        organisation_id__in=partnership_selectors.executive_of(user),
    )


def agreements_awaiting_signature_by(user) -> QuerySet[Agreement]:
    """Agreements put to signature where an organisation this person is an executive of has not
    signed yet (none, without a query, for someone who is nobody's executive)."""
    if not partnership_selectors.executive_of(user):
        return Agreement.objects.none()
    unsigned = _executive_party(user).exclude(
        Exists(
            Signature.objects.filter(
                agreement_id=OuterRef(OuterRef("pk")), organisation_id=OuterRef("organisation_id")
            )
        )
    )
    return (
        access.visible(Agreement, user)
        .filter(status=AgreementStatus.AWAITING_SIGNATURES)
        .filter(Exists(unsigned))
        .select_related("partnership")
        .order_by("submitted_at", "pk")
    )


def reviews_awaiting_sign_off_by(user) -> QuerySet[OutcomeReview]:
    """Submitted reviews that the buddy or supported organisation this person is an executive of
    has not signed off yet (none, without a query, for someone who is nobody's executive)."""
    if not partnership_selectors.executive_of(user):
        return OutcomeReview.objects.none()
    unsigned = (
        _executive_party(user)
        .filter(role__in=access.PRINCIPAL_PARTY_ROLES)
        .exclude(
            Exists(
                ReviewSignOff.objects.filter(
                    review_id=OuterRef(OuterRef("pk")), party_id=OuterRef("pk")
                )
            )
        )
    )
    return (
        access.visible(OutcomeReview, user)
        .filter(status=ReviewStatus.SUBMITTED)
        .filter(Exists(unsigned))
        .select_related("partnership")
        .order_by("due_date", "pk")
    )


def outside_own_appetite_q(user) -> Q:
    """An open risk above the tolerance of one of this person's own organisations (a party to the
    risk's partnership) for its category."""
    own = [m.organisation_id for m in access.memberships_of(user)]
    return Q(status=RiskStatus.OPEN) & Q(
        Exists(
            RiskAppetite.objects.filter(
                organisation_id__in=own,
                organisation__parties__partnership_id=OuterRef("partnership_id"),
                category=OuterRef("category"),
                **matrix.tolerance_exceeded_by(OuterRef("current_score")),
            )
        )
    )


def needs_attention(user, today: date | None = None) -> list[AttentionItem]:
    """What is waiting for this person, most pressing first; items with nothing in them are kept
    (the page leaves them out) so the counts are always the same shape."""
    today = today or timezone.localdate()
    writer_of = [
        m.organisation_id for m in access.memberships_of(user) if m.role in access.WRITE_ROLES
    ]
    gap_since = today - timedelta(days=DELIVERY_GAP_DAYS)
    # Each item: its rows' ids from what the person may see, then what the page shows of them.
    items = [
        _item(
            "approvals",
            "partnership waiting for your approval",
            "partnerships waiting for your approval",
            partnership_selectors.partnerships_awaiting_approval_by(user).order_by("reference"),
            Partnership.objects.all(),
        ),
        _item(
            "signatures",
            "agreement waiting for your organisation's signature",
            "agreements waiting for your organisation's signature",
            agreements_awaiting_signature_by(user),
            Agreement.objects.select_related("partnership"),
        ),
        _item(
            "sign-offs",
            "review waiting for your sign-off",
            "reviews waiting for your sign-off",
            reviews_awaiting_sign_off_by(user),
            OutcomeReview.objects.select_related("partnership"),
        ),
        _item(
            "risk-reviews",
            "risk overdue for review",
            "risks overdue for review",
            risk_selectors.risks_visible_to(user)
            .filter(risk_selectors.review_overdue_q(today))
            .order_by("next_review_date", "reference"),
            Risk.objects.select_related("partnership", "owner"),
        ),
        _item(
            "risk-actions",
            "risk action overdue",
            "risk actions overdue",
            access.visible(RiskAction, user)
            .filter(risk_selectors.action_overdue_q(today))
            .order_by("due_date", "pk"),
            RiskAction.objects.select_related("risk", "partnership", "owner"),
        ),
        _item(
            "behind",
            "commitment behind plan",
            "commitments behind plan",
            commitment_selectors.with_figures(access.visible(Commitment, user), today)
            .filter(rag__in=[Rag.RED, Rag.AMBER], partnership__status=PartnershipStatus.ACTIVE)
            .order_by("percent_of_expected", "reference"),
            commitment_selectors.with_figures(
                Commitment.objects.select_related("partnership", "organisation"), today
            ),
        ),
        _item(
            "appetite",
            "risk outside your organisation's appetite",
            "risks outside your organisation's appetite",
            risk_selectors.risks_visible_to(user)
            .filter(outside_own_appetite_q(user))
            .order_by("-current_score", "reference"),
            Risk.objects.select_related("partnership"),
        ),
        _item(
            "to-log",
            "commitment with no delivery logged for 30 days",
            "commitments with no delivery logged for 30 days",
            access.visible(Commitment, user)
            .filter(
                organisation_id__in=writer_of,
                partnership__status=PartnershipStatus.ACTIVE,
                start_date__lte=today,
                end_date__gte=gap_since,
            )
            .filter(Q(last_delivery_on__isnull=True) | Q(last_delivery_on__lt=gap_since))
            .order_by("last_delivery_on", "reference"),
            Commitment.objects.select_related("partnership"),
        ),
    ]
    # Say whose appetite each risk is outside of (one query for the page).
    for item in items:
        if item.key == "appetite":
            risk_selectors.attach_outside_appetite(item.rows)
    return items


# --- The regulator's portfolio ------------------------------------------------------------------

# An active partnership with nothing recorded for this long is flagged.
QUIET_DAYS = 30


def _latest(queryset: QuerySet, field_name: str = "updated_at") -> Subquery:
    """The latest ``field_name`` of ``queryset`` (tied to the outer partnership): one read of the
    table's ``(partnership, -updated_at)`` index."""
    return Subquery(
        queryset.order_by(f"-{field_name}").values(field_name)[:1],
        output_field=DateTimeField(),
    )


# The worst first: a partnership's delivery is its worst commitment under way.
_RAG_SEVERITY = Case(
    When(rag=Rag.RED, then=Value(0)),
    When(rag=Rag.AMBER, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def portfolio(user, today: date | None = None) -> QuerySet:
    """Visible partnerships with what the portfolio filters and sorts on, each a column computed
    in SQL: ``delivery_rag`` (the worst commitment under way: one measure of delivery, delivered
    against expected by now; grey when none has started), ``last_activity`` (the latest change to
    the partnership, its commitments, deliveries or risks: every delivery write marks its
    commitment changed, so the commitments' ``updated_at`` covers the deliveries without reading
    the million-row table) and ``quiet`` (an active partnership with no activity for
    ``QUIET_DAYS``). The figures shown beside each row of a page come from
    ``attach_portfolio_figures``, for that page's rows only.

    Each is written once: at national scale, counting commitments by RAG in four correlated
    subqueries, repeated inside ``delivery_rag``'s ``CASE``, cost more to build and compile in
    Python than to run (issue 15)."""
    today = today or timezone.localdate()
    under_way = (
        commitment_selectors.with_figures(
            Commitment.objects.filter(partnership_id=OuterRef("pk")), today
        )
        .exclude(rag=Rag.GREY)
        .order_by(_RAG_SEVERITY)
        .values("rag")[:1]
    )
    quiet_since = timezone.now() - timedelta(days=QUIET_DAYS)
    commitments = Commitment.objects.filter(partnership_id=OuterRef("pk"))
    risks = Risk.objects.filter(partnership_id=OuterRef("pk"))
    return partnership_selectors.partnership_list(user).annotate(
        delivery_rag=Coalesce(Subquery(under_way, output_field=CharField()), Value(Rag.GREY)),
        last_activity=Greatest(
            F("updated_at"),
            Coalesce(_latest(commitments), F("updated_at")),
            Coalesce(_latest(risks), F("updated_at")),
        ),
        # ``last_activity`` before ``quiet_since``, written so that the page's sort, which reads
        # it for every partnership, stops at the first sign of activity: the status, then the
        # partnership's own change, then one index probe per table (never two reads of each).
        quiet=ExpressionWrapper(
            Q(status=PartnershipStatus.ACTIVE)
            & Q(updated_at__lt=quiet_since)
            & ~Q(Exists(commitments.filter(updated_at__gte=quiet_since)))
            & ~Q(Exists(risks.filter(updated_at__gte=quiet_since))),
            output_field=BooleanField(),
        ),
    )


def attach_portfolio_figures(partnerships: list, today: date | None = None) -> list:
    """Set on each of a page's partnerships ``commitments_total``, ``commitments_started`` (not
    grey), ``commitments_red``, ``commitments_amber`` and ``risks_outside_appetite``: two grouped
    queries over those partnerships' rows, whatever the length of the page."""
    today = today or timezone.localdate()
    ids = [partnership.pk for partnership in partnerships]
    commitments = {
        row["partnership_id"]: row
        for row in commitment_selectors.with_figures(
            Commitment.objects.filter(partnership_id__in=ids), today
        )
        .order_by()
        .values("partnership_id")
        .annotate(
            total=Count("pk"),
            started=Count("pk", filter=~Q(rag=Rag.GREY)),
            red=Count("pk", filter=Q(rag=Rag.RED)),
            amber=Count("pk", filter=Q(rag=Rag.AMBER)),
        )
    }
    # Counted per partnership (a correlated subquery): grouped over the page's risks, PostgreSQL
    # hashed every party's appetites in England first (9 ms against 2 ms).
    outside_appetite = (
        Risk.objects.filter(partnership_id=OuterRef("pk"))
        .filter(risk_selectors.outside_appetite_q())
        .order_by()
        .values("partnership_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    outside = dict(
        Partnership.objects.filter(pk__in=ids)
        .annotate(n=Subquery(outside_appetite, output_field=IntegerField()))
        .values_list("pk", "n")
    )
    for partnership in partnerships:
        counts = commitments.get(partnership.pk, {})
        partnership.commitments_total = counts.get("total", 0)
        partnership.commitments_started = counts.get("started", 0)
        partnership.commitments_red = counts.get("red", 0)
        partnership.commitments_amber = counts.get("amber", 0)
        partnership.risks_outside_appetite = outside.get(partnership.pk) or 0
    return partnerships


def portfolio_by_region(queryset: QuerySet) -> list[dict]:
    """Partnerships per region of the supported organisation and status (one query), for the
    portfolio's chart and its table."""
    rows = (
        queryset.order_by()
        .filter(parties__role="supported")  # first, so the region is the supported party's
        .values("parties__organisation__region_name", "status")
        .annotate(n=Count("pk", distinct=True))
    )
    regions: dict[str, dict] = {}
    for row in rows:
        name = (
            title_case_nhs(row["parties__organisation__region_name"] or "") or "Region not recorded"
        )
        region = regions.setdefault(name, {"region": name, "total": 0})
        region[row["status"]] = row["n"]
        region["total"] += row["n"]
    return sorted(regions.values(), key=lambda r: r["region"])
