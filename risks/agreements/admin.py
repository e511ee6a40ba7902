"""The admin shows agreements, signatures and disputes but changes no agreement that is awaiting
signatures or signed (the services are the only way to change state, and a signed agreement
never changes): such rows are read only here too."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from risks.agreements.choices import AgreementStatus
from risks.agreements.models import Agreement, AgreementLine, Dispute, LineShare, Signature


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LineInline(_ReadOnlyInline):
    model = AgreementLine
    fields = ["risk", "lead_organisation", "liability_cap_gbp", "responsibilities"]
    readonly_fields = fields


class SignatureInline(_ReadOnlyInline):
    model = Signature
    fields = ["organisation", "signer_name", "signed_at", "content_hash", "sponsor_name"]
    readonly_fields = fields


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["partnership", "number", "status", "effective_from", "review_date"]
    list_filter = ["status"]
    search_fields = ["partnership__reference", "partnership__title"]
    list_select_related = ["partnership"]
    raw_id_fields = ["partnership"]
    autocomplete_fields = ["mediator_organisation"]
    readonly_fields = ["number", "status", "submitted_at", "in_force_at", "ended_at"]
    inlines = [LineInline, SignatureInline]

    def has_change_permission(self, request, obj=None):
        # Only a draft without a signature may be touched; the rest are read only.
        if obj is not None and (obj.status != AgreementStatus.DRAFT or obj.signatures.exists()):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != AgreementStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["agreement", "organisation", "signer_name", "signed_at"]
    list_select_related = ["agreement__partnership", "organisation"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LineShare)
class LineShareAdmin(admin.ModelAdmin):
    list_display = ["line", "organisation", "percent"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Dispute)
class DisputeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "agreement", "raised_by_organisation", "status", "raised_on"]
    list_filter = ["status"]
    search_fields = ["title", "agreement__partnership__reference"]
    raw_id_fields = ["agreement", "risk"]
    readonly_fields = ["status", "raised_on", "mediation_started_on", "resolved_on", "resolution"]
