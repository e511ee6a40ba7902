"""What the product writes to its log: each line once, a refused request as one line, a fault with
its traceback. Logging is configured from the settings as ``django.setup()`` does, writing to the
captured stderr, and requests go through the whole handler."""

import io
import logging
import sys

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import include, path
from django.utils.log import configure_logging


def refuse(request):
    raise PermissionDenied("Only the partnership's programme managers can change it.")


def fail(request):
    raise RuntimeError("a fault of ours")


urlpatterns = [path("refused/", refuse), path("fails/", fail), path("", include("buddying.urls"))]
handler403 = "buddying.views.permission_denied"
handler500 = "buddying.views.server_error"

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def log_lines():
    """The lines the product's logging writes while the test runs: logging is configured from
    the settings as at start-up, and its handlers write to a buffer instead of stderr."""
    root = logging.getLogger()
    pytest_handlers = [h for h in root.handlers if type(h) is not logging.StreamHandler]
    console = [h.stream for h in root.handlers if type(h) is logging.StreamHandler]
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    written = io.StringIO()
    ours = [
        handler
        for name in ["", *logging.root.manager.loggerDict]
        for handler in logging.getLogger(name).handlers
        if type(handler) is logging.StreamHandler and name != "django.server"
    ]
    for handler in ours:
        handler.setStream(written)
    yield lambda: written.getvalue().splitlines()
    for handler in ours:  # back to where the suite's logging wrote before
        handler.setStream(console[0] if console else sys.stderr)
    for handler in pytest_handlers:
        if handler not in root.handlers:
            root.addHandler(handler)


@pytest.mark.parametrize("debug", [True, False])
def test_a_refused_request_is_logged_once_as_one_line(debug, client, log_lines, settings):
    settings.DEBUG = debug  # Django's own default handler for "django" writes only with DEBUG on

    response = client.get("/refused/")

    assert response.status_code == 403
    assert log_lines() == ["Forbidden (Permission denied): /refused/"]


def test_a_fault_is_logged_once_with_its_traceback(client, log_lines, settings):
    settings.DEBUG = True
    client.raise_request_exception = False

    response = client.get("/fails/")

    assert response.status_code == 500
    lines = log_lines()
    assert lines[0] == "Internal Server Error: /fails/"
    assert lines.count("Internal Server Error: /fails/") == 1
    assert "Traceback (most recent call last):" in lines
    assert lines[-1] == "RuntimeError: a fault of ours"
