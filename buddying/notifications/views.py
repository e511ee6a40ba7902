"""Browser pages: the person's notifications (mark as read) and their reminder preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from buddying.notifications import selectors, services
from buddying.notifications.forms import PreferencesForm


@login_required
def notification_list(request):
    """The person's notifications, newest first, grouped by partnership."""
    return render(
        request,
        "notifications/list.jinja",
        {"groups": selectors.notification_page(request.user)},
    )


@login_required
@require_POST
def mark_read(request, pk):
    services.reminder_mark_read(reminder_id=pk, by=request.user)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    count = services.reminders_mark_all_read(by=request.user)
    if count:
        messages.success(request, "All your notifications are marked as read.")
    return redirect("notifications:list")


@login_required
def preferences(request):
    """For each reminder: by email and in the app, in the app only, or not at all."""
    current = selectors.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(by=request.user, choices=form.cleaned_data)
        messages.success(request, "Your reminder choices are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.jinja", {"form": form})
