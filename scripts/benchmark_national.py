"""National-scale benchmark (issue 15), run by hand, never in CI.

Starts the product under gunicorn (``gunicorn.conf.py``: 3 workers, ``DEBUG=false``) against a
database filled by ``manage.py generate_scale_data``, drives it over loopback as the typical trust
user (``bench-trust``) and as a regulator (``bench-regulator``), and prints measured against target:

- API lists of 50 (partnerships, commitments, risks, risk actions, deliveries): p50/p95/p99 with
  1 client and p95 with 4, each beside its plain-Django ``values()`` twin (``scripts/bench_urls.py``,
  same rows, same access filter, same run) and the ratio;
- queries per list with 1 and 500 rows (in-process, Django's test client);
- deep pages and ``commitments/?rag=red`` as the regulator;
- CSV exports: rows, first byte, total time and the serving worker's memory growth;
- pages: each role's home, the largest partnership's page (and its size), each of its section
  pages, its risk register, appetite comparison and largest commitment.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/buddying_bench \\
        .venv/bin/python scripts/benchmark_national.py [--requests 30] [--skip-exports] \\
        [--append BENCHMARKS.md --label "after: stored totals"]
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/buddying_bench")
os.environ.update(
    DEBUG="false",
    SECRET_KEY=os.environ.get("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 40),
    ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    API_THROTTLE_USER="100000000/hour",
    DJANGO_SETTINGS_MODULE="bench_settings",
    SESSION_IDLE_MINUTES="600",
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT / "scripts"), str(ROOT)])
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT)]

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from knox.models import AuthToken  # noqa: E402

from buddying.common.pagination import encode_cursor  # noqa: E402
from partnerships.commitments.models import Commitment, Delivery  # noqa: E402
from partnerships.models import Partnership  # noqa: E402
from risks.models import Risk, RiskAction  # noqa: E402

User = django.contrib.auth.get_user_model()

LISTS = ["partnerships", "commitments", "risks", "risk-actions", "deliveries"]
DEEP = [("commitments", 400), ("risks", 2000), ("risk-actions", 4000), ("deliveries", 20000)]
DEEP_MODELS = {
    "commitments": Commitment,
    "risks": Risk,
    "risk-actions": RiskAction,
    "deliveries": Delivery,
}
EXPORTS = ["commitments", "risks", "risk-actions", "deliveries"]


# --- Measuring ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Client_:
    """One HTTP client with keep-alive, signed in by token (API) or session (pages)."""

    def __init__(self, token=None, cookies=None):
        self.session = requests.Session()
        # As behind the TLS proxy production has (no redirect to https).
        self.session.headers["X-Forwarded-Proto"] = "https"
        if token:
            self.session.headers["Authorization"] = f"Token {token}"
        if cookies:
            self.session.cookies.update(cookies)

    def get(self, path: str):
        started = time.perf_counter()
        response = self.session.get(BASE + path)
        return (time.perf_counter() - started) * 1000, response


def latency(make_client, path: str, requests_each: int, clients: int = 1) -> dict:
    times: list[float] = []
    sizes: list[int] = []
    statuses: set[int] = set()
    lock = threading.Lock()

    def run():
        client = make_client()
        for _ in range(2):
            client.get(path)  # warm: connections, the worker's caches
        mine = []
        for _ in range(requests_each):
            ms, response = client.get(path)
            mine.append(ms)
            with lock:
                statuses.add(response.status_code)
                sizes.append(len(response.content))
        with lock:
            times.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "p99": percentile(times, 0.99),
        "rps": len(times) / wall,
        "bytes": max(sizes),
        "status": ",".join(str(s) for s in sorted(statuses)),
    }


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text()
    return [int(pid) for pid in children.split()]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def export(token: str, path: str, master: int) -> dict:
    pids = worker_pids(master)
    before = {pid: rss_mb(pid) for pid in pids}
    peak = dict(before)
    done = threading.Event()

    def watch():
        while not done.is_set():
            for pid in pids:
                peak[pid] = max(peak[pid], rss_mb(pid))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.perf_counter()
    first = None
    lines = 0
    status = None
    complete = True
    try:
        with requests.get(
            BASE + path,
            headers={"Authorization": f"Token {token}", "X-Forwarded-Proto": "https"},
            stream=True,
            timeout=600,
        ) as response:
            status = response.status_code
            for chunk in response.iter_content(65536):
                if first is None:
                    first = time.perf_counter() - started
                lines += chunk.count(b"\n")
    except requests.RequestException:
        complete = False  # the worker was killed mid-file: a truncated download
    total = time.perf_counter() - started
    done.set()
    watcher.join()
    growth = max((peak[pid] - before[pid] for pid in pids), default=0.0)
    return {
        "status": status,
        "rows": max(0, lines - 1),
        "first": first or total,
        "total": total,
        "growth": growth,
        "complete": complete,
    }


def query_counts(token: str, path: str) -> tuple[int, int]:
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    counts = []
    for size in (1, 500):
        separator = "&" if "?" in path else "?"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{path}{separator}page_size={size}", secure=True)
        counts.append(len(queries) if response.status_code == 200 else -response.status_code)
    return counts[0], counts[1]


# --- The run -----------------------------------------------------------------------------------


def sign_in(username: str) -> dict:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return {"sessionid": client.cookies["sessionid"].value}


def start_gunicorn() -> subprocess.Popen:
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        check=True,
        cwd=ROOT,
    )
    process = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{PORT}",
            "buddying.wsgi:application",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "scripts" / ".benchmark-gunicorn.log", "w"),  # noqa: SIM115
    )
    for _ in range(100):
        try:
            requests.get(BASE + "/healthz", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.2)
    time.sleep(1)
    return process


def fmt(ms: float) -> str:
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.0f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="requests per client per row")
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument("--only", help="comma-separated sections: lists,deep,exports,pages")
    parser.add_argument("--append", help="append the table to this Markdown file")
    parser.add_argument("--label", default="", help="a name for this run in --append")
    args = parser.parse_args()
    sections = set((args.only or "lists,deep,exports,pages").split(","))
    if args.skip_exports:
        sections.discard("exports")
    n = args.requests

    regulator = User.objects.get(username="bench-regulator")
    trust_user = User.objects.get(username="bench-trust")
    tokens = {
        "regulator": AuthToken.objects.create(regulator)[1],
        "trust": AuthToken.objects.create(trust_user)[1],
    }
    cookies = {"regulator": sign_in("bench-regulator"), "trust": sign_in("bench-trust")}
    largest = (
        Partnership.objects.annotate(n=Count("commitments")).order_by("-n").values("pk").first()
    )["pk"]
    biggest_commitment = (
        Commitment.objects.filter(partnership_id=largest)
        .annotate(n=Count("deliveries"))
        .order_by("-n")
        .values("pk")
        .first()
    )["pk"]

    rows: list[tuple[str, str, str, str]] = []  # what, measured, target, verdict

    def add(what: str, measured: str, target: str, ok: bool | None):
        verdict = "" if ok is None else ("met" if ok else "MISSED")
        rows.append((what, measured, target, verdict))
        print(f"{what:<62} {measured:<44} {target:<20} {verdict}", flush=True)

    process = start_gunicorn()
    try:
        api = {who: (lambda who=who: Client_(token=tokens[who])) for who in tokens}
        pages = {who: (lambda who=who: Client_(cookies=cookies[who])) for who in cookies}

        if "lists" in sections:
            for who in ("trust", "regulator"):
                for name in LISTS:
                    one = latency(api[who], f"/api/v1/{name}/", n)
                    if one["status"] != "200":
                        add(f"{who}: {name}/ (status {one['status']})", "—", "", None)
                        continue
                    four = latency(api[who], f"/api/v1/{name}/", n, clients=4)
                    twin = latency(api[who], f"/bench/values/{name}/", n)
                    ratio = one["p50"] / twin["p50"]
                    add(
                        f"{who}: {name}/ 1 client p50 / p95 / p99",
                        f"{fmt(one['p50'])} / {fmt(one['p95'])} / {fmt(one['p99'])}",
                        "p50 ≤ 10 ms",
                        one["p50"] <= 10,
                    )
                    add(
                        f"{who}: {name}/ 4 clients p95 (req/s)",
                        f"{fmt(four['p95'])} ({four['rps']:.0f}/s)",
                        "≤ 50 ms",
                        four["p95"] <= 50,
                    )
                    add(
                        f"{who}: {name}/ vs values() twin p50",
                        f"{ratio:.1f}× ({fmt(one['p50'])} vs {fmt(twin['p50'])})",
                        "≤ 1.5×",
                        ratio <= 1.5,
                    )
            for name in LISTS:
                small, large = query_counts(tokens["regulator"], f"/api/v1/{name}/")
                if small < 0:
                    add(f"regulator: {name}/ (status {-small})", "—", "", None)
                    continue
                add(
                    f"regulator: {name}/ queries with 1 / 500 rows",
                    f"{small} / {large}",
                    "≤ 6, constant",
                    small == large and large <= 6,
                )

        if "deep" in sections:
            for name, page in DEEP:
                # Offset pages stop at MAX_OFFSET_ROWS (a 400 beyond); deep reads use the cursor,
                # here one pointing at the row where offset page ``page`` would start.
                ordered = DEEP_MODELS[name].objects.order_by("updated_at", "id")
                row = ordered.values("updated_at", "id")[min(page * 50, ordered.count() - 1)]
                cursor = encode_cursor(row["updated_at"], row["id"])
                first = latency(api["regulator"], f"/api/v1/{name}/?cursor=", 5)
                deep = latency(api["regulator"], f"/api/v1/{name}/?cursor={cursor}", 5)
                if first["status"] != "200":
                    add(f"regulator: {name}/ (status {first['status']})", "—", "", None)
                    continue
                add(
                    f"regulator: {name}/ cursor at row {page * 50:,} p50 (first page)",
                    f"{fmt(deep['p50'])} ({fmt(first['p50'])}) [{deep['status']}]",
                    "as page 1",
                    deep["p50"] <= max(2 * first["p50"], first["p50"] + 10),
                )
            for query in ("rag=red", "rag=red&cursor="):
                red = latency(api["regulator"], f"/api/v1/commitments/?{query}", 5)
                add(
                    f"regulator: commitments/?{query} p50",
                    f"{fmt(red['p50'])} [{red['status']}]",
                    "≤ 50 ms",
                    red["p50"] <= 50,
                )

        if "exports" in sections:
            for name in EXPORTS:
                result = export(tokens["regulator"], f"/api/v1/{name}/?format=csv", process.pid)
                target_total = 20.0
                if result["status"] == 404:
                    add(f"regulator: {name}/?format=csv (status 404)", "—", "", None)
                    continue
                ok = (
                    result["complete"]
                    and result["status"] == 200
                    and result["first"] <= 1
                    and result["total"] <= target_total
                    and result["growth"] <= 50
                )
                add(
                    f"regulator: {name}/?format=csv rows, first byte, total, worker +MB",
                    f"{result['rows']:,}{'' if result['complete'] else ' (CUT)'} "
                    f"[{result['status']}], {result['first']:.2f} s, {result['total']:.1f} s, "
                    f"+{result['growth']:.0f} MB",
                    "all; ≤1 s; ≤20 s; ≤50 MB",
                    ok,
                )

        if "pages" in sections:
            for who in ("regulator", "trust"):
                home = latency(pages[who], "/", n, clients=4)
                add(
                    f"{who}: home page, 4 clients p95 (p50), size",
                    f"{fmt(home['p95'])} ({fmt(home['p50'])}), {home['bytes'] / 1024:.0f} KB "
                    f"[{home['status']}]",
                    "p95 ≤ 150 ms",
                    home["p95"] <= 150,
                )
            from partnerships import sections as partnership_sections

            for label, path in (
                ("largest partnership's page", f"/partnerships/{largest}/"),
                *(
                    (
                        f"its {section.label.lower()} section",
                        f"/partnerships/{largest}/sections/{section.name}/",
                    )
                    for section in partnership_sections.registered()
                ),
                ("its risk register", f"/partnerships/{largest}/risks/"),
                ("its appetite comparison", f"/partnerships/{largest}/risk-appetite/"),
                ("its largest commitment", f"/partnerships/commitments/{biggest_commitment}/"),
            ):
                page = latency(pages["trust"], path, max(5, n // 2), clients=4)
                size_kb = page["bytes"] / 1024
                add(
                    f"trust: {label}, 4 clients p95 (p50), size",
                    f"{fmt(page['p95'])} ({fmt(page['p50'])}), {size_kb:.0f} KB [{page['status']}]",
                    "p95 ≤ 150 ms, ≤ 150 KB",
                    page["p95"] <= 150 and size_kb <= 150,
                )
    finally:
        process.terminate()
        process.wait(timeout=30)
        AuthToken.objects.filter(user__username__in=["bench-regulator", "bench-trust"]).delete()

    if args.append:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM partnerships_delivery")
            deliveries = cursor.fetchone()[0]
        lines = [
            "",
            f"### {time.strftime('%Y-%m-%d %H:%M')} {args.label}".rstrip(),
            "",
            f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"Django {django.get_version()}, PostgreSQL {pg}, {deliveries:,} deliveries; "
            f"`{' '.join(sys.argv[1:]) or '(defaults)'}`",
            "",
            "| what | measured | target | |",
            "|---|---|---|---|",
            *(f"| {w} | {m} | {t} | {v} |" for w, m, t, v in rows),
        ]
        with open(args.append, "a") as handle:
            handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
