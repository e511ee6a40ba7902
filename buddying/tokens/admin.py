from django.contrib import admin

from buddying.tokens.models import TokenDetails


@admin.register(TokenDetails)
class TokenDetailsAdmin(admin.ModelAdmin):
    """Administrators revoke any token by deleting it here (or knox's token)."""

    list_display = ["name", "user", "read_only", "created", "expiry", "last_used_at"]
    list_select_related = ["token__user"]
    readonly_fields = ["token", "name", "read_only", "last_used_at"]
    search_fields = ["name", "token__user__username"]

    @admin.display(ordering="token__user__username")
    def user(self, obj):
        return obj.token.user

    @admin.display(ordering="token__created")
    def created(self, obj):
        return obj.token.created

    @admin.display(ordering="token__expiry")
    def expiry(self, obj):
        return obj.token.expiry

    def delete_model(self, request, obj):
        obj.token.delete()

    def delete_queryset(self, request, queryset):
        from knox.models import AuthToken

        AuthToken.objects.filter(details__in=queryset).delete()

    def has_add_permission(self, request):
        return False
