from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from buddying.common.admin import ViewOnlyAdminMixin
from partnerships import services
from partnerships.models import (
    Approval,
    Membership,
    Objective,
    Organisation,
    Partnership,
    Party,
)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["ods_code", "name", "kind", "region_name", "icb_code", "active"]
    list_filter = ["kind", "active", "region_name", "in_recovery_support"]
    search_fields = ["ods_code", "name"]

    def save_model(self, request, obj, form, change):
        services.organisation_save(organisation=obj, by=request.user)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "organisation__name", "organisation__ods_code"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        # Through the service, so a regulator role is only ever given in a regulator organisation.
        services.membership_save(membership=obj, by=request.user)


class PartyInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = Party
    extra = 0
    autocomplete_fields = ["organisation"]


class ObjectiveInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = Objective
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(ViewOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["reference", "title", "kind", "status", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["reference", "title"]
    inlines = [PartyInline, ObjectiveInline]
    readonly_fields = ["reference"]


@admin.register(Approval)
class ApprovalAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["partnership", "party", "approved_by", "approved_at"]
    raw_id_fields = ["partnership", "party", "approved_by"]
