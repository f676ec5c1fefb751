"""Settings for every environment, read from environment variables (see README.md).

`DJANGO_ENV=production` turns on the production rules: no debug, HTTPS-only cookies and HSTS,
and a start-up failure when SECRET_KEY is missing. Anything else is development, which runs on
SQLite and a file-based Celery broker when DATABASE_URL and CELERY_BROKER_URL are not set.
"""

import json
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from portal.env import env_bool, env_int, env_list, env_secret, env_str
from portal.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_str("DJANGO_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be development or production; got {ENVIRONMENT!r}")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on when DJANGO_ENV=production")

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set in production")
    SECRET_KEY = "development-only-key-never-used-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "portal.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "registry",
]

# The CSP middleware sits before WhiteNoise so static files (the hashing worker above all, whose
# own response headers decide what it may load) carry the policy too.
MIDDLEWARE = [
    "portal.observability.RequestMetricsMiddleware",
    "portal.middleware.StaffReferrerPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# SQLite when DATABASE_URL is unset, so `make run` works on a machine without PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_secret("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: our own (static/) and the generated Pyodide runtime with the hashing_wasm wheel
# (build/static/, made by `make assets`, never committed).
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
STATIC_ROOT = VAR_DIR / "staticfiles" if PRODUCTION else None  # dev serves from the finders
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not PRODUCTION
PYODIDE_VERSION = json.loads((BASE_DIR / "package.json").read_text())["dependencies"]["pyodide"]


def _immutable_static(path: str, url: str) -> bool:
    """Pyodide's own files live in a folder named after its version: cache them for good."""
    name = url.rsplit("/", 1)[-1]
    return f"/pyodide/{PYODIDE_VERSION}/" in url and name.startswith(("pyodide.", "python_stdlib"))


WHITENOISE_IMMUTABLE_FILE_TEST = _immutable_static

# Security headers on every response, static files included (reliability.md R20).
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.WASM_UNSAFE_EVAL],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "img-src": [CSP.SELF, "blob:", "data:"],
    # The hashing reads video frames from a <video> playing a blob: URL of the person's own file.
    "media-src": [CSP.SELF, "blob:"],
    "style-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Request bodies: the submission API takes small JSON documents only.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

REST_FRAMEWORK = {
    "DEFAULT_PARSER_CLASSES": ["registry.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "registry.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hash registry API",
    "DESCRIPTION": (
        "Public endpoints for the Get Started page (anonymous, JSON only) and partner endpoints "
        "(an API key in `Authorization: Bearer <key>`) to pull, export, match and give feedback."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SignalTypeEnum": "registry.models.Signal.SignalType",
        "VerdictEnum": "registry.models.Verdict.Kind",
        "MediaTypeEnum": "registry.models.Signal.MediaType",
    },
}

# Redis: rate limits and (when CELERY_BROKER_URL points at it) the Celery broker.
REDIS_URL = env_secret("REDIS_URL", "redis://127.0.0.1:6379/0")

# Anonymous clients' limits, (requests, seconds), counted per client in Redis (registry/api/throttles.py).
RATE_LIMITS = {
    "submit": (env_int("RATE_LIMIT_SUBMIT_PER_HOUR", 30), 3600),
    "case_access": (env_int("RATE_LIMIT_CASE_ACCESS_PER_HOUR", 60), 3600),
}
RATE_LIMIT_KEY_PREFIX = env_str("RATE_LIMIT_KEY_PREFIX", "rl")
# How many proxies of ours add to X-Forwarded-For; 0 trusts the connection's address only.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Celery: a broker that needs no server when CELERY_BROKER_URL is unset (kombu's filesystem
# transport), so `make run` works anywhere. Reliability settings per reliability.md.
CELERY_BROKER_URL = env_secret("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "celery"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300  # well below the broker's one-hour visibility timeout
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "purge-withdrawn-values": {
        "task": "registry.tasks.purge_withdrawn_values",
        "schedule": 6 * 3600,
    },
    "purge-old-audit": {"task": "registry.tasks.purge_old_audit", "schedule": 24 * 3600},
    # Finds partner webhooks that are behind and due, and queues their delivery (registry/webhooks.py).
    "sweep-webhooks": {
        "task": "registry.tasks.sweep_webhooks",
        "schedule": float(env_int("WEBHOOK_SWEEP_SECONDS", 2)),
        "options": {"expires": 10},
    },
}

# Webhooks to partners (registry/webhooks.py, reliability.md R1-R7). Delays between attempts of
# one batch after each failure: the Standard Webhooks example (5 s ... 24 h, the 10th attempt
# about 75.6 h after the first), then every 24 h until the endpoint has failed for 5 days.
WEBHOOK_RETRY_DELAYS = [
    int(seconds)
    for seconds in env_list(
        "WEBHOOK_RETRY_DELAYS",
        ["5", "300", "1800", "7200", "18000", "36000", "50400", "72000", "86400"],
    )
]
WEBHOOK_RETRY_JITTER = 0.1  # each delay is stretched or shrunk by up to 10 %
WEBHOOK_DISABLE_AFTER_SECONDS = env_int("WEBHOOK_DISABLE_AFTER_SECONDS", 5 * 24 * 3600)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 15)
# A delivery holds its endpoint this long; a worker that dies mid-delivery frees it when it ends.
# Must exceed the timeout, and stay far below the broker's visibility timeout.
WEBHOOK_LEASE_SECONDS = env_int("WEBHOOK_LEASE_SECONDS", 60)
WEBHOOK_BATCH_SIZE = 100
WEBHOOK_SECRET_OVERLAP_HOURS = env_int("WEBHOOK_SECRET_OVERLAP_HOURS", 24)
# Only tests that run a receiver on 127.0.0.1 turn this on; production refuses to start with it.
WEBHOOK_ALLOW_LOOPBACK = env_bool("WEBHOOK_ALLOW_LOOPBACK", default=False)
if PRODUCTION and WEBHOOK_ALLOW_LOOPBACK:
    raise ImproperlyConfigured("WEBHOOK_ALLOW_LOOPBACK cannot be on when DJANGO_ENV=production")
if WEBHOOK_LEASE_SECONDS <= WEBHOOK_TIMEOUT_SECONDS:
    raise ImproperlyConfigured("WEBHOOK_LEASE_SECONDS must be longer than WEBHOOK_TIMEOUT_SECONDS")

# Staff sign in with a TOTP code; authenticator apps show this name beside the code.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Hash registry")
# Who is told when something needs a person (an endpoint disabled after days of failures).
ADMINS = [(address, address) for address in env_list("ADMINS", [])]
SERVER_EMAIL = env_str("SERVER_EMAIL", "registry@localhost")
MAILERS = {
    "default": {
        "BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {"host": env_str("EMAIL_HOST", "localhost"), "port": env_int("EMAIL_PORT", 25)},
    }
}

# Categories whose new hashes wait for a moderator before partners receive them (e.g. "adult").
HOLD_FOR_REVIEW_CATEGORIES = env_list("HOLD_FOR_REVIEW_CATEGORIES", [])

# How long a withdrawn hash's value is kept so partners can still match tombstones to it.
TOMBSTONE_RETENTION_DAYS = env_int("TOMBSTONE_RETENTION_DAYS", 90)
# How long audit rows are kept (0: for ever).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730)

# Logs: one JSON object per line on stderr. Nothing personal (no IP address, user agent, query
# string, hash value, access code or API key) is passed to a logger by our code, and the filter
# strips what Django attaches by itself (portal/logging.py). LOG_FORMAT=plain for reading by eye.
LOGGING = logging_config(
    level=env_str("LOG_LEVEL", "INFO"),
    formatter=env_str("LOG_FORMAT", "json"),
    loggers={"django.server": "INFO"},
)

# /metrics wants `Authorization: Bearer <METRICS_TOKEN>` when this is set (portal/observability.py).
METRICS_TOKEN = env_secret("METRICS_TOKEN")
