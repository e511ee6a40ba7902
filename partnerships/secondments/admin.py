from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partnerships.secondments.models import CapacityThreshold, Secondment, StaffGroupEstablishment


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
