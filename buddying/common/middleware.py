"""Middleware of the toolkit."""

from django.shortcuts import render

from buddying.common.errors import StateConflict


class StateConflictMiddleware:
    """A page whose change the object's state refuses (``access.require`` or a service raising
    ``StateConflict``, e.g. on a closed partnership) answers 409 with the sentence, as the API does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, StateConflict) and not request.path.startswith("/api/"):
            message = " ".join(exception.messages)
            return render(request, "errors/409.jinja", {"message": message}, status=409)
        return None
