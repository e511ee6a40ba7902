from django.contrib import admin

from buddying.notifications.models import Digest, Reminder, ReminderPreference


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = (
        "rule",
        "due_date",
        "user",
        "partnership",
        "organisation",
        "raised_on",
        "emailed_at",
        "read_at",
    )
    list_filter = ("rule", "raised_on")
    list_select_related = ("user", "partnership", "organisation")
    raw_id_fields = ("user", "partnership", "organisation", "digest")


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "rule", "delivery")
    raw_id_fields = ("user",)


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ("user", "day", "sent_at", "reminder_count")
    raw_id_fields = ("user",)
