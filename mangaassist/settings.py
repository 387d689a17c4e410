"""MangaAssist settings: every knob comes from the environment (or a `.env` file), typed by django-environ.

The README lists each variable with its default. Nothing secret lives in the repo: when SECRET_KEY is unset a
random key is generated once into var/secret_key so a fresh laptop runs with nothing set by hand.
"""

import secrets
from pathlib import Path

import environ
from redis.exceptions import ConnectionError as RedisConnectionError

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env(
    DEBUG=(bool, False),
    # Never "*" by default: set the public host name(s) in production (README "Security").
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "[::1]"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    LLM_BACKEND=(str, "local"),
)
environ.Env.read_env(BASE_DIR / ".env")


def _secret_key() -> str:
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _secret_key()
DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "common",
    "catalog",
    "prompts",
    "chat",
    "reviews",
    "feedback",
    "mangaassist",  # the wiring: the turn task and the whole-stack benchmark (bench_chat)
]

MIDDLEWARE = [
    "common.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mangaassist.urls"
ASGI_APPLICATION = "mangaassist.asgi.application"
WSGI_APPLICATION = None

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

# --- database -------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; IMMEDIATE avoids lock upgrades deadlocking.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file, not :memory:, so that worker and server subprocesses started by tests see the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_db.sqlite3")}
    # Opening an SQLite connection (pragmas, Django's ~40 SQL functions) cost 6% of a worker's and 14% of the web
    # process's busy time when every turn, tool call and socket frame opened one. SQLite has no connection limit.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis: channels, cache, celery ---------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default=f"unix://{VAR_DIR / 'valkey.sock'}")


def celery_url(redis_url: str) -> str:
    """Celery (kombu) spells a unix socket `redis+socket://`; redis-py and channels-redis spell it `unix://`."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


CHANNEL_LAYERS = {
    "default": {
        # Redis pub/sub, not channels-redis' list layer: there the consumers of a process take turns popping one
        # shared queue, and a consumer that closes mid-pop loses the message it popped, whoever it was for
        # (tests/chat/test_leaving_customers.py). Pub/sub is at-most-once, as the list layer is past its expiry: what
        # a socket missed is sent again on reconnect, and caught up while the socket owes an answer (chat.consumers).
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        # redis-py 8 reads with a 5 s socket_timeout by default; a command must not fail on a busy server sooner.
        # One retry on a connection error: after a Redis restart every pooled connection is dead, and redis-py's
        # asyncio client does not retry by default, so each process's first push failed.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30, "retry_on_error": [RedisConnectionError]}],
                   "prefix": env.str("CHANNELS_PREFIX", default="asgi")},
    }
}
CACHES = {
    "default": {
        # django-redis: the raw client (get_redis_connection) for counters, locks and sorted sets is public API
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_PREFIX", default="ma"),
    }
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=celery_url(REDIS_URL))
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=celery_url(REDIS_URL))
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes every connection before and after each task unless this is set, so each turn opened
# SQLite afresh; mangaassist.celery recycles connections by CONN_MAX_AGE around every task instead.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="mangaassist")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Apps add their periodic tasks to this dict in their own `schedule.py` (see mangaassist/celery.py).
CELERY_BEAT_SCHEDULE: dict = {}

# --- auth, api --------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/admin/login/"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    # Bounded JSON (depth, NUL, lone surrogates): a hostile body gets a 400, never a 500.
    "DEFAULT_PARSER_CLASSES": ["common.api.JSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MangaAssist API",
    "DESCRIPTION": "Customer chat (X-Session-Token) and reviewer endpoints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the drf-spectacular-sidecar package (served by WhiteNoise), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Separate request and response components, so 4xx bodies and nullable fields are stated exactly.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"CategoryEnum": "chat.models.Category.choices",
                            # choices used by more than one field (the proposal and its history rows), or
                            # sharing a field name with another set (a task's decision, the decision request's)
                            "ReviewDecisionEnum": "reviews.models.ReviewTask.Decision",
                            "ThresholdProposalStatusEnum": "reviews.models.ThresholdProposal.Status",
                            "DecisionEnum": "reviews.decisions.DECISIONS", "LocaleEnum": "chat.models.Locale.values"},
}
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- i18n -----------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- static ---------------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Served by the app itself (WhiteNoise): straight from the app folders in development, collected in production.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- email ----------------------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="support@mangaassist.example")
ALERT_EMAILS = env.list("ALERT_EMAILS", default=[])

# --- chat (chat/) -------------------------------------------------------------------------------------------------
ANSWER_DEADLINE_SECONDS = env.float("ANSWER_DEADLINE_SECONDS", default=300)  # a customer message's promise
CHAT_WATCHDOG_SECONDS = env.float("CHAT_WATCHDOG_SECONDS", default=60)  # how often beat checks the promises
# A socket owed an answer that has not arrived looks in the database after this long, then twice as long each time
# (at most 20 s): a push the channel layer lost (Redis restarted, pub/sub is at-most-once) still arrives.
CHAT_CATCH_UP_SECONDS = env.float("CHAT_CATCH_UP_SECONDS", default=5)

# --- human review (reviews/): timings are env-driven so tests can shorten them for worker/beat subprocesses ------
REVIEW_TIMEOUT_SECONDS = env.float("REVIEW_TIMEOUT_SECONDS", default=300)  # then the draft/notice goes out
REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS = env.float("REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS", default=300)  # P3/P4
REVIEW_HEARTBEAT_SECONDS = env.float("REVIEW_HEARTBEAT_SECONDS", default=60)
REVIEW_CLAIM_TTL_SECONDS = env.float("REVIEW_CLAIM_TTL_SECONDS", default=180)
REVIEW_MAX_RELEASES = env.int("REVIEW_MAX_RELEASES", default=3)  # then dead-lettered to the senior pool
REVIEW_SWEEP_SECONDS = env.float("REVIEW_SWEEP_SECONDS", default=5)
REVIEW_SWEEP_BATCH = env.int("REVIEW_SWEEP_BATCH", default=500)  # rows acted on per step per sweep
# A high-risk timeout's follow-up (senior pool): its own deadline to the specialist's reply.
REVIEW_FOLLOWUP_SLA_SECONDS = env.float("REVIEW_FOLLOWUP_SLA_SECONDS", default=1800)
REVIEW_SLA_SECONDS = {p: env.float(f"REVIEW_SLA_P{p}_SECONDS", default=d) for p, d in ((1, 60), (2, 120), (3, 240), (4, 300))}
REVIEW_PEAK_HOURS = env.str("REVIEW_PEAK_HOURS", default="19-23")  # JST, start-end hour: the peak profile
REVIEW_THRESHOLD_CHECK_SECONDS = env.float("REVIEW_THRESHOLD_CHECK_SECONDS", default=1.0)
REVIEW_OVERRIDE_HOURS = env.float("REVIEW_OVERRIDE_HOURS", default=2)
REVIEW_BULK_APPROVE_MIN_CONFIDENCE = env.float("REVIEW_BULK_APPROVE_MIN_CONFIDENCE", default=0.75)
REVIEWER_ACTIVE_SECONDS = env.float("REVIEWER_ACTIVE_SECONDS", default=900)
REVIEW_MIN_REVIEWERS_PEAK = env.int("REVIEW_MIN_REVIEWERS_PEAK", default=3)
REVIEW_MIN_REVIEWERS_OFFPEAK = env.int("REVIEW_MIN_REVIEWERS_OFFPEAK", default=2)

# --- threshold change control and alerts (reviews/threshold_changes.py, reviews/simulation.py, reviews/alerts.py) ---
THRESHOLD_SIMULATION_HOURS = env.float("THRESHOLD_SIMULATION_HOURS", default=168)  # history replayed by a simulation
THRESHOLD_REVIEWS_PER_SHIFT = env.int("THRESHOLD_REVIEWS_PER_SHIFT", default=200)  # one reviewer, one shift
THRESHOLD_SHIFT_HOURS = env.float("THRESHOLD_SHIFT_HOURS", default=8)
THRESHOLD_REVIEWERS = env.int("THRESHOLD_REVIEWERS", default=0)  # staffing to plan with; 0: active reviewers now (≥ 1)
THRESHOLD_REVIEW_COST_JPY = env.float("THRESHOLD_REVIEW_COST_JPY", default=120)  # a human review of one draft
THRESHOLD_HANDOFF_COST_JPY = env.float("THRESHOLD_HANDOFF_COST_JPY", default=400)  # a human writing the reply
THRESHOLD_CANARY_PERCENT = env.float("THRESHOLD_CANARY_PERCENT", default=5)
THRESHOLD_CANARY_HOURS = env.float("THRESHOLD_CANARY_HOURS", default=4)
THRESHOLD_CANARY_MIN_TURNS = env.int("THRESHOLD_CANARY_MIN_TURNS", default=30)  # fewer: not promoted
THRESHOLD_CANARY_TOLERANCE = env.float("THRESHOLD_CANARY_TOLERANCE", default=0.05)  # ± around the simulated rate
THRESHOLD_WATCH_SECONDS = env.float("THRESHOLD_WATCH_SECONDS", default=30)  # canary + breaker beat interval
THRESHOLD_BREAKER_RATE = env.float("THRESHOLD_BREAKER_RATE", default=0.30)
THRESHOLD_BREAKER_SECONDS = env.float("THRESHOLD_BREAKER_SECONDS", default=600)  # sustained for this long
THRESHOLD_BREAKER_WINDOW_SECONDS = env.float("THRESHOLD_BREAKER_WINDOW_SECONDS", default=300)  # rate measured over
THRESHOLD_BREAKER_MIN_TURNS = env.int("THRESHOLD_BREAKER_MIN_TURNS", default=20)
ALERT_CHECK_SECONDS = env.float("ALERT_CHECK_SECONDS", default=30)  # beat: reviews.signal_alerts
ALERT_WINDOW_SECONDS = env.float("ALERT_WINDOW_SECONDS", default=900)  # rates and counter deltas are measured over
ALERT_ESCALATION_RATE = env.float("ALERT_ESCALATION_RATE", default=0.25)
ALERT_REVIEWER_LOAD = env.float("ALERT_REVIEWER_LOAD", default=0.80)
ALERT_QUEUE_GROWTH = env.int("ALERT_QUEUE_GROWTH", default=100)
ALERT_QUEUE_GROWTH_SECONDS = env.float("ALERT_QUEUE_GROWTH_SECONDS", default=300)
ALERT_REVIEW_TIMEOUT_RATE = env.float("ALERT_REVIEW_TIMEOUT_RATE", default=0.05)
ALERT_UNDELIVERED_RATE = env.float("ALERT_UNDELIVERED_RATE", default=0.01)
ALERT_WATCHDOG_FALLBACKS = env.int("ALERT_WATCHDOG_FALLBACKS", default=1)  # in the window
ALERT_WS_DISCONNECTS = env.int("ALERT_WS_DISCONNECTS", default=200)  # in the window
ALERT_GUARD_VIOLATIONS = env.int("ALERT_GUARD_VIOLATIONS", default=20)  # in the window
ALERT_FAILED_TURNS = env.int("ALERT_FAILED_TURNS", default=5)  # fallback answers in the window
BEDROCK_DAILY_BUDGET_USD = env.float("BEDROCK_DAILY_BUDGET_USD", default=50)  # per JST day

# --- llm --------------------------------------------------------------------------------------------------------
LLM_BACKEND = env("LLM_BACKEND")
# Trained offline models (the intent classifier), keyed by their training data's hash; safe to delete.
MODEL_CACHE_DIR = env.str("MODEL_CACHE_DIR", default=str(BASE_DIR / "var" / "models"))
SESSION_COST_CAP_USD = env.float("SESSION_COST_CAP_USD", default=1.00)  # then the session is answered offline
# USD per million tokens, input/output
BEDROCK_PRICES = {
    "answer": (env.float("SONNET_PRICE_IN", default=3.0), env.float("SONNET_PRICE_OUT", default=15.0)),
    "classify": (env.float("HAIKU_PRICE_IN", default=0.25), env.float("HAIKU_PRICE_OUT", default=1.25)),
}
AWS_REGION = env.str("AWS_REGION", default="ap-northeast-1")
BEDROCK_ANSWER_MODEL = env.str("BEDROCK_ANSWER_MODEL", default="anthropic.claude-3-5-sonnet-20240620-v1:0")
BEDROCK_CLASSIFY_MODEL = env.str("BEDROCK_CLASSIFY_MODEL", default="anthropic.claude-3-haiku-20240307-v1:0")

# --- logging: one JSON line per request, websocket event and task ------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation": {"()": "common.observability.CorrelationFilter"}},
    "formatters": {"json": {"()": "common.observability.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["correlation"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
    },
}

# --- health and faults (issue 16): cheap /healthz, bounded enqueues, lost turns found again ------------------------
# Every request stays off the one sync thread that does Channels' database work (see mangaassist/staticfiles.py).
MIDDLEWARE = [m.replace("whitenoise.middleware.WhiteNoiseMiddleware", "mangaassist.staticfiles.AsyncWhiteNoiseMiddleware")
              for m in MIDDLEWARE]
HEALTHZ_CACHE_SECONDS = env.float("HEALTHZ_CACHE_SECONDS", default=2.0)  # one probe per check per process per this
HEALTHZ_TIMEOUT_SECONDS = env.float("HEALTHZ_TIMEOUT_SECONDS", default=2.0)  # the longest /healthz waits for a probe
CELERY_HEARTBEAT_MAX_AGE_SECONDS = env.float("CELERY_HEARTBEAT_MAX_AGE_SECONDS", default=10.0)  # workers beat every 2 s
# Publishing a task never waits long: a bounded pool of broker connections (taking one waits at most
# CHAT_ENQUEUE_TIMEOUT_SECONDS), socket timeouts on every broker connection, one quick retry. A publish that still
# fails leaves the customer message in the database, where the re-enqueue sweep finds it.
CELERY_BROKER_POOL_LIMIT = env.int("CELERY_BROKER_POOL_LIMIT", default=20)
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5.0),  # above kombu's 1 s BRPOP
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=2.0),
    "max_connections": env.int("CELERY_BROKER_MAX_CONNECTIONS", default=50),
    "health_check_interval": 25,
}
CHAT_ENQUEUE_TIMEOUT_SECONDS = env.float("CHAT_ENQUEUE_TIMEOUT_SECONDS", default=1.0)
# Lost turns: a customer message with no reply and no turn running, older than CHAT_REENQUEUE_AFTER_SECONDS (times
# the re-enqueues so far, plus one), is enqueued again, at most CHAT_REENQUEUE_MAX times, well before the fallback.
CHAT_REENQUEUE_AFTER_SECONDS = env.float("CHAT_REENQUEUE_AFTER_SECONDS", default=30)
CHAT_REENQUEUE_MAX = env.int("CHAT_REENQUEUE_MAX", default=3)
CHAT_REENQUEUE_SWEEP_SECONDS = env.float("CHAT_REENQUEUE_SWEEP_SECONDS", default=10)

# --- security (issue 16): limits, tokens, transport. Every knob from the environment; README "Security". ----------
INSTALLED_APPS += ["common.apps.AxesConfig", "csp", "drf_spectacular_sidecar"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes requires

# Admin login throttling (django-axes): N failures for one username from one IP lock that pair out for a while, so a
# shared office NAT is not locked out by one person's typos and a password guesser is.
AUTHENTICATION_BACKENDS = ["common.security.LoginThrottleBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("ADMIN_LOGIN_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "common.security.axes_lockout"

# Rate limits (`limits` on Redis, shared by every process; chat/throttle.py). Syntax "N/period[;N/period]".
# Defaults sized for an office of a few hundred people behind one NAT address.
RATELIMIT_ENABLED = env.bool("RATELIMIT_ENABLED", default=True)
RATELIMIT_STORAGE_URL = env.str("RATELIMIT_STORAGE_URL", default="")  # default: REDIS_URL
RATELIMIT_SESSIONS_PER_IP = env.str("RATELIMIT_SESSIONS_PER_IP", default="60/minute;600/hour")
RATELIMIT_SESSIONS_PER_CONNECTION = env.str("RATELIMIT_SESSIONS_PER_CONNECTION", default="3/minute")
RATELIMIT_MESSAGES_PER_IP = env.str("RATELIMIT_MESSAGES_PER_IP", default="300/minute")
CHAT_MESSAGES_PER_MINUTE = env.int("CHAT_MESSAGES_PER_MINUTE", default=20)  # per session, counted in the database
# A session blocked (prompt injection) refuses new sessions from the same IP while the block lasts.
CHAT_BLOCK_SHARES_IP = env.bool("CHAT_BLOCK_SHARES_IP", default=True)

# Customer session tokens: signed, expiring, revocable (ChatSession.token_version).
CHAT_TOKEN_MAX_AGE_SECONDS = env.int("CHAT_TOKEN_MAX_AGE_SECONDS", default=7 * 24 * 3600)

# Transport. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=1 (it must strip X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every response (django-csp): no inline script anywhere; the few inline styles carry
# the request's nonce. Swagger UI draws its icons as data: images.
from csp.constants import NONCE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- prompt versions (prompts/): env-driven so tests can shorten them for worker/beat subprocesses ---------------
PROMPT_CHECK_SECONDS = env.float("PROMPT_CHECK_SECONDS", default=1.0)  # how often a process checks the Redis version
PROMPT_CANARY_PERCENT = env.float("PROMPT_CANARY_PERCENT", default=5.0)  # share of sessions a canary serves
PROMPT_CANARY_SECONDS = env.float("PROMPT_CANARY_SECONDS", default=48 * 3600)  # then promote, extend or ask
PROMPT_CANARY_SWEEP_SECONDS = env.float("PROMPT_CANARY_SWEEP_SECONDS", default=60)
PROMPT_CANARY_MIN_FEEDBACK = env.int("PROMPT_CANARY_MIN_FEEDBACK", default=30)  # trusted thumbs per arm
PROMPT_CANARY_MIN_ANSWERS = env.int("PROMPT_CANARY_MIN_ANSWERS", default=30)  # answers per arm (escalation, grounding)
PROMPT_SYSTEM_TOKEN_BUDGET = env.int("PROMPT_SYSTEM_TOKEN_BUDGET", default=1200)

# --- throughput, Bedrock client, degradation (issue 10; README "Scaling") ----------------------------------------
# A Bedrock-compatible endpoint (the local server chat/bedrock_local.py in tests and benchmarks); empty: AWS.
BEDROCK_ENDPOINT_URL = env.str("BEDROCK_ENDPOINT_URL", default="")
BEDROCK_CALL_TIMEOUT_SECONDS = env.float("BEDROCK_CALL_TIMEOUT_SECONDS", default=10)  # one Sonnet call's read timeout
# The store promises an answer within 3 s: a Bedrock turn's model calls end within this, and a turn whose model was
# not done by then is answered offline (and counts as a slow turn for degradation).
BEDROCK_TURN_SECONDS = env.float("BEDROCK_TURN_SECONDS", default=2.7)
BEDROCK_MAX_CONNECTIONS = env.int("BEDROCK_MAX_CONNECTIONS", default=64)  # per process: >= the worker's threads
# Turn threads of one process computing at once (common/cpu.py); the rest of CELERY_CONCURRENCY waits on Bedrock.
WORKER_CPU_SLOTS = env.int("WORKER_CPU_SLOTS", default=2)
# Graceful degradation (chat/degradation.py): limits over the last DEGRADE_WINDOW turns, p90
DEGRADE_QUEUE_WAIT_SECONDS = env.float("DEGRADE_QUEUE_WAIT_SECONDS", default=1.0)  # message stored → turn started
DEGRADE_TURN_SECONDS = env.float("DEGRADE_TURN_SECONDS", default=3.0)  # turn started → draft ready
DEGRADE_DAILY_SPEND_USD = env.float("DEGRADE_DAILY_SPEND_USD", default=300.0)  # Bedrock USD per JST day
DEGRADE_RECOVER_RATIO = env.float("DEGRADE_RECOVER_RATIO", default=0.8)  # step up below this share: above a normal turn (~2 s)
DEGRADE_WINDOW = env.int("DEGRADE_WINDOW", default=20)
DEGRADE_PROBE_SHARE = env.float("DEGRADE_PROBE_SHARE", default=0.05)  # turns run one tier higher to test recovery

# Session memory (chat/memory.py): the recent turns given to a backend fit this many estimated tokens, besides the
# count limit (RECENT_TURNS exchanges).
CHAT_HISTORY_MAX_TOKENS = env.int("CHAT_HISTORY_MAX_TOKENS", default=3000)

# Signed customer identity (mangaassist/security.py, README "Who the customer is"): the secret the store's backend
# signs identity tokens with. Empty: refused outside DEBUG; in DEBUG the demo page signs with a key derived from
# SECRET_KEY.
CUSTOMER_IDENTITY_SECRET = env.str("CUSTOMER_IDENTITY_SECRET", default="")
