"""Settings for scripts/benchmark_national.py: the product's settings plus the plain twins' URLs.

Never used by the product; the benchmark puts ``scripts/`` on the path and points
``DJANGO_SETTINGS_MODULE`` here, so gunicorn serves the real product with ``/bench/values/<list>/``
beside it.
"""

from buddying.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
