"""``GET /healthz``: whether the database and the broker answer (for load balancers and people)."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from buddying.celery import app as celery_app


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the message says why
        return str(exc) or exc.__class__.__name__
    return None


def check_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return str(exc) or exc.__class__.__name__
    return None


@require_GET
def healthz(request):
    checks = {"database": check_database(), "broker": check_broker()}
    body = {name: ("ok" if error is None else "down") for name, error in checks.items()}
    failing = [name for name, error in checks.items() if error is not None]
    body["status"] = "ok" if not failing else "down"
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=200 if not failing else 503)
