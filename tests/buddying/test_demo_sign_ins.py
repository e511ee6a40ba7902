"""``make run`` lists the demo sign-ins last: only once the web server answers, a Celery worker
answers a ping and Celery beat holds its lock (the Procfile runs the command beside them)."""

import io

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import caches
from django.core.management import call_command

from buddying import tasks
from partnerships.choices import Role
from partnerships.management.commands.seed_demo import DEMO_USERS
from tests.buddying.test_celery import TEST_QUEUE, configured_app  # noqa: F401
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def demo_users(world):
    for username, organisation, role in [
        ("ral-manager", world.buddy, Role.PROGRAMME_MANAGER),
        ("bhr-executive", world.supported, Role.EXECUTIVE),
    ]:
        MembershipFactory(user=UserFactory(username=username), organisation=organisation, role=role)
    return world


@pytest.fixture
def beat_lock():
    cache = caches[tasks.HEARTBEAT_CACHE]
    cache.delete(tasks.BEAT_LOCK)
    yield lambda: tasks.hold_beat_lock("a-test-beat", 60)
    cache.delete(tasks.BEAT_LOCK)


def sign_ins(url: str, timeout: float) -> list[str]:
    out = io.StringIO()
    call_command("demo_sign_ins", url=url, timeout=timeout, stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)  # the live server and the worker read what the test wrote
def test_the_sign_ins_are_listed_once_web_worker_and_beat_have_started(
    demo_users,
    live_server,
    configured_app,  # noqa: F811
    beat_lock,
):
    beat_lock()
    with start_worker(configured_app, pool="solo", perform_ping_check=False, queues=[TEST_QUEUE]):
        lines = sign_ins(live_server.url, timeout=20)

    assert (
        f"Buddying is running at {live_server.url}/  (API docs: {live_server.url}/api/docs/)"
        in (lines)
    )
    assert "Demo sign-ins, all with the password buddying-demo:" in lines
    table = [line.split() for line in lines if line.startswith("  ")]
    # The demo accounts that exist ("regulator" and "outsider" are the world's), in the demo's order.
    listed = {"bhr-executive", "ral-manager", "regulator", "outsider"}
    assert [row[0] for row in table] == ["Username"] + [
        demo.username for demo in DEMO_USERS if demo.username in listed
    ]
    rows = {row[0]: " ".join(row) for row in table}
    assert rows["bhr-executive"].startswith("bhr-executive Executive ")
    assert rows["bhr-executive"].endswith("(RDD)")
    assert rows["ral-manager"].startswith("ral-manager Programme manager ")
    assert rows["ral-manager"].endswith("(RAL)")
    assert rows["regulator"].startswith("regulator Regulator ")
    assert lines[-1] == "Stop with Ctrl+C."
    assert not any(line.startswith("Not started") for line in lines)


@pytest.mark.celery_worker
@pytest.mark.django_db
def test_what_has_not_started_is_named_and_the_sign_ins_are_still_listed(
    demo_users,
    configured_app,  # noqa: F811
    beat_lock,
):
    lines = sign_ins("http://127.0.0.1:9", timeout=1)  # nothing listens there; no worker, no beat

    assert (
        "Not started after 1 seconds: the web server, a Celery worker, Celery beat "
        "(see the lines above)."
    ) in lines
    assert any(line.split()[:1] == ["ral-manager"] for line in lines)
