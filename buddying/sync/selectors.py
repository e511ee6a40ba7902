"""Reads of the change log, starting from the access policy."""

from django.db.models import Exists, OuterRef, QuerySet

from buddying.sync.choices import ChangeAction
from buddying.sync.models import Change
from partnerships import access
from partnerships.models import Partnership


def changes_visible_to(user) -> QuerySet[Change]:
    """The changes a person may read: those of the partnerships they may see, and of the
    organisations whose own records they may read (``access.organisations_related_to``).
    A regulator reads every change; a person with no membership none."""
    changes = Change.objects.select_related("user")
    if not access.memberships_of(user):
        return changes.none()
    if access.is_regulator(user):
        return changes
    partnership = Exists(access.visible(Partnership, user).filter(pk=OuterRef("partnership_id")))
    organisation = Exists(
        access.organisations_related_to(user).filter(pk=OuterRef("organisation_id"))
    )
    return changes.filter(partnership | organisation)


def deletions_visible_to(user) -> QuerySet[Change]:
    return changes_visible_to(user).filter(action=ChangeAction.DELETED)
