"""Browser pages for reports: the list, asking for one, watching it being built (the page
refreshes itself with a meta refresh while it is queued or running — no script), reading it,
and downloading its files. A report the person may not read answers 404 everywhere."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from buddying.reports import selectors, services
from buddying.reports.choices import ReportFormat, ReportStatus
from buddying.reports.forms import ReportRequestForm, add_service_errors
from buddying.reports.models import ReportRequest

PAGE_SIZE = 50
REFRESH_SECONDS = 5
CONTENT_TYPES = {
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.CSV: "text/csv; charset=utf-8",
}


def readable_report(user, pk) -> ReportRequest:
    return get_object_or_404(selectors.reports_visible_to(user), pk=pk)


@login_required
def report_list(request):
    reports = selectors.reports_visible_to(request.user).order_by("-created_at", "pk")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/report_list.jinja", {"page": page, "reports": page.object_list})


@login_required
def report_create(request):
    initial = {}
    if request.method == "GET" and request.GET.get("partnership"):
        initial = {"kind": "partnership_weekly", "partnership": request.GET.get("partnership")}
    form = ReportRequestForm(
        request.POST if request.method == "POST" else None, initial=initial, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_request(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("reports:detail", pk=report.pk)
    return render(request, "reports/report_form.jinja", {"form": form})


@login_required
def report_detail(request, pk):
    report = readable_report(request.user, pk)
    body = None
    if report.status == ReportStatus.DONE and report.body_file:
        with report.body_file.open("rb") as handle:
            # Our own rendering (autoescaped when it was built), stored as it was built.
            body = mark_safe(handle.read().decode("utf-8"))  # noqa: S308
    return render(
        request,
        "reports/report_detail.jinja",
        {
            "report": report,
            "body": body,
            "refresh": REFRESH_SECONDS if not report.is_finished else None,
            "formats": ReportFormat.choices,
        },
    )


@require_GET
@login_required
def report_download(request, pk, fmt):
    report = readable_report(request.user, pk)
    return file_response(report, fmt)


def file_response(report: ReportRequest, fmt: str) -> FileResponse:
    """The stored file, as a download; 404 while it does not exist."""
    if fmt not in ReportFormat.values or report.status != ReportStatus.DONE:
        raise Http404("Not found.")
    stored = report.file_for(fmt)
    if not stored:
        raise Http404("Not found.")
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=(
            f"buddying-{report.export_list}-{report.period_end.isoformat()}-{str(report.pk)[:8]}.csv"
            if report.export_list
            else f"buddying-report-{report.period_end.isoformat()}-{str(report.pk)[:8]}.{fmt}"
        ),
        content_type=CONTENT_TYPES[fmt],
    )
    return response
