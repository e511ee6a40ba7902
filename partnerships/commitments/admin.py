from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from buddying.common.admin import ViewOnlyAdminMixin
from partnerships.commitments.models import Commitment, Delivery


@admin.register(Commitment)
class CommitmentAdmin(ViewOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "reference",
        "partnership",
        "organisation",
        "category",
        "unit",
        "planned_quantity",
    ]
    list_filter = ["category", "unit"]
    search_fields = ["reference", "partnership__reference", "description"]
    raw_id_fields = ["partnership", "organisation"]
    readonly_fields = ["reference"]


@admin.register(Delivery)
class DeliveryAdmin(ViewOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["commitment", "date", "quantity", "staff_group", "logged_by"]
    list_filter = ["staff_group"]
    search_fields = ["commitment__reference", "commitment__partnership__reference"]
    raw_id_fields = ["commitment"]
    date_hierarchy = "date"
