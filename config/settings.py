"""Settings read from the environment.

With no environment at all the project runs on embedded defaults: SQLite,
Celery tasks executed inline, a local-memory cache and DEBUG on. Set
DATABASE_URL, REDIS_URL and SECRET_KEY to switch to real services.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789"
# Fernet keys are 32 url-safe base64 bytes. The development key is public on
# purpose: anything encrypted with it must never hold real personal data.
DEV_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZCE="
DEV_BLIND_INDEX_KEY = "dev-only-blind-index-key"

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[DEV_FIELD_ENCRYPTION_KEY])
BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY", default=DEV_BLIND_INDEX_KEY)

if not DEBUG:
    # A production deployment that forgot its keys would silently encrypt
    # members' ID numbers with a key anyone can read in this file.
    if SECRET_KEY == DEV_SECRET_KEY:
        raise ImproperlyConfigured("DEBUG is off but SECRET_KEY is the development key.")
    if DEV_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured("DEBUG is off but FIELD_ENCRYPTION_KEYS holds the development key.")
    if BLIND_INDEX_KEY == DEV_BLIND_INDEX_KEY:
        raise ImproperlyConfigured("DEBUG is off but BLIND_INDEX_KEY is the development key.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "import_export",
    "auditlog",
    "axes",
    "pgtrigger",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "exports",
    "orgs",
    "members",
    "activities",
    "funds",
    "demands",
    "alliances",
    "people",
    "pairings",
    "dues",
    "venues",
    "surveys",
    "stats",
    "pages",
    "demo",
    "security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionTouchMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "security.middleware.OTPVerificationMiddleware",
    "security.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "pages.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a seed or import writes.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 30}
# Optional read replica: only the dashboards, their drill-downs and the .xlsx
# exports read from it (core.db_router); they may be seconds behind.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    # Tests read the primary's test database through this alias.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Level-3 protection asks for idle sessions to end: 30 minutes, renewed on use.
# The renewal is written at most once every SESSION_TOUCH_SECONDS
# (core.middleware.SessionTouchMiddleware), not on every request, so reading
# a page does not write to the database.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_TOUCH_SECONDS = env.int("SESSION_TOUCH_SECONDS", default=60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: 5 failures lock the account (not the IP: staff share NAT) for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "security.lockout.lockout_response"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Locking by username alone is deliberate: the account is what is protected,
# and street offices sit behind one NAT address, so an IP lock would shut a
# whole office out for one person's typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded files are sent only by views that check the scope. With a prefix
# such as "/protected/", those views answer with X-Accel-Redirect and nginx
# sends the bytes from an `internal` location over MEDIA_ROOT; empty, Django streams them.
PROTECTED_MEDIA_REDIRECT = env.str("PROTECTED_MEDIA_REDIRECT", default="")
# Uploaded files live on the local disk (MEDIA_ROOT) unless STORAGE_S3_BUCKET
# names a bucket of an S3-compatible object store (MinIO, Ceph, a cloud's
# OSS/COS/S3), which the web hosts and every worker then share. The code
# only uses the storage API (open, save, delete, exists), never a local path.
# Files leave the site only through the scoped views (core/files.py
# file_response), which stream them from the store: the bucket stays
# private and need not be reachable from browsers, and no download link
# outlives the permission check.
STORAGE_S3_BUCKET = env.str("STORAGE_S3_BUCKET", default="")
if STORAGE_S3_BUCKET:
    if PROTECTED_MEDIA_REDIRECT:
        raise ImproperlyConfigured(
            "PROTECTED_MEDIA_REDIRECT serves files from MEDIA_ROOT; with STORAGE_S3_BUCKET leave it empty."
        )
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            "endpoint_url": env.str("STORAGE_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("STORAGE_S3_REGION", default="") or None,
            "access_key": env.str("STORAGE_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("STORAGE_S3_SECRET_KEY", default="") or None,
            # A key prefix inside the bucket, so one bucket can serve several installations.
            "location": env.str("STORAGE_S3_PREFIX", default=""),
            # "path" for MinIO and most self-hosted stores; "virtual" for some clouds.
            "addressing_style": env.str("STORAGE_S3_ADDRESSING_STYLE", default="path"),
            "signature_version": "s3v4",
            "verify": env.bool("STORAGE_S3_VERIFY_TLS", default=True),
            # Names are random (core.files.random_file_name); never replace a file silently.
            "file_overwrite": False,
            # No ACL header (the bucket's own, private, policy applies) and
            # any URL the storage makes is signed and short-lived.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            # A file read back (a survey of 50 MB) spools to disk past this size.
            "max_memory_size": 5 * 1024 * 1024,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads: the survey import limit is its own setting; Django's in-memory
# threshold stays small so large files spool to disk.
SURVEY_MAX_UPLOAD_BYTES = env.int("SURVEY_MAX_UPLOAD_MB", default=50) * 1024 * 1024
# Activity attachments (photos, PDF): per-file limit, and the longest side
# photos are downscaled to before they are stored.
ACTIVITY_ATTACHMENT_MAX_BYTES = env.int("ACTIVITY_ATTACHMENT_MAX_MB", default=10) * 1024 * 1024
ACTIVITY_IMAGE_MAX_SIDE = env.int("ACTIVITY_IMAGE_MAX_SIDE", default=1600)
# An uploaded survey file (names, phone numbers) is deleted this many days
# after its upload; its SHA-256, the report and the rollback data stay.
SURVEY_FILE_RETENTION_DAYS = env.int("SURVEY_FILE_RETENTION_DAYS", default=180)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Celery: REDIS_URL feeds the broker; without it tasks run inline.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = False
# A long nightly run must outlive the broker's visibility timeout, or Redis
# redelivers it while it still runs.
# A publisher gives up on an unreachable broker after two quick retries
# (kombu's default waits about 6 s), so a page learns at once that the
# broker is down (core.jobs.send); a worker's own reconnection is Celery's.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 6 * 3600,
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# A page that queues a job learns within seconds that the broker is down (core.jobs.send).
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = 30
# Long jobs (DESIGN.md §11, core/jobs.py): soft time limits in seconds per
# task (the hard limit is a minute more); a job silent past its hard limit
# and this margin, or queued this long and never started, is failed by the
# sweeper, which beat runs every JOB_SWEEP_MINUTES.
JOB_TIME_LIMITS = {
    "default": env.int("JOB_SOFT_SECONDS", default=1800),
    "survey": env.int("SURVEY_JOB_SOFT_SECONDS", default=1800),
    "rollback": env.int("ROLLBACK_JOB_SOFT_SECONDS", default=900),
    "export": env.int("EXPORT_JOB_SOFT_SECONDS", default=900),
    # Each task of the nightly statistics (stats.tasks): a part, the final step.
    "stats": env.int("STATS_TASK_SOFT_SECONDS", default=3000),
}
JOB_SILENCE_MARGIN_SECONDS = env.int("JOB_SILENCE_MARGIN_SECONDS", default=300)
JOB_QUEUE_TIMEOUT_SECONDS = env.int("JOB_QUEUE_TIMEOUT_SECONDS", default=3600)
JOB_SWEEP_MINUTES = env.int("JOB_SWEEP_MINUTES", default=5)
# Exports (exports/): up to this many rows the page answers the .xlsx at
# once; more, and a task writes it and the page shows its progress. The
# finished file's download link lasts EXPORT_LINK_HOURS, then the file is deleted.
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", default=5000)
EXPORT_LINK_HOURS = env.int("EXPORT_LINK_HOURS", default=24)
# The nightly statistics fanned out: a district with more enterprises than
# this is cut into parts of at most that many by street (stats.parts).
STATS_PART_MAX_ENTERPRISES = env.int("STATS_PART_MAX_ENTERPRISES", default=20000)
CELERY_BEAT_SCHEDULE = {
    "nightly-ledger-check": {
        "task": "funds.tasks.verify_ledger_task",
        "schedule": crontab(hour=3, minute=30),
    },
    "sweep-stuck-jobs": {
        "task": "core.tasks.sweep_jobs_task",
        "schedule": timedelta(minutes=JOB_SWEEP_MINUTES),
    },
    "purge-survey-files": {
        "task": "surveys.tasks.purge_survey_files_task",
        "schedule": crontab(hour=4, minute=0),
    },
    "nightly-stats": {
        "task": "orgs.tasks.compute_stats_task",
        "schedule": crontab(hour=2, minute=0),
    },
    # 党费返还: the quarter just ended, early each night of a quarter's first
    # week (idempotent: a quarter already posted posts only late payments).
    "dues-rebates": {
        "task": "dues.tasks.post_dues_rebates_task",
        "schedule": crontab(hour=3, minute=0, day_of_month="1-7", month_of_year="1,4,7,10"),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "orgs.permissions.PolicyPermission"],
    "DEFAULT_PAGINATION_CLASS": "core.drf.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.drf.exception_handler",
    "DEFAULT_FILTER_BACKENDS": [
        "core.drf.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# API tokens (django-rest-knox): only a SHA-512 digest is stored. A token
# ends after the sessions' idle time without use (each use pushes its expiry
# on, written at most once every SESSION_TOUCH_SECONDS, as for sessions)
# and, however busy, API_TOKEN_TTL_HOURS after the password (and second
# factor) were checked; a refresh keeps that limit. `Authorization: Token
# <key>` as before.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=8)
REST_KNOX = {
    "TOKEN_TTL": timedelta(seconds=SESSION_COOKIE_AGE),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "MIN_REFRESH_INTERVAL": SESSION_TOUCH_SECONDS,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "两新组织党建工作管理 API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies list only what a client may write; responses, what it reads.
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "PREPROCESSING_HOOKS": ["core.drf.only_api_v1"],
    # Every operation lists its error answers (400/401/403/404/429) as JSON.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.drf.document_errors",
        "core.drf.document_text_parameters",
    ],
    # Several models have a `status`; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "BusinessStatusEnum": "orgs.models.BusinessStatus",
        "MemberStatusEnum": "members.models.Member.Status",
        "ActivityStatusEnum": "activities.models.Activity.Status",
        "ActivityTypeEnum": "activities.models.ActivityType",
        "AllianceStatusEnum": "alliances.models.Alliance.Status",
        "PairingKindEnum": "pairings.models.PairingKind",
        "VisitKindEnum": "pairings.models.Visit.Kind",
        "DemandCheckKindEnum": "demands.models.DemandCheck.Kind",
        "DemandLevelEnum": "demands.models.DemandProject.Level",
        "DemandStateEnum": "demands.models.DemandProject.State",
        "VenueKindEnum": "venues.models.Venue.Kind",
        "BookingStatusEnum": "venues.models.Booking.Status",
        "TrainingLevelEnum": "people.models.Training.Level",
        "PartyWorkerPostEnum": "people.models.PartyWorker.Post",
    },
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)

# Production hardening, on whenever DEBUG is off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): scripts and styles only from this
# site. Templates carry no inline script or style; the one <style> htmx
# injects for its request indicator is allowed by its hash, ECharts draws on
# canvas and sets styles through the DOM, which CSP does not restrict.
# (tests/test_security_headers.py recomputes it from the vendored htmx.)
HTMX_INDICATOR_STYLE_HASH = "'sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", HTMX_INDICATOR_STYLE_HASH],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Two-factor (django-otp TOTP), optional for district staff.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="两新党建")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

SITE_TITLE = _("两新组织党建工作管理平台")
DISTRICT_NAME = env.str("DISTRICT_NAME", default="沙河口区")
