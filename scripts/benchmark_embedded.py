"""The embedded default (issue 15): every page on SQLite with the demo data, timed in-process.

Run by hand after ``make demo-data`` (which fills ``db.sqlite3``), never in CI. Signs in as each demo
user in turn, walks every page reachable by links from the home page (GET only; not the API, the
admin, downloads or sign-out), requests each ``--requests`` times and prints the slowest pages and
the overall figures. The target is "well under a second" for every page.

    .venv/bin/python scripts/benchmark_embedded.py [--requests 3] [--limit 400] [--append BENCHMARKS.md]
"""

import argparse
import os
import platform
import re
import statistics
import sys
import time
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.pop("DATABASE_URL", None)  # the embedded default: SQLite in db.sqlite3
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buddying.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from partnerships.management.commands.seed_demo import DEMO_USERS  # noqa: E402

SKIP = re.compile(
    r"^/(api|admin|static|assets|sign-out|media)/|format=(csv|xlsx|pdf)|/download|\.(pdf|xlsx|csv)$"
)
LINK = re.compile(r'href="(/[^"]*)"')


def _links(html: str) -> list[str]:
    found = []
    for raw in LINK.findall(html):
        url = urldefrag(raw.replace("&amp;", "&"))[0]
        if url and not SKIP.search(url):
            found.append(url)
    return found


def _walk(client: Client, limit: int) -> dict[str, float]:
    """Every page reachable from the home page (at most ``limit``), with its first time."""
    seen, times, queue = {"/"}, {}, deque(["/"])
    while queue and len(times) < limit:
        url = queue.popleft()
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        times[url] = elapsed
        for link in _links(response.content.decode()):
            path = urlsplit(link).path
            # Sorting and filtering variants of one list: the first few are enough.
            variants = sum(1 for seen_url in seen if urlsplit(seen_url).path == path)
            if link not in seen and variants < 3:
                seen.add(link)
                queue.append(link)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3, help="requests per page")
    parser.add_argument("--limit", type=int, default=400, help="pages per demo user at most")
    parser.add_argument("--append", help="append the summary to this Markdown file")
    args = parser.parse_args()
    assert connection.vendor == "sqlite", "the embedded default is SQLite: unset DATABASE_URL"

    from django.contrib.auth import get_user_model

    rows = []
    for demo in DEMO_USERS:
        user = get_user_model().objects.filter(username=demo.username).first()
        if user is None:
            print(f"{demo.username}: not found; run make demo-data first", file=sys.stderr)
            return 1
        client = Client()
        client.force_login(user)
        pages = _walk(client, args.limit)
        for url in pages:
            runs = []
            for _ in range(args.requests):
                started = time.perf_counter()
                client.get(url)
                runs.append(time.perf_counter() - started)
            rows.append((demo.username, url, statistics.median(runs), max(runs)))
        print(f"{demo.username}: {len(pages)} pages", file=sys.stderr)

    rows.sort(key=lambda row: row[3], reverse=True)
    medians = [row[2] for row in rows]
    lines = [
        f"Embedded default: {len(rows)} pages (every page reachable from each demo user's home),"
        f" {args.requests} requests each, SQLite, DEBUG={settings.DEBUG},"
        f" Python {platform.python_version()}, Django {django.get_version()}, {platform.node()}.",
        "",
        f"Median of the pages' medians {statistics.median(medians) * 1000:.0f} ms; "
        f"slowest single request {rows[0][3] * 1000:.0f} ms.",
        "",
        "| slowest pages | user | median | max |",
        "|---|---|---|---|",
        *(
            f"| `{url}` | {who} | {median * 1000:.0f} ms | {worst * 1000:.0f} ms |"
            for who, url, median, worst in rows[:10]
        ),
    ]
    text = "\n".join(lines)
    print(text)
    if args.append:
        with open(args.append, "a") as markdown:
            markdown.write("\n" + text + "\n")
    return 0 if rows[0][3] < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
