from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from buddying.reports.choices import ReportFormat, ReportKind, ReportStatus
from buddying.reports.models import ReportRequest
from partnerships.models import Organisation, Partnership


class ReportSerializer(serializers.ModelSerializer):
    """A report: what it covers, its status (and the reason it failed), and its files' links."""

    kind = serializers.ChoiceField(choices=ReportKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=ReportStatus.choices, read_only=True)
    partnership = serializers.UUIDField(source="partnership_id", read_only=True, allow_null=True)
    organisation = serializers.CharField(source="organisation_id", read_only=True, allow_null=True)
    requested_by = serializers.CharField(
        source="requested_by.username", read_only=True, allow_null=True, default=None
    )
    files = serializers.SerializerMethodField()
    list = serializers.CharField(
        source="export_list", read_only=True, help_text="An export's API list; empty otherwise."
    )
    filters = serializers.DictField(
        source="export_filters", read_only=True, help_text="An export's filters."
    )
    row_count = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="An export's rows, once it is done."
    )

    class Meta:
        model = ReportRequest
        fields = [
            "id",
            "title",
            "kind",
            "partnership",
            "organisation",
            "period_start",
            "period_end",
            "requested_by",
            "status",
            "failure_reason",
            "attempts",
            "started_at",
            "finished_at",
            "files",
            "list",
            "filters",
            "row_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.URLField()))
    def get_files(self, report) -> dict:
        if report.status != ReportStatus.DONE:
            return {}
        request = self.context.get("request")
        links = {}
        for fmt in ReportFormat.values:
            if report.file_for(fmt):
                path = reverse("report-download", kwargs={"pk": report.pk, "fmt": fmt})
                links[fmt] = request.build_absolute_uri(path) if request else path
        return links


class ReportCreateSerializer(serializers.Serializer):
    """Ask for a report. ``partnership`` for a weekly partnership summary, ``organisation`` (ODS
    code) for a monthly portfolio; the period defaults to the last complete week or month.

    ``{"kind": "export", "list": "deliveries", "filters": {"date_from": "2026-04-01"}}`` queues
    the CSV of an API list (its path under ``/api/v1/``) with its filters (the list's query
    parameters): the rows ``GET /api/v1/deliveries/?date_from=2026-04-01&format=csv`` would give
    the caller, written to a file. A list that does not export, an unknown filter or a bad value
    is a 400 and queues nothing."""

    kind = serializers.ChoiceField(choices=ReportKind.choices)
    partnership = serializers.UUIDField(required=False, allow_null=True)
    organisation = serializers.CharField(required=False, allow_null=True, max_length=10)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    list = serializers.CharField(required=False, max_length=50, help_text="For an export.")
    filters = serializers.DictField(
        required=False, help_text="For an export: the list's filters, by name."
    )

    def validate(self, attrs):
        if attrs.get("kind") == ReportKind.EXPORT and not attrs.get("list"):
            raise serializers.ValidationError({"list": "Choose the list to export."})
        return attrs

    def validate_partnership(self, value):
        if value is None:
            return None
        # Unknown or invisible: the same 404 the service gives (checked there, by the policy).
        return Partnership.objects.filter(pk=value).first() or Partnership(pk=value)

    def validate_organisation(self, value):
        if not value:
            return None
        return Organisation.objects.filter(pk=value.strip().upper()).first() or Organisation(
            pk=value.strip().upper()
        )
