"""The unread count in the header of every page."""

from functools import cached_property

from buddying.notifications.selectors import unread_count


class UnreadCount:
    """The person's unread notifications, counted (one query) only when a page shows it."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def value(self) -> int:
        return unread_count(self.user)

    def __int__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value > 0

    def __str__(self) -> str:
        return str(self.value)


def unread_notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": UnreadCount(user)}
