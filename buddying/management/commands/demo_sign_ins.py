"""``make run``'s last words: once the web server, a Celery worker and Celery beat have started,
where the service is and the demo sign-ins (username, role, organisation, the one password).

The Procfile runs it beside the three services, so the sign-ins are printed after their start-up
lines instead of scrolling away above them.
"""

import time
import urllib.error
import urllib.request
from collections.abc import Callable

from django.core.cache import caches
from django.core.management.base import BaseCommand

from buddying import tasks
from buddying.celery import app as celery_app
from partnerships.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS
from partnerships.models import Membership


def web_answers(url: str) -> bool:
    """The web server answers ``/healthz`` with 200 (its database and broker answer too)."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 - ours
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def worker_answers() -> bool:
    """A Celery worker on the configured broker answers a ping."""
    try:
        return bool(celery_app.control.ping(timeout=1))
    except Exception:  # the broker is not up yet: not started
        return False


def beat_runs() -> bool:
    """Celery beat holds the one-beat lock (taken on its first tick, released when it stops)."""
    try:
        return caches[tasks.HEARTBEAT_CACHE].get(tasks.BEAT_LOCK) is not None
    except Exception:
        return False


class Command(BaseCommand):
    help = (
        "Wait until the web server, a Celery worker and Celery beat have started, then list the "
        "demo sign-ins."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the web server")
        parser.add_argument(
            "--timeout",
            type=float,
            default=120,
            help="seconds to wait for the three to start before listing the sign-ins anyway",
        )

    def handle(self, *args, url: str, timeout: float, **options):
        url = url.rstrip("/")
        deadline = time.monotonic() + timeout
        waiting = [
            ("the web server", lambda: web_answers(url)),
            ("a Celery worker", worker_answers),
            ("Celery beat", beat_runs),
        ]
        not_started = [name for name, started in waiting if not self._wait(started, deadline)]
        self.stdout.write("")
        if not_started:
            self.stdout.write(
                f"Not started after {timeout:g} seconds: {', '.join(not_started)} "
                "(see the lines above)."
            )
        else:
            self.stdout.write(f"Buddying is running at {url}/  (API docs: {url}/api/docs/)")
        self._sign_ins()
        self.stdout.write("Stop with Ctrl+C.")

    def _wait(self, started: Callable[[], bool], deadline: float) -> bool:
        while not started():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.5)
        return True

    def _sign_ins(self) -> None:
        order = [demo.username for demo in DEMO_USERS]
        memberships = sorted(
            Membership.objects.filter(user__username__in=order).select_related(
                "user", "organisation"
            ),
            key=lambda membership: (order.index(membership.user.username), membership.pk),
        )
        if not memberships:
            self.stdout.write("There are no demo sign-ins: load them with `make demo-data`.")
            return
        rows = [("Username", "Role", "Organisation")] + [
            (
                membership.user.username,
                membership.get_role_display(),
                f"{membership.organisation.display_name} ({membership.organisation.ods_code})",
            )
            for membership in memberships
        ]
        widths = [max(len(row[column]) for row in rows) for column in (0, 1)]
        self.stdout.write(f"Demo sign-ins, all with the password {DEMO_PASSWORD}:")
        self.stdout.write("")
        for username, role, organisation in rows:
            self.stdout.write(f"  {username:<{widths[0]}}  {role:<{widths[1]}}  {organisation}")
        self.stdout.write("")
