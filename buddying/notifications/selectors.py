"""Reads of reminders and preferences, always starting from what the person may see."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.urls import reverse

from buddying.notifications import registry
from buddying.notifications.choices import Delivery
from buddying.notifications.models import Reminder, ReminderPreference
from partnerships import access
from partnerships.models import Organisation, Partnership

PAGE_LIMIT = 200


def reminders_of(user) -> QuerySet[Reminder]:
    """The person's own reminders that they may (still) see: about a partnership they may see
    (the access policy), about an organisation they are still a member of, or about the whole
    system while they are a regulator."""
    if user is None or not user.is_authenticated:
        return Reminder.objects.none()
    own = Reminder.objects.filter(user_id=user.pk)
    about_partnerships = access.visible(own.filter(partnership__isnull=False), user)
    about_an_organisation = own.filter(
        partnership__isnull=True,
        organisation__isnull=False,
        organisation_id__in=[m.organisation_id for m in access.memberships_of(user)],
    )
    about_the_system = own.filter(partnership__isnull=True, organisation__isnull=True)
    if not access.is_regulator(user):
        about_the_system = about_the_system.none()
    return about_partnerships | about_an_organisation | about_the_system


def unread_count(user) -> int:
    return reminders_of(user).filter(read_at__isnull=True).count()


def preferences_of(user) -> dict[str, str]:
    """The person's choice for each rule (by email and in the app, unless they chose otherwise)."""
    chosen = dict(
        ReminderPreference.objects.filter(user_id=user.pk).values_list("rule", "delivery")
    )
    return {rule.name: chosen.get(rule.name, Delivery.EMAIL) for rule in registry.rules()}


def rules_not_emailed(user_id: int) -> list[str]:
    """The rules the person hears of in the app only, or not at all."""
    return list(
        ReminderPreference.objects.filter(user_id=user_id)
        .exclude(delivery=Delivery.EMAIL)
        .values_list("rule", flat=True)
    )


def to_email(user) -> QuerySet[Reminder]:
    """The person's reminders not yet emailed, that they want by email and may still see."""
    return (
        reminders_of(user)
        .filter(emailed_at__isnull=True)
        .exclude(rule__in=rules_not_emailed(user.pk))
    )


def people_to_email(day: date) -> QuerySet:
    """The ids of everyone with a reminder not yet emailed, raised on or before ``day``."""
    return (
        Reminder.objects.filter(emailed_at__isnull=True, raised_on__lte=day)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )


WHOLE_SYSTEM = "The whole system"


@dataclass(frozen=True)
class Group:
    """The reminders about one partnership, one organisation (``partnership`` is None) or the
    whole system (both None), for the notifications page and the digest."""

    partnership: Partnership | None
    organisation: Organisation | None
    reminders: list[Reminder]

    @property
    def heading(self) -> str:
        if self.partnership is not None:
            return f"{self.partnership.reference} {self.partnership.title}"
        if self.organisation is not None:
            return self.organisation.name
        return WHOLE_SYSTEM

    @property
    def url(self) -> str | None:
        """The group's own page (a partnership's), if it has one."""
        if self.partnership is not None:
            return reverse("partnerships:detail", args=[self.partnership.pk])
        return None


def grouped(reminders) -> list[Group]:
    """Reminders grouped by partnership (or organisation, or the whole system): groups in the
    order of their first reminder, each group's reminders in the order given (newest first on
    the page)."""
    groups: dict[object, list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        reminder.rule_label = registry.label(reminder.rule)
        groups[(reminder.partnership_id, reminder.organisation_id)].append(reminder)
    return [
        Group(partnership=items[0].partnership, organisation=items[0].organisation, reminders=items)
        for items in groups.values()
    ]


def notification_page(user, limit: int = PAGE_LIMIT) -> list[Group]:
    """The notifications page: the newest reminders, grouped by partnership, in two queries."""
    reminders = (
        reminders_of(user)
        .select_related("partnership", "organisation")
        .order_by("-created_at", "-id")[:limit]
    )
    return grouped(reminders)
