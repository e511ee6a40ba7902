"""Settings for Buddying, read from the environment.

The defaults run the product on one machine with nothing else installed (SQLite, a filesystem
broker, email to the console). Production sets ``DEBUG=false`` and must then provide a real
``SECRET_KEY`` and ``ALLOWED_HOSTS``; start-up fails rather than run with an insecure default.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless the environment turns it on (`make run` and the Procfile do, for the embedded run).
DEBUG = envbool("DEBUG", False)

_INSECURE_DEV_KEY = "django-insecure-buddying-local-development-only"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _INSECURE_DEV_KEY

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "buddying",
    "partnerships",
    "partnerships.commitments",
    "partnerships.secondments",
    "partnerships.reviews",
    "risks",
    "risks.agreements",
    "buddying.sync",
    "buddying.tokens",
    "buddying.dashboard",
    "buddying.reports",
    "buddying.notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "buddying.common.middleware.StateConflictMiddleware",
    "csp.middleware.CSPMiddleware",
    "buddying.middleware.SessionLimitMiddleware",
    "buddying.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "buddying.urls"
WSGI_APPLICATION = "buddying.wsgi.application"

TEMPLATES = [
    {
        # Pages: Jinja2 with NHS England's nhsuk-frontend-jinja macros (DESIGN §8).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "buddying.common.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "buddying.context_processors.account",
                "buddying.notifications.context_processors.unread_notifications",
            ],
        },
    },
    {
        # The admin site and DRF's browsable pages keep the Django template language.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
    )
}
# PostgreSQL's JIT compiler costs more than it saves on this application's queries: at national
# scale it spent 1.2-2.7 s compiling the heavier list queries that run in 0.2 s without it
# (issue 15). Off for every connection unless DB_JIT=true.
if "postgresql" in DATABASES["default"]["ENGINE"] and not envbool("DB_JIT", False):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a sign-in while the account or the address is locked out, before
# any password is checked. It has no ``get_user``, so ``force_login`` in tests passes it by.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The NHS.UK frontend comes from its npm package (DESIGN §8), served beside our own files.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
    # The type-ahead that organisation fields get when JavaScript runs (GOV.UK's, used by NHS.UK).
    (
        "accessible-autocomplete",
        BASE_DIR / "node_modules" / "accessible-autocomplete" / "dist",
    ),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Security: strict by default once DEBUG is off (manage.py check --deploy is clean).
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Caches: throttling counts requests here, so production runs with a cache every process shares
# (CACHE_URL, e.g. redis://host:6379/1, a different database from the broker's).
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# How many proxies in front of the application append to X-Forwarded-For. With none, the client's
# address is REMOTE_ADDR; behind one load balancer, 1. Used by the lockout and the API throttles.
NUM_PROXIES = envint("NUM_PROXIES", 0)

# Sign-in lockout (django-axes): too many failed sign-ins lock out the account and the address, on
# the sign-in page and the admin site alike, until the cool-off has passed.
AXES_FAILURE_LIMIT = envint("SIGN_IN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("SIGN_IN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own
AXES_LOCKOUT_CALLABLE = "buddying.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "buddying.authentication.client_ip"
AXES_RESET_ON_SUCCESS = True

# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after signing in
# whatever happens (buddying.middleware.SessionLimitMiddleware).
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_MAX_AGE = envint("SESSION_MAX_HOURS", 12) * 60 * 60

# Content Security Policy (django-csp): nothing inline. The one inline script, NHS.UK's template
# marking the body as JavaScript-enabled, carries the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # NHS.UK frontend's stylesheet loads the Frutiger typeface from the NHS.UK asset server.
        "font-src": [SELF, "https://assets.nhs.uk"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Email: the console in the embedded run, SMTP in production.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Buddying <noreply@buddying.nhs.uk>")
# GOV.UK Notify, as NHS services send email: EMAIL_BACKEND=buddying.notifications.notify.
# NotifyEmailBackend with an API key and the id of the template described in the README.
GOVUK_NOTIFY_API_KEY = os.environ.get("GOVUK_NOTIFY_API_KEY", "")
GOVUK_NOTIFY_TEMPLATE_ID = os.environ.get("GOVUK_NOTIFY_TEMPLATE_ID", "")
# Where the links in emails point (the digest is sent by a worker, which has no request): by
# default the first allowed host, over HTTPS once DEBUG is off.
SITE_URL = os.environ.get("SITE_URL") or (
    "http://localhost:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
)

# REST API (DESIGN §6)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "buddying.authentication.TokenAuthentication",  # knox; a key that is not text is a 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "buddying.tokens.permissions.TokenMayWrite",  # a read-only token is refused writes
        "partnerships.api.permissions.FollowsAccessPolicy",
    ],
    "DEFAULT_PAGINATION_CLASS": "buddying.common.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Bounded: too large, too deep, lone surrogates and control characters are a 400.
    "DEFAULT_PARSER_CLASSES": [
        "buddying.common.parsers.JSONParser",
        "buddying.common.parsers.FormParser",
        "buddying.common.parsers.MultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "buddying.common.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per token or signed-in user, and per address for anonymous requests: 429 with Retry-After
    # once over the rate. Failed tokens are counted per address by buddying.authentication.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_THROTTLE_USER", "2000/hour"),
        "anon": os.environ.get("API_THROTTLE_ANON", "100/hour"),
        "failed_token": os.environ.get("API_THROTTLE_FAILED_TOKEN", "10/hour"),
    },
    "NUM_PROXIES": NUM_PROXIES,
}
# Cursor pages leave rows changed in the last N seconds for a later page, so a change whose
# transaction is still committing is never passed over (longer than a request may run).
API_SYNC_SETTLE_SECONDS = envint("API_SYNC_SETTLE_SECONDS", 30)
# API tokens: stored hashed by django-rest-knox, sent as "Authorization: Token <key>".
API_TOKEN_DEFAULT_DAYS = envint("API_TOKEN_DEFAULT_DAYS", 90)
# Named so migrations can refer to knox's (swappable) token model.
KNOX_TOKEN_MODEL = "knox.AuthToken"  # noqa: S105 - a model name, not a secret
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": timedelta(days=API_TOKEN_DEFAULT_DAYS),
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Buddying API",
    "DESCRIPTION": "Read and manage NHS buddying partnerships. Regulators read everything.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The API is documented as JSON (DESIGN §6); forms are accepted but not promised.
    "PARSER_WHITELIST": ["buddying.common.parsers.JSONParser"],
    # Enums first (their names), then every operation's error answers (buddying.common.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "buddying.common.schema.add_error_responses",
    ],
    # One schema name per choice set, so clients get stable enum names.
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "partnerships.choices.OrganisationKind",
        "PartnershipKindEnum": "partnerships.choices.PartnershipKind",
        "PartnershipStatusEnum": "partnerships.choices.PartnershipStatus",
        "ClosureOutcomeEnum": "partnerships.choices.ClosureOutcome",
        "PartyRoleEnum": "partnerships.choices.PartyRole",
        "RoleEnum": "partnerships.choices.Role",
        "CqcRatingEnum": "partnerships.choices.CqcRating",
        "FundingSourceEnum": "partnerships.choices.FundingSource",
        "CommitmentCategoryEnum": "partnerships.commitments.choices.CommitmentCategory",
        "CommitmentUnitEnum": "partnerships.commitments.choices.CommitmentUnit",
        "RagEnum": "partnerships.choices.Rag",
        "DeliveryStaffGroupEnum": "partnerships.choices.DeliveryStaffGroup",
        "PayBandEnum": "partnerships.secondments.choices.PayBand",
        "SecondmentStatusEnum": "partnerships.secondments.choices.SecondmentStatus",
        "RiskCategoryEnum": "risks.choices.RiskCategory",
        "RiskBandEnum": "risks.choices.RiskBand",
        "RiskStatusEnum": "risks.choices.RiskStatus",
        "ReviewFrequencyEnum": "risks.choices.ReviewFrequency",
        "ActionStatusEnum": "risks.choices.ActionStatus",
        "AppetiteLevelEnum": "risks.choices.AppetiteLevel",
        "AgreementStatusEnum": "risks.agreements.choices.AgreementStatus",
        "DisputeStatusEnum": "risks.agreements.choices.DisputeStatus",
        "ReviewKindEnum": "partnerships.reviews.choices.ReviewKind",
        "ReviewStatusEnum": "partnerships.reviews.choices.ReviewStatus",
        "ReviewRagEnum": "partnerships.reviews.choices.ReviewRag",
        "LearningDirectionEnum": "partnerships.reviews.choices.LearningDirection",
        "LearningThemeEnum": "partnerships.reviews.choices.LearningTheme",
        "ReportKindEnum": "buddying.reports.choices.ReportKind",
        "ReportStatusEnum": "buddying.reports.choices.ReportStatus",
    },
}

# Celery (DESIGN §7): Redis in production and CI; the filesystem transport needs no service.
REDIS_URL = os.environ.get("REDIS_URL", "")
BROKER_DIR = Path(os.environ.get("BROKER_DIR", BASE_DIR / ".broker"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Redis hands an unacknowledged message to another worker after this long. With late acks a
    # task still running then would run twice, so it must exceed CELERY_TASK_TIME_LIMIT (and any
    # countdown or ETA a task is sent with).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    # The filesystem transport expects its folders to exist; every process creates them if needed.
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 15 * 60  # below the Redis visibility timeout above
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# Tasks are idempotent (a reminder is sent once per item and due date, however often it runs), so
# a task is acknowledged only once it has finished, and requeued if its worker process dies: a
# lost worker loses nothing. A task that must not run twice says so with acks_late=False.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True  # they will be redelivered
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(BROKER_DIR / "celerybeat-schedule")
# Beat's usual scheduler, which also notes when it last sent a task (reported by /healthz).
CELERY_BEAT_SCHEDULER = "buddying.celery:BeatScheduler"
# Every scheduled job, in one place (DESIGN §4).
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "buddying.tasks.heartbeat",
        "schedule": crontab(minute="*/15"),
    },
    # Summary reports (Europe/London, CELERY_TIMEZONE): the weekly partnership summaries on
    # Monday at 07:30; the monthly portfolios and system-wide summary on the first working day
    # of the month — beat cannot say "first working day", so it asks on each of the first seven
    # days and the task builds only on the first working one.
    "reports-weekly": {
        "task": "buddying.reports.tasks.schedule_weekly_reports",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    "reports-monthly": {
        "task": "buddying.reports.tasks.schedule_monthly_reports",
        "schedule": crontab(hour=7, minute=30, day_of_month="1-7"),
    },
    # A report left "running" past its lease by a dead worker is queued again (or failed).
    "reports-stalled": {
        "task": "buddying.reports.tasks.requeue_stalled_reports",
        "schedule": crontab(minute="*/10"),
    },
    # One digest per person per day (buddying.notifications); CELERY_TIMEZONE is Europe/London.
    "daily-reminders": {
        "task": "buddying.notifications.tasks.daily_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
}

# The Celery heartbeats, where the web, the worker and beat all read and write them: Redis when
# REDIS_URL is set, else a database table (`manage.py createcachetable`; tests make their own).
if REDIS_URL:
    _HEARTBEAT_CACHE = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "buddying",
        # A health check must not hang on a vanished Redis.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
else:
    _HEARTBEAT_CACHE = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "buddying_heartbeat_cache",
    }
# "shared" is the same store, for anything else every process must agree on (e.g. that an "Add
# risk" is being handled). "default" stays as set above (CACHE_URL, or this process's memory).
CACHES["heartbeat"] = _HEARTBEAT_CACHE
CACHES["shared"] = _HEARTBEAT_CACHE

# Every line once: Django's own default gives the "django" logger a console handler of its own
# (with DEBUG on) on top of the root's, and Celery's worker replaces the root's handler but not
# that one, so each django.* line was written twice. Here "django" has no handler and propagates
# to the root, the one place lines are written (runserver's access lines keep Django's own
# "django.server" handler, which does not propagate). A 4xx is logged as one line, no traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_errors_without_traceback": {
            "()": "buddying.common.logfilters.ClientErrorsWithoutTraceback"
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.request": {"filters": ["client_errors_without_traceback"], "propagate": True},
    },
}
