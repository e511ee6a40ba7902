from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from buddying.common.admin import ViewOnlyAdminMixin
from risks.models import Risk, RiskAction, RiskAppetite


class RiskActionInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = RiskAction
    extra = 0
    raw_id_fields = ["owner"]


@admin.register(Risk)
class RiskAdmin(ViewOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["reference", "title", "partnership", "category", "current_score", "status"]
    list_filter = ["status", "category", "current_band"]
    search_fields = ["reference", "title", "partnership__reference"]
    list_select_related = ["partnership"]
    raw_id_fields = ["partnership", "owner"]
    autocomplete_fields = ["owner_organisation"]
    readonly_fields = [
        "reference",
        "inherent_score",
        "current_score",
        "target_score",
        "current_band",
    ]
    inlines = [RiskActionInline]


@admin.register(RiskAppetite)
class RiskAppetiteAdmin(ViewOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["organisation", "category", "level", "tolerance", "updated_at"]
    list_filter = ["category", "level"]
    search_fields = ["organisation__name", "organisation__ods_code"]
    autocomplete_fields = ["organisation"]
