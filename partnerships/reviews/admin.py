from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from buddying.common.admin import ViewOnlyAdminMixin
from partnerships.reviews.models import LearningItem, ObjectiveAssessment, OutcomeReview


class AssessmentInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = ObjectiveAssessment
    extra = 0


@admin.register(OutcomeReview)
class OutcomeReviewAdmin(ViewOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["partnership", "kind", "period_start", "period_end", "due_date", "status"]
    list_filter = ["kind", "status"]
    list_select_related = ["partnership"]
    inlines = [AssessmentInline]


@admin.register(LearningItem)
class LearningItemAdmin(ViewOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "partnership", "direction", "theme", "adopted", "published"]
    list_filter = ["direction", "theme", "adopted", "published"]
    list_select_related = ["partnership"]
    search_fields = ["title", "description"]
