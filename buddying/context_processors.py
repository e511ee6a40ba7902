"""Context for every page: the signed-in person's organisations for the header's account area."""

from partnerships.access import memberships_of


def account(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"account_memberships": []}
    return {"account_memberships": memberships_of(user)}
