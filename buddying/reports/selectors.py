"""Who may read a report, and which partnerships a report covers — both from the access policy.

A report is readable by exactly those who may see all of its data:
- a partnership's weekly summary: whoever may see the partnership (its parties' members and
  regulators), as ``partnerships.access.visible`` says;
- an organisation's monthly portfolio: its own members (they see every partnership it is a party
  to) and regulators;
- the system-wide summary: regulators;
- an export: only the person who asked (its rows are those they could see), while they are still
  a member of an organisation.
Anyone else gets 404, whoever asked for the report.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from buddying.reports.choices import ReportKind, ReportStatus
from buddying.reports.models import ReportRequest
from partnerships import access
from partnerships.models import Organisation, Partnership, Party


def _own_organisation_ids(user) -> list[str]:
    """The person's own organisations (from their memberships, cached per request): a handful of
    codes, not a list of rows of any table."""
    return sorted({m.organisation_id for m in access.memberships_of(user)})


def reports_visible_to(user) -> QuerySet[ReportRequest]:
    """The reports the person may read, as one SQL condition."""
    reports = ReportRequest.objects.select_related("partnership", "organisation", "requested_by")
    if not access.memberships_of(user):
        return reports.none()
    # An export is its requester's while their memberships are those it was built with (until
    # built, it has no rows to outlive them).
    own_export = Q(kind=ReportKind.EXPORT, requested_by=user) & (
        Q(access_key="") & ~Q(status=ReportStatus.DONE) | Q(access_key=access.memberships_key(user))
    )
    if access.is_regulator(user):
        return reports.filter(~Q(kind=ReportKind.EXPORT) | own_export)
    visible_partnership = Exists(
        access.visible(Partnership, user).filter(pk=OuterRef("partnership_id"))
    )
    return reports.filter(
        Q(kind=ReportKind.PARTNERSHIP_WEEKLY) & Q(visible_partnership)
        | Q(kind=ReportKind.ORGANISATION_MONTHLY, organisation_id__in=_own_organisation_ids(user))
        | own_export
    )


def may_export(user) -> bool:
    """Whether the person may queue an export (and so read it back): any member."""
    return bool(access.memberships_of(user))


def may_request(user, *, kind: str, partnership=None, organisation=None) -> bool:
    """Whether the person may see all the data of a report of this kind and scope."""
    if not access.memberships_of(user):
        return False
    if kind == ReportKind.PARTNERSHIP_WEEKLY:
        return (
            partnership is not None
            and access.visible(Partnership, user).filter(pk=partnership.pk).exists()
        )
    if kind == ReportKind.ORGANISATION_MONTHLY:
        return organisation is not None and (
            access.is_regulator(user) or organisation.pk in _own_organisation_ids(user)
        )
    return access.is_regulator(user)


def partnerships_in_scope(report: ReportRequest) -> QuerySet[Partnership]:
    """The partnerships a report covers. Built for the person who asked, through the access
    policy (so it never covers more than they may see); a scheduled report covers its scope."""
    requester = report.requested_by
    partnerships = (
        access.visible(Partnership, requester)
        if requester is not None
        else Partnership.objects.all()
    )
    if report.kind == ReportKind.PARTNERSHIP_WEEKLY:
        return partnerships.filter(pk=report.partnership_id)
    if report.kind == ReportKind.ORGANISATION_MONTHLY:
        return partnerships.filter(
            Exists(
                Party.objects.filter(
                    partnership_id=OuterRef("pk"), organisation_id=report.organisation_id
                )
            )
        )
    return partnerships


def organisations_for_portfolio(user) -> QuerySet[Organisation]:
    """The organisations whose portfolio the person may ask for (a form's choices)."""
    if access.is_regulator(user):
        return Organisation.objects.filter(parties__isnull=False).distinct().order_by("name")
    return Organisation.objects.filter(pk__in=_own_organisation_ids(user)).order_by("name")


def recipients(report: ReportRequest):
    """The people a finished scheduled report is for (DESIGN §4): a partnership's parties'
    executives and programme managers; an organisation's executives; regulators.

    A finished weekly summary reaches them as a link in the daily digest (``reminders.py``).
    """
    from django.contrib.auth import get_user_model

    from partnerships.choices import Role

    users = get_user_model().objects.all()
    if report.kind == ReportKind.PARTNERSHIP_WEEKLY:
        return users.filter(
            access.told_in_organisation(
                [Role.EXECUTIVE, Role.PROGRAMME_MANAGER], prefix="memberships__"
            ),
            memberships__organisation__parties__partnership_id=report.partnership_id,
        ).distinct()
    if report.kind == ReportKind.ORGANISATION_MONTHLY:
        return users.filter(
            access.told_in_organisation([Role.EXECUTIVE], prefix="memberships__"),
            memberships__organisation_id=report.organisation_id,
        ).distinct()
    return users.filter(access.told_as_regulator(prefix="memberships__")).distinct()
