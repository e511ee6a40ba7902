"""A real worker killed with SIGKILL while it sends the digests, then a new worker and the job run
again: everybody gets their digest, and nobody gets it twice.

The worker is a separate process (``celery worker``, prefork) on the configured broker (Redis in
CI), reading and writing the test database, with the email edge Django's file-based backend in a
folder (each message a file, counted across processes) that takes a second per message, as a mail
server does. The test waits until some digests have gone, kills the worker's whole process group
in the middle of the next send, starts another worker and runs the job again (as a retry or the
next beat would). The killed send's transaction dies with its connection, so its reminders are
still unsent: the redelivered task (``acks_late``; Redis hands an unacknowledged message out again
after the visibility timeout) or the rerun's digest task sends them, once.
"""

import email
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from buddying.celery import app as celery_app
from buddying.notifications.models import Digest, Reminder
from partnerships.choices import Role
from tests.factories import MembershipFactory
from tests.reviews.factories import ReviewFactory
from tests.risks.factories import RiskFactory

ROOT = Path(__file__).resolve().parents[2]
DAILY = "buddying.notifications.tasks.daily_reminders"


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def _start_worker(queue: str, outbox: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": _database_url(),
        "TEST_QUEUE": queue,
        "TEST_EMAIL_DIR": str(outbox),
        "BROKER_DIR": str(settings.BROKER_DIR),
    }
    command = [sys.executable, "-m", "celery", "-A", "buddying", "worker", "--pool=prefork"]
    command += ["--concurrency=1", f"--queues={queue}", "--without-mingle", "--without-gossip"]
    command += ["--loglevel=INFO", f"--hostname=killed-test-{uuid.uuid4().hex[:8]}@%h"]
    with log.open("ab") as out:
        # Its own process group, so the kill takes the pool's child with the main process.
        return subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _recipients(outbox: Path) -> list[str]:
    """Everyone each message written to the folder went to (a file may hold several)."""
    found = []
    for path in outbox.iterdir():
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                found += email.message_from_string(chunk.lstrip()).get_all("To", [])
    return found


def _wait(condition, what: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = log.read_text()[-3000:] if log.exists() else ""
            pytest.fail(f"Timed out waiting for {what}. Worker log:\n{tail}")
        time.sleep(0.1)


def _kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _kill(worker)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)  # the worker processes read what the test wrote
def test_a_worker_killed_while_sending_digests_sends_nobody_a_digest_twice_nor_loses_one(
    world, tmp_path
):
    today = timezone.localdate()
    for _ in range(4):  # more people, so the kill falls between digests
        MembershipFactory(organisation=world.buddy, role=Role.PROGRAMME_MANAGER)
    RiskFactory(
        partnership=world.partnership,
        owner=world.buddy_pm,
        next_review_date=today - timezone.timedelta(days=1),
    )
    ReviewFactory(partnership=world.partnership, due_date=today + timezone.timedelta(days=3))
    queue = f"buddying-tests-killed-{uuid.uuid4().hex}"
    outbox, log = tmp_path / "outbox", tmp_path / "worker.log"
    outbox.mkdir()

    first = _start_worker(queue, outbox, log)
    try:
        celery_app.send_task(DAILY, args=[today.isoformat()], queue=queue)
        _wait(lambda: len(list(outbox.iterdir())) >= 3, "the first digests", log)
        time.sleep(0.4)  # into the next send: its email not accepted, its transaction open
        _kill(first)
    finally:
        _stop(first)

    people = set(Reminder.objects.values_list("user__email", flat=True))
    assert len(people) == 8
    sent_before_the_kill = _recipients(outbox)
    assert 3 <= len(sent_before_the_kill) < len(people), "the kill did not fall mid-send"
    assert Reminder.objects.filter(emailed_at__isnull=True).exists()

    second = _start_worker(queue, outbox, log)
    try:
        celery_app.send_task(DAILY, args=[today.isoformat()], queue=queue)  # the job again
        _wait(
            lambda: not Reminder.objects.filter(emailed_at__isnull=True).exists(),
            "every digest",
            log,
        )
        time.sleep(8)  # past the visibility timeout: a redelivered task has run by now
    finally:
        _stop(second)

    recipients = _recipients(outbox)
    assert sorted(recipients) == sorted(people)  # each person exactly once
    assert Digest.objects.filter(day=today).count() == len(people)
    assert set(Digest.objects.values_list("user__email", flat=True)) == people
