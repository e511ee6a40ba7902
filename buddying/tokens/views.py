"""Your API tokens, in the browser: list, make (the key shown once) and revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from buddying.common.forms import add_service_errors
from buddying.tokens import selectors, services
from buddying.tokens.forms import TokenForm
from partnerships import access


@login_required
def token_list(request):
    """The person's tokens and the form to make one; after making one, its key, once."""
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = services.token_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = TokenForm()
    return render(
        request,
        "tokens/token_list.jinja",
        {
            "form": form,
            "tokens": selectors.tokens_of(request.user),
            "new_key": new_key,
            "always_read_only": access.is_regulator(request.user),
        },
        status=200,
    )


@login_required
@require_POST
def token_revoke(request, pk):
    details = get_object_or_404(selectors.tokens_revocable_by(request.user), pk=pk)
    services.token_revoke(details=details, by=request.user)
    messages.success(request, f"Token '{details.name}' revoked. It no longer works.")
    return redirect("tokens:list")
