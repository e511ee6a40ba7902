import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from partnerships.choices import PartnershipStatus
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.reviews.factories import ReviewFactory
from tests.risks.factories import RiskAppetiteFactory, RiskFactory
from tests.secondments.factories import SecondmentFactory

TODAY = dt.date(2026, 6, 10)  # a Wednesday: the last complete week is 1 to 7 June 2026


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def figures(world, frozen):
    """Hand-computed data for the world's partnership (see test_figures.py for the sums)."""
    partnership = world.partnership
    partnership.status = PartnershipStatus.ACTIVE
    partnership.remuneration_gbp = Decimal("50000")
    partnership.consultancy_equivalent_gbp = Decimal("120000")
    partnership.save()
    hours = CommitmentFactory(
        partnership=partnership,
        organisation=world.buddy,
        planned_quantity=Decimal("100"),
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2027, 3, 31),
    )
    for day, quantity in (
        (dt.date(2026, 4, 10), "7.5"),
        (dt.date(2026, 5, 15), "10"),
        (dt.date(2026, 6, 3), "5"),
    ):
        DeliveryFactory(commitment=hours, date=day, quantity=Decimal(quantity))
    RiskFactory(partnership=partnership, owner=world.buddy_pm, category="strategic")  # 3 × 3 = 9
    RiskFactory(
        partnership=partnership,
        owner=world.buddy_pm,
        category="financial",
        current_likelihood=1,
        current_consequence=2,
        target_likelihood=1,
        target_consequence=1,
    )
    RiskAppetiteFactory(organisation=world.buddy, category="strategic", tolerance=6)
    SecondmentFactory(
        partnership=partnership,
        home_organisation=world.buddy,
        host_organisation=world.supported,
        fte=Decimal("0.5"),
        backfilled=False,
    )
    ReviewFactory(partnership=partnership, due_date=dt.date(2026, 6, 1))  # overdue
    return partnership


# --- A real Celery worker (tests marked ``celery_worker``) ------------------------------------

WAIT = 120  # seconds: a worker starting and building on a loaded machine


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def queue(settings):
    """A queue of this test's own, so no other worker on the broker takes the report; the
    reports' tasks are routed to it from this process (the producer)."""
    from buddying.celery import app

    name = f"buddying-tests-kill-{uuid.uuid4().hex[:8]}"
    saved = app.conf.task_routes
    app.conf.task_routes = {"buddying.reports.tasks.*": {"queue": name}}
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)
    yield name
    app.conf.task_routes = saved
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


@pytest.fixture
def start_worker(queue, settings, tmp_path):
    """Start ``celery worker`` in a process (and session) of its own, on the test database and
    media folder; every worker started is stopped at the end."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "buddying.settings_test",
    }
    started = []

    def start(pool: str = "prefork"):
        log_path = tmp_path / f"worker-{len(started) + 1}.log"
        log = open(log_path, "w")  # noqa: SIM115 - closed below
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "buddying",
                "worker",
                f"--pool={pool}",
                "--concurrency=1",
                "--queues",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a kill reaches only it
        )
        process.log_path, process.log = log_path, log
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()  # a warm shutdown: nothing of this test is left running
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        process.log.close()


@pytest.fixture
def worker(start_worker):
    return start_worker()


def wait_for(condition, what: str, worker) -> None:
    """Wait (up to ``WAIT``) until ``condition()``; fail with the worker's log if it never is
    or the worker stops."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}; worker log:\n{worker.log_path.read_text()[-3000:]}")
        if worker.poll() is not None:
            raise AssertionError(f"the worker stopped; its log:\n{worker.log_path.read_text()}")
        time.sleep(0.02)
