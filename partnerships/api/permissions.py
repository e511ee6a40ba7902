"""The access policy, plugged into DRF, so every endpoint checks in the order visible (404),
allowed (403), state (409) and only then validates the body (400)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from partnerships import access


class FollowsAccessPolicy(BasePermission):
    """Reads are scoped by each view's queryset (``access.visible``). A write needs, first, a role
    that writes at all — so a regulator or a viewer gets 403 before any field is checked — and then,
    on an object, what the object's rule allows (``access.require``, with the sentence the person
    sees). A view names the rule of each action in ``policy_actions`` (default ``"change"``;
    ``None`` where the service alone decides)."""

    message = "Your role does not allow changes: only programme managers and executives make them."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS or view.kwargs:
            # On an object (or under one) the object's visibility and rule decide: someone who
            # may not see it gets 404 before being told what they may not do.
            return True
        return bool(access.organisations_with_role(request.user, access.WRITE_ROLES))

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS or not hasattr(type(obj), "access_rules"):
            return True
        rule = getattr(view, "policy_actions", {}).get(view.action, "change")
        if rule is not None:
            access.require(request.user, rule, obj)
        return True
