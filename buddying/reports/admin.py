from django.contrib import admin

from buddying.reports.models import ReportRequest


@admin.register(ReportRequest)
class ReportRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "period_start", "period_end", "status", "created_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in ReportRequest._meta.fields]

    def has_add_permission(self, request):
        return False
