"""The demo partnership, named in one place for every ``seed_demo*`` command.

The demo users work at two London trusts open today: Barking, Havering and Redbridge University
Hospitals (RF4, "BHRUT"), the supported trust, and the Royal Free London (RAL), its buddy. They
propose, approve and run the demo partnership through the services (``seed_demo``); each app's
``seed_demo_<app>`` command then adds its own records to it, acting as these users.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from partnerships.models import Organisation, Partnership

SUPPORTED_CODE, BUDDY_CODE = "RF4", "RAL"
SUPPORTED_SHORT = "BHRUT"
# The demo usernames start with their trust's prefix: "bhr-executive", "ral-manager", …
USERNAME_PREFIX = {SUPPORTED_CODE: "bhr", BUDDY_CODE: "ral"}


def demo_username(ods_code: str, role: str) -> str:
    """The demo user of that trust in that role ("executive", "manager" or "viewer")."""
    return f"{USERNAME_PREFIX[ods_code]}-{role}"


def demo_partnership(usernames: tuple[str, ...]):
    """``(partnership, users by username, organisations by ODS code)`` of the demo partnership,
    or a ``CommandError`` saying to run ``seed_demo`` first."""
    users = {
        user.username: user for user in get_user_model().objects.filter(username__in=usernames)
    }
    partnership = (
        Partnership.objects.filter(parties__organisation_id=BUDDY_CODE, parties__role="buddy")
        .filter(parties__organisation_id=SUPPORTED_CODE, parties__role="supported")
        .order_by("created_at")
        .first()
    )
    if partnership is None or len(users) < len(usernames) or not partnership.planned_start:
        raise CommandError("Run seed_demo first: there is no demo partnership or demo users.")
    organisations = Organisation.objects.in_bulk([BUDDY_CODE, SUPPORTED_CODE])
    return partnership, users, organisations
