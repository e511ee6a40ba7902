from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partnerships.secondments.models import (
    CapacityThreshold,
    Secondment,
    StaffGroupEstablishment,
    TalentPoolRisk,
)


@admin.register(Secondment)
class SecondmentAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "partnership",
        "staff_reference",
        "home_organisation",
        "host_organisation",
        "staff_group",
        "fte",
        "start_date",
        "end_date",
    ]
    list_filter = ["staff_group", "band", "backfilled", "cancelled"]
    search_fields = ["reference", "staff_reference", "partnership__reference", "role_title"]
    raw_id_fields = ["partnership", "home_organisation", "host_organisation"]
    readonly_fields = ["reference"]


@admin.register(StaffGroupEstablishment)
class StaffGroupEstablishmentAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "staff_group", "fte"]
    raw_id_fields = ["organisation"]


@admin.register(CapacityThreshold)
class CapacityThresholdAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "unbackfilled_percent"]
    raw_id_fields = ["organisation"]


@admin.register(TalentPoolRisk)
class TalentPoolRiskAdmin(admin.ModelAdmin):
    """Read only: a record is made by raising the risk from the capacity page."""

    list_display = ["month", "organisation", "staff_group", "partnership", "risk_reference"]
    list_filter = ["staff_group", "month"]
    raw_id_fields = ["partnership", "organisation", "raised_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
