"""One settings file; production differs only by environment variables (see README, Configuration).

Embedded mode (nothing set): SQLite, an in-process channel layer, local-file object storage and the
timed sweeps in a thread of the server process. Services mode: ``DATABASE_URL``, ``REDIS_URL`` and
``S3_ENDPOINT_URL`` name PostgreSQL, Redis (channel layer, Celery broker, cache) and an S3 store.
"""
import warnings
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.get("PLATFORM_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.get("DJANGO_DEBUG", False, cast=bool)
# Embedded mode: no database server and no Redis named. Only there are the secrets below made up (kept
# in VAR_DIR). Services mode lists those its environment did not set in PLATFORM_SECRETS_MISSING: its
# servers and Celery processes refuse to start then (monitoring.startup), while its other commands
# and the tests may run with a local SECRET_KEY.
PLATFORM_EMBEDDED = not env.get("DATABASE_URL", required=True) and not env.get("REDIS_URL", required=True)
SECRET_KEY = env.get("DJANGO_SECRET_KEY", required=True)
PLATFORM_SECRETS_MISSING = [] if SECRET_KEY or PLATFORM_EMBEDDED else ["DJANGO_SECRET_KEY"]
if not SECRET_KEY:
    from config.localkeys import local_secret_key

    SECRET_KEY = local_secret_key(VAR_DIR)
ALLOWED_HOSTS = env.get("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"], cast=list)
CSRF_TRUSTED_ORIGINS = env.get("DJANGO_CSRF_TRUSTED_ORIGINS", [], cast=list)
if env.get("DJANGO_BEHIND_PROXY", False, cast=bool):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# Peers whose X-Forwarded-For/-Proto the server (runplatform, uvicorn) takes as the client's address
# and scheme: the proxy's addresses, or "*" where only the proxy can reach the server.
PLATFORM_FORWARDED_ALLOW_IPS = env.get("PLATFORM_FORWARDED_ALLOW_IPS", ["127.0.0.1"], cast=list)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, not a CDN (the CSP allows no other origin)
    "csp",
    "django_ratelimit",
    "django_filters",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "trading",
    "bidding",
    "monitoring",
    "supervisors",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "trading.middleware.NulRefusalMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "trading.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

# Rate limits (trading/ratelimits.py): attempts per key ("10/h", "30/m"; empty: no limit).
PLATFORM_RATE_LIMITS = {
    "sign_up": env.get("PLATFORM_RATE_SIGN_UP", "10/h") or None,
    "bid": env.get("PLATFORM_RATE_BID", "30/m") or None,
    "report": env.get("PLATFORM_RATE_REPORT", "20/h") or None,
}
RATELIMIT_VIEW = "trading.views_errors.rate_limited"

# The Content Security Policy (django-csp): scripts, styles, fonts and images only from the
# platform itself, no inline script or style, no plugin, no framing; fetches and the live rooms'
# websockets only to the platform ('self' covers ws:/wss: of the same host). Downloads from object
# storage are navigations, which the policy does not restrict.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"], "img-src": ["'self'", "data:"],
    "font-src": ["'self'"], "connect-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'self'"],
    "form-action": ["'self'"], "frame-ancestors": ["'none'"]}}

# HTTPS (DJANGO_HTTPS, on in production: docker-compose.yml): cookies only over TLS, every plain
# request redirected, and HSTS for a year; `manage.py check --deploy` is then clean
# (tests/test_production_settings.py). Off by default so that `make run` works on http://127.0.0.1.
PLATFORM_HTTPS = env.get("DJANGO_HTTPS", False, cast=bool)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = PLATFORM_HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if PLATFORM_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PLATFORM_HTTPS
# Entering the browsers' HSTS preload list binds the centre's whole domain for good: its owner's
# decision (DJANGO_HSTS_PRELOAD), not the platform's, so the deployment check's reminder is silenced.
SECURE_HSTS_PRELOAD = env.get("DJANGO_HSTS_PRELOAD", False, cast=bool)
# django-ratelimit's cache checks: Django's own Redis cache (services mode) increments atomically
# but is not on its list (W001); embedded mode's in-memory cache is not shared (E003), and needs not
# be: that mode runs one process.
SILENCED_SYSTEM_CHECKS = ["security.W021", "django_ratelimit.W001", "django_ratelimit.E003"]
SESSION_COOKIE_HTTPONLY = True

ROOT_URLCONF = "config.urls"
# Every form in the same layout, errors next to their field (trading/forms_rendering.py).
FORM_RENDERER = "trading.forms_rendering.PlatformFormRenderer"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

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
                "trading.context_processors.unread_notices",
                "monitoring.workbenches.context_processors.navigation",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", f"sqlite:///{VAR_DIR / 'platform.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # IMMEDIATE transactions: the audit chain reads its head and appends in one transaction, and a
    # deferred SQLite transaction would fail the upgrade to a write lock instead of waiting for it.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif env.get("DATABASE_POOL", True, cast=bool):
    # A pool per process (psycopg_pool): a live room's every heartbeat and handshake is a trip to the
    # database, and a new PostgreSQL connection for each cost more than the query (bench_fanout).
    # Persistent connections are no substitute under ASGI, where each request runs in its own thread.
    DATABASES["default"]["OPTIONS"] = {"pool": {
        "min_size": 1, "max_size": env.get("DATABASE_POOL_MAX_SIZE", 20, cast=int), "timeout": 10}}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.get("DATABASE_CONN_MAX_AGE", 0, cast=int)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, Celery, cache ------------------------------------------------------------
REDIS_URL = env.get("REDIS_URL", required=True)
# The channel layer only hints that a subject has new events (docs/rooms.md): rooms fill whatever it
# loses from the database. PLATFORM_CHANNEL_LAYER picks "pubsub" (RedisPubSubChannelLayer: one
# PUBLISH per event, each process subscribed once per group) or "core" (RedisChannelLayer: one copy
# per member); benchmarks/bench_fanout.py measures both.
PLATFORM_CHANNEL_LAYER = env.get("PLATFORM_CHANNEL_LAYER", "pubsub")
if REDIS_URL:
    if PLATFORM_CHANNEL_LAYER == "core":
        CHANNEL_LAYERS = {"default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1500, "expiry": 30, "group_expiry": 600},
        }}
    elif PLATFORM_CHANNEL_LAYER == "pubsub":
        # Redis pub/sub channels ignore the database number: two deployments (or test runs) on one
        # Redis server would hear each other's events without a prefix naming the database.
        CHANNEL_LAYERS = {"default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"asgi:{urlsplit(REDIS_URL).path.strip('/') or '0'}:"},
        }}
    else:
        raise ImproperlyConfigured("PLATFORM_CHANNEL_LAYER must be pubsub or core")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "monitoring.layers.InProcessChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# The timed sweeps: idempotent functions over what is due, run by beat (services mode) or by a thread
# of the server process (embedded mode). Each is a dotted path to a function taking no arguments.
PLATFORM_SWEEPS = [
    # Availability first: the probe records outages (and gaps between rounds), then the outage rule
    # extends a deadline the platform was down before, so the deadline sweep below does not close it
    # (docs/availability.md; lot_due_sweep asks the rule itself too, for workers running in parallel).
    "trading.services.availability.availability_probe_sweep",
    "trading.services.extensions.deadline_outage_sweep",
    "trading.services.lots.lot_due_sweep",
    "bidding.sealed.services.opening.bids_count_sweep",
    "bidding.sealed.services.hall.window_sweep",
    "bidding.sealed.services.opening.opening_close_sweep",
    "bidding.sales.services.auctions.auction_due_sweep",
    "bidding.sales.services.listings.listing_close_sweep",
    "bidding.evaluation.services.awards.contract_due_sweep",
    "trading.services_calendar.calendar_unconfirmed_sweep",
    "monitoring.audit.services.audit_checkpoint_sweep",
    "trading.services.notifications.deliveries_retry_sweep",
    "supervisors.registry.services.terms.supervisor_term_sweep",
    "monitoring.supervision.services.alerts_sweep",
    # Integrity: the red flags of each lot opened or awarded, and the nightly analysis across lots
    # (it runs once a Beijing day, from PLATFORM_PATTERNS_HOUR, whichever sweep round comes first).
    "monitoring.integrity.services_flags.flags_sweep",
    "monitoring.integrity.services_patterns.patterns_sweep",
    # Services rendered to parties, read from the audit chain, so that they can be rated (好差评).
    "monitoring.ratings.services.services_sweep",
    # The archive of each lot that ended (存档归档).
    "monitoring.archive.services.archive_sweep",
]
PLATFORM_PATTERNS_HOUR = env.get("PLATFORM_PATTERNS_HOUR", 2, cast=int)
# Availability (docs/availability.md): a part is down after this many failed probes in a row, each
# probe waiting this long; a gap this long (seconds) between probe rounds is an outage of the sweeps.
PLATFORM_AVAILABILITY_FAILURES = env.get("PLATFORM_AVAILABILITY_FAILURES", 3, cast=int)
PLATFORM_AVAILABILITY_TIMEOUT = env.get("PLATFORM_AVAILABILITY_TIMEOUT", 3.0, cast=float)
PLATFORM_AVAILABILITY_GAP = env.get("PLATFORM_AVAILABILITY_GAP", 60, cast=int)
# Open data (OCDS 1.1.5, monitoring/opendata/ocds.py): the ocid prefix registered with the Open Contracting
# Partnership, the publisher's name and the address packages name themselves by in bulk exports.
PLATFORM_OCDS_PREFIX = env.get("PLATFORM_OCDS_PREFIX", "ocds-pr0000")
PLATFORM_OCDS_PUBLISHER = env.get("PLATFORM_OCDS_PUBLISHER", "公共资源交易平台")
PLATFORM_OCDS_BASE_URL = env.get("PLATFORM_OCDS_BASE_URL", "http://127.0.0.1:8000")
# A contract not recorded this many days before its limit (招标投标法 Art 46) warns staff and regulators.
PLATFORM_CONTRACT_WARN_DAYS = env.get("PLATFORM_CONTRACT_WARN_DAYS", 5, cast=int)
PLATFORM_SWEEP_INTERVAL = env.get("PLATFORM_SWEEP_INTERVAL", 5.0, cast=float)
PLATFORM_INPROCESS_SWEEPS = env.get("PLATFORM_INPROCESS_SWEEPS", not REDIS_URL, cast=bool)

# --- object storage -----------------------------------------------------------------------------------
S3_ENDPOINT_URL = env.get("S3_ENDPOINT_URL", required=True)
S3_ACCESS_KEY = env.get("S3_ACCESS_KEY", required=True)
S3_SECRET_KEY = env.get("S3_SECRET_KEY", required=True)
S3_BUCKET = env.get("S3_BUCKET", "platform")
S3_REGION = env.get("S3_REGION", "us-east-1")
S3_VERIFY_TLS = env.get("S3_VERIFY_TLS", True, cast=bool)
# Where browsers reach the store for presigned GETs, when that differs from S3_ENDPOINT_URL.
S3_PUBLIC_ENDPOINT_URL = env.get("S3_PUBLIC_ENDPOINT_URL", S3_ENDPOINT_URL)
PLATFORM_STORAGE_DIR = Path(env.get("PLATFORM_STORAGE_DIR", str(VAR_DIR / "objects")))

# --- platform -------------------------------------------------------------------------------------------
PLATFORM_ID = env.get("PLATFORM_ID", "cn-demo-ggzy")
# Ed25519 key that signs receipts and audit checkpoints (PEM, PKCS#8). Generated into VAR_DIR on
# first use when unset, which suits the embedded mode only: production mounts a kept key.
PLATFORM_SIGNING_KEY_FILE = Path(env.get("PLATFORM_SIGNING_KEY_FILE", str(VAR_DIR / "platform-signing-key.pem")))
PLATFORM_AUDIT_CHECKPOINT_EVERY = env.get("PLATFORM_AUDIT_CHECKPOINT_EVERY", 100, cast=int)
# TrueType font (.ttf, or .ttc read at its first face) embedded in issued PDF documents; the default is
# Noto Sans SC, shipped in trading/fonts/ with its licence (trading/pdf.py says why).
PLATFORM_PDF_FONT = Path(env.get("PLATFORM_PDF_FONT", BASE_DIR / "trading" / "fonts" / "NotoSansSC-Regular.ttf"))
PLATFORM_LOAD_DEMO = env.get("PLATFORM_LOAD_DEMO", True, cast=bool)
if PLATFORM_LOAD_DEMO:
    # The demo's scripted competitors in its live auction (bidding.demo_live): a sweep like the others,
    # so the embedded mode's thread runs it, and beat where services mode loads the demo; never in
    # production, which does not load it.
    PLATFORM_SWEEPS.append("bidding.demo_live.demo_competitor_sweep")
# The bank's deposit notifications are authenticated with HMAC-SHA256 under this shared secret; a
# notification older or newer than the window, or with a nonce seen before, is refused.
PLATFORM_BANK_HMAC_SECRET = env.get("PLATFORM_BANK_HMAC_SECRET", required=True)
if not PLATFORM_BANK_HMAC_SECRET and PLATFORM_EMBEDDED:
    # The embedded demo's bank is its own page (/try/bank/), which signs with this made-up secret.
    from config.localkeys import local_secret

    PLATFORM_BANK_HMAC_SECRET = local_secret(VAR_DIR, "bank-hmac-secret.txt")
elif not PLATFORM_BANK_HMAC_SECRET:
    PLATFORM_SECRETS_MISSING.append("PLATFORM_BANK_HMAC_SECRET")
PLATFORM_BANK_WINDOW_SECONDS = env.get("PLATFORM_BANK_WINDOW_SECONDS", 300, cast=int)
# Sealed bids: stored write-once for this many years after the bid deadline (the lot's archive
# date); the largest envelope accepted (200 MiB of files plus the envelope's own overhead); the
# default k of n for a lot's opening key.
PLATFORM_BID_RETENTION_YEARS = env.get("PLATFORM_BID_RETENTION_YEARS", 15, cast=int)
PLATFORM_BID_MAX_BYTES = env.get("PLATFORM_BID_MAX_BYTES", 200 * 1024 * 1024 + 1024 * 1024, cast=int)
PLATFORM_OPENING_THRESHOLD = env.get("PLATFORM_OPENING_THRESHOLD", 2, cast=int)
# Live auctions: bid attempts one bidder may make in one auction per second (0: no limit); counted in
# the cache (Redis in services mode), so every server process enforces the same limit.
PLATFORM_AUCTION_BID_RATE = env.get("PLATFORM_AUCTION_BID_RATE", 5, cast=int)
PLATFORM_LOGIN_MAX_FAILURES = env.get("PLATFORM_LOGIN_MAX_FAILURES", 5, cast=int)
PLATFORM_LOGIN_LOCKOUT_MINUTES = env.get("PLATFORM_LOGIN_LOCKOUT_MINUTES", 15, cast=int)

# --- auth -------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "trading.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Second factor (django-otp, TOTP with recovery codes) for the roles in trading.models.SECOND_FACTOR_ROLES.
OTP_TOTP_ISSUER = env.get("PLATFORM_OTP_ISSUER", "公共资源交易平台")
# In the demo (PLATFORM_LOAD_DEMO), the demo accounts' current codes are shown at /demo/codes/ so a
# newcomer signs in as every role in seconds; never in production.
PLATFORM_DEMO_CODES = env.get("PLATFORM_DEMO_CODES", PLATFORM_LOAD_DEMO, cast=bool)
# A company's sign-up link (address check) holds this long.
PLATFORM_EMAIL_LINK_HOURS = env.get("PLATFORM_EMAIL_LINK_HOURS", 48, cast=int)

# --- mail -------------------------------------------------------------------------------------------------
# Address checks and notices. By default each message is written as a file under VAR_DIR/mail (the
# embedded demo's inbox, and what the tests read); production names its SMTP server.
EMAIL_BACKEND = env.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = Path(env.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail")))
EMAIL_HOST = env.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env.get("EMAIL_PORT", 25, cast=int)
EMAIL_HOST_USER = env.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.get("EMAIL_USE_TLS", False, cast=bool)
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", "noreply@ggzy.example.cn")
# Text messages (trading/sms.py): a backend class by dotted path, by default one file per message under
# VAR_DIR/sms; "trading.sms.ConsoleBackend" prints them; a real gateway is a class of the same shape.
PLATFORM_SMS_BACKEND = env.get("PLATFORM_SMS_BACKEND", "trading.sms.FileBackend")
PLATFORM_SMS_FILE_PATH = Path(env.get("PLATFORM_SMS_FILE_PATH", str(VAR_DIR / "sms")))
# A notice's mail or text message that failed is retried after this many seconds, doubling each time,
# and given up after so many attempts (trading/services/notifications.py).
PLATFORM_DELIVERY_RETRY_SECONDS = env.get("PLATFORM_DELIVERY_RETRY_SECONDS", 60, cast=int)
PLATFORM_DELIVERY_MAX_ATTEMPTS = env.get("PLATFORM_DELIVERY_MAX_ATTEMPTS", 6, cast=int)

# --- language and time ----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"  # shown to people; stored and compared in UTC
# One date format in both languages (2026-03-01 09:30) and the ways people in China type dates: config/formats.
FORMAT_MODULE_PATH = "config.formats"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True  # serve straight from the apps' static folders; no collectstatic step to forget
# With finders, STATIC_ROOT exists only after collectstatic (the Docker image); its absence is expected.
warnings.filterwarnings("ignore", message="No directory at")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- API --------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The token's class first: a request with neither a token nor a session is answered 401 with
    # ``WWW-Authenticate: Token`` (not signed in), and 403 stays for who is signed in and may not.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "trading.apierrors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Public-resource trading platform API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The 400 and 413 answers to bodies Django refuses before a view reads them (trading.apierrors).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "trading.apierrors.schema_body_refusals", "trading.apierrors.schema_common_refusals"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # trading.converters.IdConverter: an id is at most 2**53 - 1.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "format": "int64", "minimum": 0,
                                        "maximum": 2**53 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "SessionKindEnum": "supervisors.registry.models.SessionKind",
        "SupervisorStatusEnum": "supervisors.registry.models.Supervisor.Status",
        "SanctionKindEnum": "supervisors.registry.models.Sanction.Kind",
        "RecusalStatusEnum": "supervisors.registry.models.Recusal.Status",
        "SupervisorEvaluationGradeEnum": "supervisors.registry.models.SupervisorEvaluation.Grade",
        "SupervisorRelationKindEnum": "supervisors.registry.models.SupervisorRelation.Kind",
        "LotStatusEnum": "trading.models.lots.Lot.Status",
        "AnnouncementKindEnum": "trading.models.announcements.Announcement.Kind",
        "OrganisationKindEnum": "trading.models.parties.Organisation.Kind",
        "RegistrationStatusEnum": "trading.models.registrations.Registration.Status",
        "DepositStatusEnum": "trading.models.registrations.Deposit.Status",
        "EvaluationMethodEnum": "bidding.evaluation.models.Evaluation.Method",
        "EvaluationStatusEnum": "bidding.evaluation.models.Evaluation.Status",
        "PanelMemberStatusEnum": "bidding.evaluation.models.PanelMember.Status",
        "AwardProposalStatusEnum": "bidding.evaluation.models.AwardProposal.Status",
        "ChallengeStatusEnum": "supervisors.complaints.models.Challenge.Status",
        "ComplaintStatusEnum": "supervisors.complaints.models.Complaint.Status",
        "PublicReportStatusEnum": "supervisors.regulation.models.PublicReport.Status",
        "ServiceRatingLevelEnum": "monitoring.ratings.models.Level",
        "ServiceKindEnum": "monitoring.ratings.models.Service.Kind",
        "AssessmentStatusEnum": "monitoring.assessment.models.Assessment.Status",
        "IndicatorSourceEnum": "monitoring.assessment.models.Indicator.Source",
        "IndicatorDimensionEnum": "monitoring.assessment.models.Indicator.Dimension",
        "OrganisationSectorEnum": "trading.models.parties.Organisation.Sector",
        "DepositSourceEnum": "trading.models.registrations.Deposit.Source",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get("PLATFORM_LOG_LEVEL", "INFO")},
}
