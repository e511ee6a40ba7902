"""Apply every migration to an empty database, then check the models need no new migration.

On PostgreSQL (DATABASE_URL) a scratch database is created beside the configured one and dropped
afterwards; otherwise a temporary SQLite file is used. Run by `make check` (so by CI).
"""

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    env = dict(os.environ)
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg2

        parts = urlsplit(url)
        scratch = f"buddying_migrations_{uuid.uuid4().hex[:8]}"
        admin = urlunsplit(parts._replace(path="/postgres"))
        connection = psycopg2.connect(admin)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{scratch}"')
        try:
            env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{scratch}"))
            manage("migrate", "--noinput", "-v", "0", env=env)
            manage("makemigrations", "--check", "--dry-run", env=env)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            connection.close()
        print(f"Migrations apply to an empty PostgreSQL database ({scratch}, now dropped).")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        env["DATABASE_URL"] = f"sqlite:///{folder}/empty.sqlite3"
        manage("migrate", "--noinput", "-v", "0", env=env)
        manage("makemigrations", "--check", "--dry-run", env=env)
    print("Migrations apply to an empty SQLite database.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
