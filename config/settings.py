"""Settings for every deployment, from the environment.

A fresh checkout runs with no configuration: SQLite under var/, a Redis that `make run` starts itself. Read
on their own these settings are development's (DEBUG on); `make run` serves as production does, DEBUG off over
plain HTTP with a key kept in var/ (config/launch.py). Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL and REDIS_URL; nothing else changes.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SystemExit(f"Configuration error: {name}={value!r} is not a yes/no value (use 1 or 0).")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"Configuration error: {name}={value!r} is not a whole number.") from None


DEBUG = envbool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise SystemExit("Configuration error: SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
elif not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")
):
    # Django's own deploy check only warns; a guessable key signs sessions and password-reset links.
    raise SystemExit(
        "Configuration error: SECRET_KEY is too weak (at least 50 characters, 5 different ones), e.g. "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )

# Rotation: the new key in SECRET_KEY, the old ones here (comma-separated) until their sessions have lapsed;
# every node the same (README, "Scaling out"; core.keys names a node whose key differs).
SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key]

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# How many reverse proxies stand in front of the web server, each appending the address it saw to
# X-Forwarded-For (the outermost also setting X-Forwarded-Proto). 0: the client is the socket's address and
# those headers are ignored, since anyone can send them (core.net.client_ip).
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", 0)

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, so translated fields get their tabs
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "core",
    "accounts",
    "lessons",
    "quizzes",
    "trainer",
    "experiments",
    "exercises",
    "classes",
    "lti_tool",  # django-lti: registrations, deployments, keys, LMS users and contexts (pylti1p3 underneath)
    "lti",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.compression.CompressionMiddleware",  # below WhiteNoise, above whatever writes a body
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.QueryStringMiddleware",  # after the language is chosen: its 400 reads in it
    "core.languages.LanguageFromAddress",  # ?lang=<code>: each language's page has an address of its own
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write at once: WAL lets readers go on, IMMEDIATE avoids "database is
    # locked" on upgrades from read to write, the timeout (SQLite's busy timeout) waits for the writer.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    options = DATABASES["default"].setdefault("OPTIONS", {})
    if envbool("DATABASE_POOL", True):
        # Under ASGI every request runs in a fresh thread, so per-thread persistent connections never get
        # reused: a process-wide pool (psycopg_pool) saves a connection setup per request.
        options["pool"] = {
            "min_size": 2,
            "max_size": envint("DATABASE_POOL_SIZE", 10),
            "timeout": 10,  # seconds a request waits for a free connection (and start-up for an absent database)
        }
    # PgBouncer in transaction pooling hands each transaction to any server connection: no prepared statements
    # (psycopg prepares a query it has run this many times; "none": never) and no server-side cursors.
    if os.environ.get("DATABASE_PREPARE_THRESHOLD", "").lower() in ("none", "off", "never"):
        options["prepare_threshold"] = None
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    elif os.environ.get("DATABASE_PREPARE_THRESHOLD"):
        options["prepare_threshold"] = envint("DATABASE_PREPARE_THRESHOLD", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def platform_redis() -> str | None:
    """The Redis of the `make run` running from this folder (config/launch.py keeps its URL in var/redis.url
    while it runs): a management command typed beside it (import_gift, import_course…) reaches the platform's
    own Redis, so its pages are renamed, instead of whatever answers at 6379."""
    try:
        pid, url = (VAR_DIR / "redis.url").read_text().split()
        os.kill(int(pid), 0)  # still running (a `make run` killed outright leaves the file behind)
    except (OSError, ValueError):
        return None
    return url


REDIS_URL = os.environ.get("REDIS_URL") or platform_redis() or "redis://127.0.0.1:6379/0"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "cache",
    },
    # Pages that are one document for everyone (core/documents.py), when no front keeps them (PAGES_FRONT=0).
    "pages": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "pages",
        "TIMEOUT": 3600,
    },
}
# 1: documents are kept and served again by core.documents.DocumentFront in front of Django; 0: Django serves
# them from the "pages" cache (the standard design the bench measures beside it).
PAGES_FRONT = envbool("PAGES_FRONT", True)
# How much of a web process's memory the front may keep documents in (plain and gzipped bodies together).
PAGES_FRONT_MIB = envint("PAGES_FRONT_MIB", 32)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Notices wait in a cookie, never in the session: core/readers.py sees that one is waiting.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# --- Accounts -----------------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.guesses.AddressLimitBackend",  # before any password is hashed
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
# Per username, whatever the address: a guesser who changes address (or says it has) gains nothing. Not per
# address as well: a class behind one school address would lock itself out with a few typos. (axes.W006 asks
# for the address because it expects user agents or cookies in the parameters; there are none here.)
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# And per address, across usernames (accounts/guesses.py): more than a class's typos, far fewer than a guesser's.
LOGIN_FAILURES_PER_ADDRESS = envint("LOGIN_FAILURES_PER_ADDRESS", 30)
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# API tokens (one per learner, see accounts/tokens.py): revoked on password change, ended after 90 days (0: never).
TOKEN_LIFETIME_DAYS = envint("TOKEN_LIFETIME_DAYS", 90)
# Bytes a learner may store a day, all their answers, predictions and submissions together (core/storage.py).
LEARNER_STORAGE_PER_DAY = envint("LEARNER_STORAGE_PER_DAY", 2_000_000)
PASSWORD_RESET_TIMEOUT = 3600  # seconds a reset link works
# Password-reset mail: printed on the console unless an SMTP server is named.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")

# --- Language -----------------------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "zh-hans"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("zh-hans", "en")}
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
# DEBUG off: collectstatic (run by `make run` and `make test`) gives every file a name with a hash of its
# content and a gzip copy; WhiteNoise serves those names as immutable (ten years), other names for a minute.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

# --- API ----------------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Token first: DRF answers a request it could not authenticate with the first class's challenge, and
    # only the token's has one (`WWW-Authenticate: Token`, so a 401); session authentication has none, which
    # made every refusal a 403. A known user who may not do something still gets 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # One JSON parser with the limits every endpoint needs (core/parsers.py); no form bodies: the API's
    # objects cannot be said in one.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    # Writes are throttled per address when anonymous and per learner when signed in; reads are not.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttles.AnonymousWriteThrottle",
        "core.throttles.LearnerWriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anonymous-write": os.environ.get("WRITE_RATE_ANONYMOUS", "30/minute"),
        "learner-write": os.environ.get("WRITE_RATE_LEARNER", "120/minute"),
    },
    "NUM_PROXIES": TRUSTED_PROXIES,  # the throttles' client address, by the same rule as core.net.client_ip
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AI Learning Platform API",
    "DESCRIPTION": "Courses, lessons, concepts, quizzes and training jobs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "trainer.models.Job.Status",
        "PublicationStatusEnum": "lessons.models.Status",
        "QuestionKindEnum": "quizzes.models.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "trainer.schema.add_event_stream",
        "trainer.schema.history_on_request",
        "core.schema.token_login",
        "core.schema.json_bodies",
        "core.schema.add_error_responses",
    ],
}

# --- Celery -------------------------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True  # a job's outcome lives on its row, not in a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed pool child's message goes back to the queue at once
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker takes a message only when a process of its pool is free: none waits reserved in a busy worker's
# memory, where a Redis restart would strand it among the unacknowledged until the visibility timeout (below).
CELERY_WORKER_DISABLE_PREFETCH = True
CELERY_TASK_DEFAULT_QUEUE = "cpu"
# The lost-job sweeper has a queue of its own, which every worker consumes besides its training queue: a
# backlog of training jobs never stands in front of it. Nor of a score on its way to an LMS (lti/tasks.py).
CELERY_TASK_ROUTES = {
    "trainer.tasks.sweep_lost_jobs": {"queue": "maintenance"},
    "lti.tasks.*": {"queue": "maintenance"},
    # Imports are short and bounded: they wait behind no training job.
    "quizzes.tasks.import_bank": {"queue": "maintenance"},
    # A learner's code runs only on the `sandbox` queue's worker (bubblewrap there): never beside training jobs.
    "exercises.tasks.check_attempt": {"queue": "sandbox"},
}
# A question-bank import (GIFT, Moodle XML) is stopped after this long, nothing imported.
QUIZ_IMPORT_TIME_LIMIT_S = envint("QUIZ_IMPORT_TIME_LIMIT_S", 120)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Longer than any job's hard time limit (600 + 30 s). It no longer decides when a lost job runs again (the
# sweeper does, within seconds of its lease lapsing); a message delivered a second time finds its job claimed or
# ended and does nothing (trainer/runner.py).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("JOB_VISIBILITY_TIMEOUT_S", 900)}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A Redis restart must not kill the runs in progress: they wait it out (core.redis_clients.patient_client). The
# message Celery then delivers again finds its job claimed or ended and is skipped (trainer/runner.py).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BEAT_SCHEDULER = "config.celery:LockedScheduler"  # one beat at a time, however many are started
CELERY_BEAT_MAX_LOOP_INTERVAL = 5  # seconds: the beat renews its lock and records its tick this often

# --- Training jobs ------------------------------------------------------------------------------------

JOBS_PER_LEARNER = envint("JOBS_PER_LEARNER", 2)  # queued or running at once
# An exercise's solution opens after this many checked attempts that did not pass.
SOLUTION_AFTER_TRIES = envint("SOLUTION_AFTER_TRIES", 3)
# Exercise -> the loop of its lab that trains with a learner's function (in the sandbox); imported on a worker only.
LEARNER_CODE_TRAINERS = "exercises.training.TRAINERS"
JOB_SUBMIT_RATE = os.environ.get("JOB_SUBMIT_RATE", "30/hour")
JOB_STREAM_MAXLEN = 5000
# A running job is held by one run through a lease in Redis that the run renews every JOB_LEASE_S / 3 seconds.
# A run that cannot renew it stops; the sweeper (every JOB_SWEEP_EVERY_S) queues again a running job whose lease
# has lapsed, and another worker continues it: a lost node's job moves on within about the sum of the two.
JOB_LEASE_S = envint("JOB_LEASE_S", 15)
JOB_SWEEP_EVERY_S = envint("JOB_SWEEP_EVERY_S", 5)
JOB_MAX_ATTEMPTS = envint("JOB_MAX_ATTEMPTS", 5)  # a job that loses its worker this often ends `failed`
# Labs that can (gpt, cnn) save their state this often, so that a new attempt continues where it was.
JOB_CHECKPOINT_EVERY_S = envint("JOB_CHECKPOINT_EVERY_S", 10)
JOB_CHECKPOINT_MAX_BYTES = envint("JOB_CHECKPOINT_MAX_BYTES", 64 * 1024 * 1024)  # larger: not saved
# How long a run that has ended keeps trying to record its end while the database cannot write.
JOB_END_RETRY_S = envint("JOB_END_RETRY_S", 300)
EVENT_STREAMS_PER_USER = envint("EVENT_STREAMS_PER_USER", 8)  # open live views of jobs at once (several tabs)

# --- LTI 1.3 (lti/) -------------------------------------------------------------------------------------

# Seconds a signed dynamic-registration link (`manage.py lti_registration_link`) stays valid.
LTI_REGISTRATION_LINK_MAX_AGE = envint("LTI_REGISTRATION_LINK_MAX_AGE", 7 * 24 * 3600)
# Seconds between two tries of a score the LMS did not take (lti.tasks.send_score doubles it each time, up to
# an hour); the beat's `lti-resend-scores` sends again whatever is still waiting, so that none is ever lost.
LTI_SCORE_RETRY_S = envint("LTI_SCORE_RETRY_S", 30)
LTI_RESEND_EVERY_S = envint("LTI_RESEND_EVERY_S", 300)
# A course's roster is read from the LMS (NRPS) at a teacher's launch and by the beat's `lti-sync-rosters`,
# unless it was read (or tried) less than this many seconds ago.
LTI_ROSTER_SYNC_EVERY_S = envint("LTI_ROSTER_SYNC_EVERY_S", 6 * 3600)

# --- Security -----------------------------------------------------------------------------------------

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Temml's MathML and the charts size things with style attributes; no inline <style> or script is allowed.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The site is reached over HTTPS, directly or through a proxy that ends TLS: plain HTTP is redirected, cookies
# are Secure, browsers are told to use HTTPS alone (HSTS). On by default with DEBUG off; `make run` serves
# plain HTTP (a laptop, a classroom's network) and sets HTTPS=0 unless told otherwise.
HTTPS = envbool("HTTPS", not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^ping$"]  # probes speak plain HTTP inside the network
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# The largest request body, refused with 413 before it is read (core.limits.BodyLimit, in front of Django).
MAX_REQUEST_BYTES = envint("MAX_REQUEST_BYTES", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
# Seconds a request's body may pause between two parts before it is refused (408, core.limits).
REQUEST_BODY_SECONDS = envint("REQUEST_BODY_SECONDS", 15)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

SITE_NAME = _("AI Learning Platform")
