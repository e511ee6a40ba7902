"""Reads of agreements and disputes, always starting from what the person may see."""

from dataclasses import dataclass
from itertools import chain

from django.db.models import Count, Prefetch, Q, QuerySet

from buddying.common.history import HistoryEntry, history_entries
from partnerships import access
from partnerships.models import Partnership, Party
from risks.agreements import canonical, services
from risks.agreements.choices import AgreementStatus, DisputeStatus
from risks.agreements.models import Agreement, AgreementLine, Dispute, LineShare, Signature

_PARTIES = Prefetch("partnership__parties", queryset=Party.objects.select_related("organisation"))


def agreement_list(user) -> QuerySet[Agreement]:
    """Visible agreements with what a list row shows, in a fixed number of queries."""
    return (
        access.visible(Agreement, user)
        .select_related("partnership", "mediator_organisation")
        .annotate(
            line_count=Count("lines", distinct=True),
            signature_count=Count("signatures", distinct=True),
            open_dispute_count=Count(
                "disputes", filter=~Q(disputes__status=DisputeStatus.RESOLVED), distinct=True
            ),
        )
    )


def agreement_detail(user) -> QuerySet[Agreement]:
    """Visible agreements with their parties, lines, shares, signatures and disputes."""
    return (
        access.visible(Agreement, user)
        .select_related("partnership", "mediator_organisation", "previous")
        .prefetch_related(
            _PARTIES,
            Prefetch("lines", queryset=services.line_queryset().order_by("risk__number")),
            Prefetch(
                "signatures",
                queryset=Signature.objects.select_related("organisation", "signed_by"),
            ),
            Prefetch("disputes", queryset=dispute_queryset()),
        )
    )


def dispute_queryset() -> QuerySet[Dispute]:
    return Dispute.objects.select_related(
        "agreement__partnership",
        "risk",
        "raised_by_organisation",
        "mediator_organisation",
        "raised_by",
    )


def dispute_list(user) -> QuerySet[Dispute]:
    return access.visible(dispute_queryset(), user)


def dispute_detail(user) -> QuerySet[Dispute]:
    return dispute_list(user).prefetch_related(
        Prefetch(
            "agreement__partnership__parties",
            queryset=Party.objects.select_related("organisation"),
        )
    )


# --- Verify --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    signature: Signature
    matches: bool


@dataclass(frozen=True)
class Verification:
    """Whether each signature's hash matches the agreement's content as it is now."""

    current_hash: str
    checks: list[SignatureCheck]

    @property
    def all_match(self) -> bool:
        return all(check.matches for check in self.checks)

    @property
    def signed(self) -> bool:
        return bool(self.checks)


def verify(agreement: Agreement) -> Verification:
    """Recompute the content hash from the database (never from what is cached on the object)
    and compare it with every signature's."""
    digest = services.current_hash(agreement)
    signatures = Signature.objects.filter(agreement_id=agreement.pk).select_related(
        "organisation", "signed_by"
    )
    return Verification(
        current_hash=digest,
        checks=[SignatureCheck(s, s.content_hash == digest) for s in signatures],
    )


def canonical_text(agreement: Agreement) -> str:
    """The exact bytes that are hashed, as text, for a person who wants to check by hand."""
    return canonical.serialise(agreement).decode("utf-8")


# --- Protecting intent: sponsors at signing and now ----------------------------------------------


@dataclass(frozen=True)
class SponsorRow:
    """A party's sponsor and deputy as they are now and, if it signed, as they stood then."""

    party: Party
    signature: Signature | None

    @property
    def sponsor_vacant(self) -> bool:
        return not self.party.sponsor_name.strip()

    @property
    def acting(self) -> str:
        """Who speaks for the organisation now: the sponsor, or the deputy acting when the
        sponsor's post is empty."""
        if not self.sponsor_vacant:
            return _person(self.party.sponsor_name, self.party.sponsor_job_title)
        if self.party.deputy_name.strip():
            return _person(self.party.deputy_name, self.party.deputy_job_title) + " (acting)"
        return "Not recorded"

    @property
    def signed_under_previous_sponsor(self) -> bool:
        if self.signature is None:
            return False
        then = (self.signature.sponsor_name.strip(), self.signature.sponsor_job_title.strip())
        now = (self.party.sponsor_name.strip(), self.party.sponsor_job_title.strip())
        return then != now


def _person(name: str, job_title: str) -> str:
    name, job_title = name.strip(), job_title.strip()
    if not name:
        return "Not recorded"
    return f"{name}, {job_title}" if job_title else name


def sponsor_rows(agreement: Agreement) -> list[SponsorRow]:
    """For each party (prefetched): its sponsor now, and as it stood when it signed."""
    signatures = {s.organisation_id: s for s in agreement.signatures.all()}
    return [
        SponsorRow(party=party, signature=signatures.get(party.organisation_id))
        for party in agreement.partnership.parties.all()
    ]


# --- The partnership page and the history --------------------------------------------------------


@dataclass
class PartnershipSummary:
    agreements: list[Agreement]
    in_force: Agreement | None
    open_disputes: list[Dispute]
    can_draft: bool


def partnership_summary(partnership: Partnership, user) -> PartnershipSummary:
    """The agreements and open disputes shown on the partnership page (two queries)."""
    agreements = list(agreement_list(user).filter(partnership=partnership).order_by("-number"))
    disputes = list(
        dispute_list(user)
        .filter(agreement__partnership=partnership)
        .exclude(status=DisputeStatus.RESOLVED)
        .order_by("-raised_on", "-created_at")
    )
    return PartnershipSummary(
        agreements=agreements,
        in_force=next((a for a in agreements if a.status == AgreementStatus.IN_FORCE), None),
        open_disputes=disputes,
        can_draft=access.allows(user, "change", Agreement(partnership=partnership)),
    )


@dataclass(frozen=True)
class PartnershipHeadline:
    """The agreement headline on a partnership's overview: the version in force (or else the
    latest) and how many disputes are open, without the lists the section's own page shows."""

    in_force: Agreement | None
    latest: Agreement | None
    open_dispute_count: int


def partnership_headline(partnership: Partnership, user) -> PartnershipHeadline:
    """Two small reads: the agreements' numbers, statuses and dates, and a count of the open
    disputes (the section's lists, joined to six tables, took the overview 5 ms to plan)."""
    agreements = list(
        access.visible(Agreement, user)
        .filter(partnership=partnership)
        .only("id", "partnership_id", "number", "status", "in_force_at")
        .order_by("-number")
    )
    open_disputes = (
        access.visible(Dispute, user)
        .filter(agreement__partnership=partnership)
        .exclude(status=DisputeStatus.RESOLVED)
        .count()
    )
    return PartnershipHeadline(
        in_force=next((a for a in agreements if a.status == AgreementStatus.IN_FORCE), None),
        latest=agreements[0] if agreements else None,
        open_dispute_count=open_disputes,
    )


def agreement_history(agreement: Agreement) -> list[HistoryEntry]:
    """Every change to the agreement, its lines, shares and signatures, newest first."""
    entries = chain(
        history_entries(
            Agreement.history.filter(id=agreement.pk).select_related("history_user"),
            lambda r: f"Version {r.number}",
        ),
        history_entries(
            AgreementLine.history.filter(agreement_id=agreement.pk).select_related(
                "history_user", "risk"
            ),
            lambda r: f"Line for {r.risk.reference}",
        ),
        history_entries(
            LineShare.history.filter(
                line_id__in=AgreementLine.history.filter(agreement_id=agreement.pk).values("id")
            ).select_related("history_user"),
            lambda r: f"Share of {r.organisation_id}",
        ),
        history_entries(
            Signature.history.filter(agreement_id=agreement.pk).select_related("history_user"),
            lambda r: f"Signature for {r.organisation_id}",
        ),
    )
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def dispute_history(dispute: Dispute) -> list[HistoryEntry]:
    entries = history_entries(
        Dispute.history.filter(id=dispute.pk).select_related("history_user"),
        lambda r: "Dispute",
    )
    return sorted(entries, key=lambda entry: entry.when, reverse=True)
