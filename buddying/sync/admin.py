from django.contrib import admin

from buddying.sync.models import Change


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    list_display = ["updated_at", "object_type", "object_id", "action", "user"]
    list_filter = ["object_type", "action"]
    search_fields = ["object_id"]
    readonly_fields = [f.name for f in Change._meta.fields]
