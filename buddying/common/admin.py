"""Admin building blocks."""


class ViewOnlyAdminMixin:
    """The admin shows these rows but never changes them: their changes (status, approvals,
    signatures, figures) happen only through the services, which check who may make them and
    keep the history. Superusers change them, like anyone, in the product's own pages."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
