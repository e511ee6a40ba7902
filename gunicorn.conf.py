"""gunicorn's settings for production and the benchmark (``gunicorn -c gunicorn.conf.py buddying.wsgi``).

Threaded workers (``gthread``): the worker's main loop keeps telling the arbiter it is alive while
a request runs in a thread, so a CSV export that streams for minutes is not killed at ``timeout``
(a ``sync`` worker is, after 30 s, leaving the client a truncated file with status 200). The
timeout still catches a worker that hangs. Every value can be set from the environment.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
