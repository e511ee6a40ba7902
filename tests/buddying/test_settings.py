"""Settings come from the environment, with no insecure default once DEBUG is off."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings(**env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="buddying.settings")
    code = "from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_debug_is_off_unless_the_environment_turns_it_on():
    result = _settings(SECRET_KEY="x" * 50, ALLOWED_HOSTS="buddying.example.nhs.uk")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert _settings(DEBUG="true").stdout.strip() == "True"


def test_with_debug_off_and_no_secret_key_start_up_fails():
    result = _settings(ALLOWED_HOSTS="buddying.example.nhs.uk")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_with_debug_off_and_no_allowed_hosts_start_up_fails():
    result = _settings(SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when DEBUG is off" in result.stderr


def test_cache_url_gives_every_process_one_cache_for_the_throttles():
    code = (
        "from django.conf import settings; c = settings.CACHES; "
        "print(c['default']['BACKEND'], c['default'].get('LOCATION'), 'shared' in c)"
    )
    environment = {key: value for key, value in os.environ.items() if key != "CACHE_URL"}
    environment.update(
        DEBUG="true",
        CACHE_URL="redis://127.0.0.1:6379/15",
        DJANGO_SETTINGS_MODULE="buddying.settings",
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/15",
        "True",
    ]
