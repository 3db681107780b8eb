"""One settings file, driven by the environment (the README names the variables).

Every default makes a fresh clone work with no server: SQLite, a filesystem Celery broker
and a database outbox for email. Production sets the variables and gets PostgreSQL,
Redis or RabbitMQ and SMTP; it refuses to start without a secret key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from email.utils import formataddr, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from lifecycle.lib.brokers import filesystem_broker_options

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # local state of the embedded defaults (git-ignored)

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
# Old keys keep signed links (survey answers, unsubscribes) valid across a rotation.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if urlsplit(SITE_URL).scheme not in ("http", "https") or not urlsplit(SITE_URL).netloc:
    raise ImproperlyConfigured(f"SITE_URL must be an absolute http(s) URL, got {SITE_URL!r}.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    # Only for its table: lifecycle/staff/migrations/0004 moves the old plaintext keys to knox.
    "rest_framework.authtoken",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "anymail",
    "lifecycle.staff",
    "lifecycle.ops",
    "lifecycle.outbox",
    "lifecycle.metrics",
    "accounts",
    "surveys",
    "campaigns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lifecycle.lib.nul.NulFreeQueryMiddleware",
    "lifecycle.lib.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lifecycle.staff.middleware.AdminTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lifecycle.urls"
WSGI_APPLICATION = "lifecycle.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lifecycle.staff.context_processors.navigation",
                "lifecycle.staff.context_processors.site",
            ],
            "libraries": {"display": "lifecycle.lib.display_tags"},
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # docs/architecture.md, "SQLite": without IMMEDIATE transactions and a long busy timeout a third
    # of requests fail with "database is locked" once a worker and beat share the file.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
    # A file, not :memory:, so that a real worker process in the tests sees the same data;
    # one per test run so that two runs side by side never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Measured (bench/metrics_scale.py): JIT compiles every metrics query anew and costs
        # 0.2-0.3 s each, more than it saves. DATABASE_URL's own options win.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits and the API's throttles count in this cache: deployed, every process must share
# it (Redis), and a system check (lifecycle.E001) refuses to start on a per-process one.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# --- Auth -------------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username or address is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password guessing on /login/ and /admin/login/ (docs/security.md, "Sign-in protection"):
# after LOGIN_FAILURE_LIMIT failures for a username, or LOGIN_ADDRESS_FAILURE_LIMIT from an
# address (people behind one address share it), sign-in is refused for
# LOGIN_COOLOFF_MINUTES, or until an Admin unlocks it.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
if not 1 <= AXES_FAILURE_LIMIT <= LOGIN_ADDRESS_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "LOGIN_ADDRESS_FAILURE_LIMIT must be at least LOGIN_FAILURE_LIMIT, which must be "
        f"at least 1; got {LOGIN_ADDRESS_FAILURE_LIMIT} and {AXES_FAILURE_LIMIT}."
    )
AXES_HANDLER = "lifecycle.staff.lockout.AddressTolerantHandler"
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# An IPv6 client counts by its /64, like the public pages' rate limits.
AXES_CLIENT_IP_CALLABLE = "lifecycle.lib.client_address.client_network"
AXES_LOCKOUT_CALLABLE = "lifecycle.staff.views.locked_out"
# Not axes' own reset on success: it forgets every failure from the address too, so a user
# could guess at others' passwords between their own sign-ins (lifecycle/staff/views.py).
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False  # lockouts are still logged, without a banner on every command
# TOTP two-factor sign-in for the Admin role; off until an operator turns it on.
ADMIN_TWO_FACTOR = env.bool("ADMIN_TWO_FACTOR", default=False)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Every filter's empty choice reads the same on every page.
FILTERS_EMPTY_CHOICE_LABEL = _("All")
# One date style per kind and language (lifecycle/formats/); Django's numbers otherwise.
FORMAT_MODULE_PATH = ["lifecycle.formats"]
# The ISO 4217 code of the currency MRR is in, shown with its symbol everywhere money is.
CURRENCY = env.str("CURRENCY", default="USD").strip().upper()
if not re.fullmatch(r"[A-Z]{3}", CURRENCY):
    raise ImproperlyConfigured(f"CURRENCY must be an ISO 4217 code such as USD, got {CURRENCY!r}.")

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Chart.js comes from the npm registry (package-lock.json pins it), never from a CDN.
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Email --------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="lifecycle.outbox.backends.OutboxBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Who the customers hear from (docs/operations.md, "Branding"): the company's name on every
# email and public page, its logo when there is one, its postal address in email footers
# (anti-spam laws such as CAN-SPAM ask for one), and the sender's name.
COMPANY_NAME = env.str("COMPANY_NAME", default="Lifecycle").strip() or "Lifecycle"
COMPANY_LOGO_URL = env.str("COMPANY_LOGO_URL", default="").strip()
if COMPANY_LOGO_URL and (
    urlsplit(COMPANY_LOGO_URL).scheme not in ("http", "https")
    or not urlsplit(COMPANY_LOGO_URL).netloc
):
    raise ImproperlyConfigured(
        f"COMPANY_LOGO_URL must be an absolute http(s) URL, got {COMPANY_LOGO_URL!r}."
    )
COMPANY_ADDRESS = env.str("COMPANY_ADDRESS", default="").strip()
OTP_TOTP_ISSUER = COMPANY_NAME  # the name authenticator apps show beside the code
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default=formataddr((COMPANY_NAME, "noreply@localhost"))
)
if not parseaddr(DEFAULT_FROM_EMAIL)[0]:  # a bare address: customers see the company's name
    DEFAULT_FROM_EMAIL = formataddr((COMPANY_NAME, parseaddr(DEFAULT_FROM_EMAIL)[1]))
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The mailto: half of List-Unsubscribe (RFC 2369); route it to whoever handles unsubscribes.
UNSUBSCRIBE_MAILTO = env.str(
    "UNSUBSCRIBE_MAILTO", default=f"unsubscribe@{parseaddr(DEFAULT_FROM_EMAIL)[1].split('@')[-1]}"
)

# The right-hand side of each Message-ID; Django's default is the machine's host name.
EMAIL_MESSAGE_DOMAIN = env.str(
    "EMAIL_MESSAGE_DOMAIN", default=urlsplit(SITE_URL).hostname or "localhost"
)

# --- Campaigns and surveys ------------------------------------------------------------------
# No survey of any kind to the same contact within this many days (survey fatigue).
SURVEY_FATIGUE_DAYS = env.int("SURVEY_FATIGUE_DAYS", default=30)
# Messages per send task; each task reuses one SMTP connection for its chunk.
CAMPAIGN_SEND_CHUNK = env.int("CAMPAIGN_SEND_CHUNK", default=50)
# A message claimed longer ago than this was caught by a crash mid-send: it goes to review.
# Each message is claimed just before its own send, which EMAIL_TIMEOUT bounds, and this is
# longer than CELERY_TASK_TIME_LIMIT too (which only the prefork pool enforces), so a live
# send is never mistaken for a dead one.
CAMPAIGN_CLAIM_TIMEOUT = env.int("CAMPAIGN_CLAIM_TIMEOUT", default=900)
# The frequency cap: at most this many emails to one contact within this many days, across
# every campaign and survey (notifications to staff and admins' tests do not count).
FREQUENCY_CAP_EMAILS = env.int("FREQUENCY_CAP_EMAILS", default=3)
FREQUENCY_CAP_DAYS = env.int("FREQUENCY_CAP_DAYS", default=7)
# Email providers' tracking webhooks (/anymail/<provider>/tracking/, docs/operations.md).
# Every ANYMAIL_<NAME> variable becomes django-anymail's <NAME> setting
# (ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY...). The webhooks take HTTP basic auth with
# ANYMAIL_WEBHOOK_SECRET ("user:password"); unset, a secret nobody knows is used, so they
# refuse every request until an operator sets one and gives it to the provider.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): {"true": True, "false": False}.get(value.lower(), value)
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_") and value
}
ANYMAIL["WEBHOOK_SECRET"] = ANYMAIL.get("WEBHOOK_SECRET") or (
    "unset:" + hashlib.sha256(f"anymail-webhooks:{SECRET_KEY}".encode()).hexdigest()
)
# The providers whose webhook is mounted: by default those that need nothing but the basic
# auth secret. Mailgun, Amazon SES, Postal, MailerSend, Mandrill and Unisender Go also need
# their signing key (or boto3): add them here once it is set. (anymail no longer supports
# SendGrid.)
EMAIL_PROVIDER_WEBHOOKS = env.list(
    "EMAIL_PROVIDER_WEBHOOKS",
    default=[
        "brevo",
        "mailjet",
        "mailtrap",
        "postmark",
        "resend",
        "sparkpost",
    ],
)
# The public review page (G2, Capterra, Google...) the default review-request campaign links
# to after migrate; empty until set, and admin asks for it (the campaign sends nothing).
REVIEW_URL = env.str("REVIEW_URL", default="")
if REVIEW_URL and urlsplit(REVIEW_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured(f"REVIEW_URL must be an http(s) URL, got {REVIEW_URL!r}.")
# The alert to the account owner about a bad answer waits this long for the customer's
# comment (it goes as soon as the comment comes); 0 sends it at once.
OWNER_ALERT_DELAY_MINUTES = env.int("OWNER_ALERT_DELAY_MINUTES", default=10)
if OWNER_ALERT_DELAY_MINUTES < 0:
    raise ImproperlyConfigured(
        f"OWNER_ALERT_DELAY_MINUTES must be 0 or more, got {OWNER_ALERT_DELAY_MINUTES}."
    )

# --- Celery -------------------------------------------------------------------------------
# With a host named, kombu does not warn "No hostname was supplied" on every connection.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR / "celery")
    # kombu's filesystem transport creates an exchange file before locking it, so two
    # workers starting together can read it empty and crash (seen in CI). Remote control
    # (inspect, ping) binds such a file in every worker; nothing here uses it.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    # Redis redelivers a task not acknowledged within the visibility timeout: keep it
    # far longer than the longest task (the hard time limit below).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = False  # never re-run an email task that died mid-send
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
DJANGO_CELERY_BEAT_TZ_AWARE = True

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Hashed, expiring tokens (django-rest-knox), sent as "Authorization: Token KEY".
        "lifecycle.staff.api_tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["lifecycle.staff.permissions.RoleModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # DRF's JSON parser, refusing deep nesting and lone surrogates with a 400 (not a 500).
    "DEFAULT_PARSER_CLASSES": [
        "lifecycle.lib.json_parsing.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["lifecycle.lib.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.str("API_RATE_LIMIT", default="6000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lifecycle CRM API",
    "DESCRIPTION": "Customer accounts, contacts, subscriptions and retention metrics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["lifecycle.staff.permissions.HasStaffRole"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation's error answers (400, 401, 403, 404, 415, 429), declared once.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "lifecycle.lib.openapi.declare_error_responses",
    ],
}
# API tokens (lifecycle/staff/api_tokens.py): only a hash is stored, and each expires this
# many days after it is issued (a quarter: an integration rotates its key four times a year,
# and a leaked key stops working within three months). Using it never extends it: a stolen key
# in daily use would otherwise live forever.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
if API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured(f"API_TOKEN_DAYS must be 1 or more, got {API_TOKEN_DAYS}.")
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=API_TOKEN_DAYS),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",  # the header integrations already send (docs/integrations.md)
}

# --- Content Security Policy and headers ------------------------------------------------
# django-csp (docs/security.md, "Headers and API tokens"): scripts and style sheets from this
# site's own files only, never inline; no plugins; never inside another site's frame. Images
# may also be data: URIs (the two-factor QR code, Swagger UI's icons) and come from the
# company logo's origin. The email previews relax it (lifecycle/lib/headers.py).
_logo_origin = (
    [f"{urlsplit(COMPANY_LOGO_URL).scheme}://{urlsplit(COMPANY_LOGO_URL).netloc}"]
    if COMPANY_LOGO_URL
    else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_logo_origin],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Django's own headers, spelled out: no Referer to other sites, no MIME sniffing, no framing.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Security when deployed -------------------------------------------------------------
# How many proxies in front of the app append to X-Forwarded-For (lifecycle/lib/client_address.py).
# 0, the default, ignores the header: without a proxy, the client writes whatever it likes there.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
if not 0 <= TRUSTED_PROXY_COUNT <= 10:
    raise ImproperlyConfigured(
        f"DJANGO_TRUSTED_PROXY_COUNT must be between 0 and 10, got {TRUSTED_PROXY_COUNT}."
    )
CSRF_TRUSTED_ORIGINS = env.list(
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    default=[SITE_URL] if SITE_URL.startswith("https://") else [],
)
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    # A load balancer probes the health check over plain HTTP; a redirect would fail it.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Signed links are keys: every handler writes the token of a public signed path (/s/, /u/,
# /preferences/, /t/, /r/) as [token] (lifecycle/lib/log_filters.py, which also masks the
# handlers the Celery worker installs). Django's own loggers print through the root console
# once; runserver's and gunicorn's lines keep their formats (gunicorn writes access lines only
# with --access-logfile; here they go to stdout, its errors to stderr).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_signed_paths": {"()": "lifecycle.lib.log_filters.MaskSignedPaths"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
        "gunicorn.error": {
            "format": "[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "%Y-%m-%d %H:%M:%S %z",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_signed_paths"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_signed_paths"],
        },
        "gunicorn.access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["mask_signed_paths"],
        },
        "gunicorn.error": {
            "class": "logging.StreamHandler",
            "formatter": "gunicorn.error",
            "filters": ["mask_signed_paths"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "mask_signed_paths"],
        },
    },
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["gunicorn.access"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["gunicorn.error"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
