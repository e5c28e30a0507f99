"""Settings read from the environment (django-environ).

The defaults give the embedded platform `make run` starts: SQLite, filesystem storage, a
filesystem Celery broker. Set DATABASE_URL / REDIS_URL / VLLM_URL / AWS_* to use the real
services; `sanoweb.settings_production` tightens everything for a deployment.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ

from .production_guard import DEV_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("SANOWEB_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# The fallback key is for local development only; production settings refuse it.
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    # tenants first: its `migrate` and `flush` commands wrap Django's (owner role on PostgreSQL).
    "tenants",
    "curation",
    "training",
    "knowledge",  # per-tenant documents and retrieval (below inference, which grounds on it)
    "inference",
    "usage",  # what each tenant used and what it costs: above the apps it counts
    "leakage",  # the leakage report: above training and inference, owns no tables
    "offboarding",  # export and deletion of whole tenants: above every app it reads
    "demo",  # above every app it seeds
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sanoweb.csp.ContentSecurityPolicy",  # on every response, error pages included
    # Static files without DEBUG (runserver only serves them with DEBUG on); from STATIC_ROOT,
    # which scripts/run.sh fills with collectstatic, and from the apps' folders too with DEBUG.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "tenants.idle.IdleLogout",
    "tenants.mfa.RequireSecondFactor",  # after the idle logoff: a lapsed session is logged out
    "tenants.middleware.RefuseNulCharacters",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tenants.middleware.TenantMiddleware",
]

ROOT_URLCONF = "sanoweb.urls"
WSGI_APPLICATION = "sanoweb.wsgi.application"

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
                "tenants.context_processors.tenancy",
                "training.context_processors.team_model",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL is the runtime role. On PostgreSQL it must not own the tables and must not be
# a superuser or BYPASSRLS role (a system check enforces this); DATABASE_OWNER_URL is the role
# that owns the tables and runs migrations.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves several threads and a worker: wait for the write lock, and
    # take it when a transaction starts (no read-to-write upgrade that fails as "locked").
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE"})
DATABASES["default"].setdefault("TEST", {})
DATABASE_OWNER_URL = env.str("DATABASE_OWNER_URL", default="")
DATABASE_APP_ROLE = DATABASES["default"].get("USER", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Deployment -----------------------------------------------------------------------------
# settings_production sets it: start-up checks on the runtime connection (production_guard).
PRODUCTION = False
# `manage.py seed_demo` creates users with published passwords; production refuses it.
DEMO_SEED_ALLOWED = True

# --- Auth and sessions ----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# HIPAA 164.312(a)(2)(iii) automatic logoff: sessions expire after 30 idle minutes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
# ...counted from the last request the user made: background polling does not extend it.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# Login lockout per (e-mail, client address): this many failures within the window lock it.
AUTHENTICATION_BACKENDS = ["tenants.lockout.LockoutBackend"]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
# A TOTP second factor is always required of tenant admins, reviewers and operators
# (tenants/mfa.py); of clinicians where their tenant asks for it, or everywhere with this on.
MFA_FOR_CLINICIANS = env.bool("MFA_FOR_CLINICIANS", default=False)
OTP_TOTP_ISSUER = "Sanoweb"
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# sanoweb.csp. 'unsafe-inline' because the templates carry inline <script> and <style> blocks
# and style attributes; moving them to static files (or nonces) would let it go.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# --- Signing ---
# Ed25519 key for export manifests and deletion certificates; kept outside the database.
PLATFORM_SIGNING_KEY = env.str("PLATFORM_SIGNING_KEY",
                               default=str(VAR_DIR / "keys" / "platform_ed25519.pem"))
# Outside production a missing key file is created on first use; production refuses instead.
PLATFORM_SIGNING_KEY_AUTOCREATE = True
# Seconds between signed checkpoints of every tenant's audit chain head (same key).
AUDIT_CHECKPOINT_INTERVAL = env.int("AUDIT_CHECKPOINT_INTERVAL", default=60 * 60)

# --- Audit sequencing (tenants.audit, tenants.sequencer) ---
# "batched" (PostgreSQL): appends only accept, a sequencer chains them in batches; "inline":
# each append chains its entry under the head lock (SQLite, where writers are few anyway).
_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
AUDIT_SEQUENCING = env.str("AUDIT_SEQUENCING", default="batched" if _IS_POSTGRES else "inline")
# The sequencer's sweep: an accepted entry waits at most about this long (seconds) when its
# own process's nudge is lost (the process died); nudged entries go in ~AUDIT_SEQUENCE_GATHER.
AUDIT_SEQUENCE_INTERVAL = env.float("AUDIT_SEQUENCE_INTERVAL", default=0.5)
# After a nudge the sequencer waits this long for more commits to join the batch: fewer, larger
# batches (bench/audit_bench.py: with 16 writers on 2 cores a shorter wait spends the CPU on
# waking up instead of on appends).
AUDIT_SEQUENCE_GATHER = env.float("AUDIT_SEQUENCE_GATHER", default=0.05)
AUDIT_SEQUENCE_BATCH = env.int("AUDIT_SEQUENCE_BATCH", default=500)
# Each accepting process runs a sequencer thread; off where `manage.py audit_sequencer` runs.
AUDIT_SEQUENCER_THREAD = env.bool("AUDIT_SEQUENCER_THREAD", default=True)

# --- Storage ----------------------------------------------------------------------------------
# Tenant objects live under tenants/<tenant-uuid>/ of this storage; S3 when a bucket is set.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "location": env.str("AWS_LOCATION", default="sanoweb"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "file_overwrite": False,
            "default_acl": None,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Celery -------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # Redis re-delivers unacknowledged tasks after this; it must exceed the longest training job.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 12 * 3600}
else:
    # The embedded default: a filesystem broker, so a real worker runs with nothing installed.
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'results'}"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_DEFAULT_QUEUE = "default"
# Training and the evaluation that follows it run on the hosts that hold the GPUs.
CELERY_TASK_ROUTES = {"training.tasks.*": {"queue": "gpu"},
                      "inference.tasks.evaluate_adapter": {"queue": "gpu"}}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "isolation-canary": {"task": "inference.tasks.isolation_canary", "schedule": 15 * 60},
    "reap-stale-training-runs": {"task": "training.tasks.reap_stale_runs", "schedule": 5 * 60},
    # Signed audit checkpoints outside the database (tenants.checkpoints).
    "audit-checkpoints": {"task": "tenants.tasks.checkpoint_audit_chains",
                          "schedule": AUDIT_CHECKPOINT_INTERVAL},
    # An export bundle not downloaded by its expiry is deleted within five minutes of it.
    "expire-exports": {"task": "offboarding.tasks.expire_exports", "schedule": 5 * 60},
}

# --- Offboarding -------------------------------------------------------------------------------
# Seconds a purge waits for the tenant's runs, exports and streams to stop before it is retried.
PURGE_STOP_WAIT = env.int("PURGE_STOP_WAIT", default=120)

# --- Inference ------------------------------------------------------------------------------------
VLLM_URL = env.str("VLLM_URL", default="http://127.0.0.1:8011")
# The serving engine's LoRA limits; training refuses a rank the server could not load.
VLLM_MAX_LORA_RANK = env.int("VLLM_MAX_LORA_RANK", default=16)
VLLM_MAX_LORAS = env.int("VLLM_MAX_LORAS", default=4)
VLLM_MAX_CPU_LORAS = env.int("VLLM_MAX_CPU_LORAS", default=8)
VLLM_BASE_NAME = "base"  # --served-model-name of the base model
VLLM_TIMEOUT = env.float("VLLM_TIMEOUT", default=120.0)
# The engine's context window (--max-model-len): the launcher passes it to vLLM and the router
# fits every request into it, so a long conversation is trimmed here, never refused there.
VLLM_MAX_MODEL_LEN = env.int("VLLM_MAX_MODEL_LEN", default=2048)
# Local copies of adapters handed to vLLM, one folder per content hash.
VLLM_ADAPTER_CACHE = Path(env.str("VLLM_ADAPTER_CACHE", default=str(VAR_DIR / "adapter-cache")))
INFERENCE_MAX_TOKENS = env.int("INFERENCE_MAX_TOKENS", default=512)
INFERENCE_API_KEY_DAYS = env.int("INFERENCE_API_KEY_DAYS", default=90)  # a key's lifetime
PUBLIC_MODEL_ALIAS = "sanoweb"  # the only model name tenants see

# --- Knowledge (per-tenant retrieval) -------------------------------------------------------------
KNOWLEDGE_MAX_UPLOAD_BYTES = env.int("KNOWLEDGE_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
KNOWLEDGE_TOP_K = env.int("KNOWLEDGE_TOP_K", default=4)  # passages put in front of the model
# Retrieved passages may take at most this many prompt tokens, and leave the answer at least
# KNOWLEDGE_ANSWER_RESERVE (or what it asked for, if less).
KNOWLEDGE_CONTEXT_TOKENS = env.int("KNOWLEDGE_CONTEXT_TOKENS", default=1024)
KNOWLEDGE_ANSWER_RESERVE = env.int("KNOWLEDGE_ANSWER_RESERVE", default=256)
# Each process keeps tenants' vector matrices in memory, least recently used out beyond this.
KNOWLEDGE_CACHE_BYTES = env.int("KNOWLEDGE_CACHE_BYTES", default=512 * 1024 * 1024)
# torch threads of the embedder in each process (queries in web processes, batches in workers)
KNOWLEDGE_EMBED_THREADS = env.int("KNOWLEDGE_EMBED_THREADS", default=1)
KNOWLEDGE_INGEST_SOFT_TIME_LIMIT = env.int("KNOWLEDGE_INGEST_SOFT_TIME_LIMIT", default=4 * 3600)
# an ingesting version whose worker has not reported for this long is started again
KNOWLEDGE_INGEST_STALE_AFTER = env.int("KNOWLEDGE_INGEST_STALE_AFTER", default=600)

# --- Training -----------------------------------------------------------------------------------
# Prepared base models live here (`manage.py prepare_base_model`).
MODELS_DIR = Path(env.str("MODELS_DIR", default=str(VAR_DIR / "models")))
TRAINING_MIN_EXAMPLES = env.int("TRAINING_MIN_EXAMPLES", default=2)
# The held-out evaluation split (curation.eval_split): the first EVAL_MIN approvals of a
# tenant, then the fraction of approvals whose keyed hash (EVAL_SEED) falls below it.
EVAL_FRACTION = env.float("EVAL_FRACTION", default=0.1)
EVAL_MIN = env.int("EVAL_MIN", default=5)
EVAL_SEED = env.str("EVAL_SEED", default="sanoweb-eval-1")
# Continuous retraining (training.retrain): a tenant whose own policy says nothing retrains once
# this many approved training examples are in no snapshot yet (0: never by itself); checked by
# Celery beat every RETRAIN_CHECK_INTERVAL seconds.
RETRAIN_AFTER_APPROVALS = env.int("RETRAIN_AFTER_APPROVALS", default=25)
RETRAIN_CHECK_INTERVAL = env.int("RETRAIN_CHECK_INTERVAL", default=10 * 60)
CELERY_BEAT_SCHEDULE["retrain-due-tenants"] = {"task": "training.tasks.retrain_due_tenants",
                                               "schedule": RETRAIN_CHECK_INTERVAL}
# Evaluation and the promotion gate (inference.evaluation, training.promotion): the worker
# evaluates every new adapter on its training set's held-out split through the serving engine,
# beside the pinned adapter and the base model, and pins it only when its must-say pass rate is
# not lower and its eval loss is lower by PROMOTION_MIN_LOSS_GAIN (a fraction of the pinned
# one's; a tenant's retrain policy may set its own).
EVALUATE_AFTER_TRAINING = env.bool("EVALUATE_AFTER_TRAINING", default=True)
EVALUATION_MAX_EXAMPLES = env.int("EVALUATION_MAX_EXAMPLES", default=64)
EVALUATION_MAX_TOKENS = env.int("EVALUATION_MAX_TOKENS", default=64)
EVALUATION_SAMPLES = env.int("EVALUATION_SAMPLES", default=5)  # prompts shown side by side
EVALUATION_CONCURRENCY = env.int("EVALUATION_CONCURRENCY", default=4)  # requests in flight
PROMOTION_MIN_LOSS_GAIN = env.float("PROMOTION_MIN_LOSS_GAIN", default=0.02)
TRAINING_SOFT_TIME_LIMIT = env.int("TRAINING_SOFT_TIME_LIMIT", default=6 * 3600)
# A run whose worker has not reported for this long is failed_system (worker lost).
TRAINING_STALE_AFTER = env.int("TRAINING_STALE_AFTER", default=15 * 60)

# Usage and cost (usage.costs): unit prices the usage page and the exports multiply the measured
# figures by. Defaults follow seed 001's arithmetic (an H100 GPU-hour, open-weight 70B pricing
# per million tokens, object storage per GB-month); cached prompt tokens are part of the prompt
# tokens and are charged at their own price.
USAGE_CURRENCY = env.str("USAGE_CURRENCY", default="USD")
USAGE_PRICE_GPU_HOUR = env.str("USAGE_PRICE_GPU_HOUR", default="3.00")
USAGE_PRICE_PROMPT_PER_1M = env.str("USAGE_PRICE_PROMPT_PER_1M", default="0.88")
USAGE_PRICE_CACHED_PER_1M = env.str("USAGE_PRICE_CACHED_PER_1M", default="0.44")
USAGE_PRICE_COMPLETION_PER_1M = env.str("USAGE_PRICE_COMPLETION_PER_1M", default="0.88")
USAGE_PRICE_STORAGE_GB_MONTH = env.str("USAGE_PRICE_STORAGE_GB_MONTH", default="0.023")

# --- REST framework -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # DRF defaults to AllowAny; every endpoint must opt out of authentication explicitly.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # A tenant API key (Authorization: Bearer) acts as the member who created it, with that
    # member's role now; a signed-in session as before (with its CSRF check).
    "DEFAULT_AUTHENTICATION_CLASSES": ["inference.api_auth.TenantKeyAuthentication",
                                       "rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Malformed, deeply nested or oversized JSON is a 400/413, never a 500.
    "DEFAULT_PARSER_CLASSES": ["tenants.parsers.SafeJSONParser",
                               "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "EXCEPTION_HANDLER": "tenants.parsers.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sanoweb API",
    "DESCRIPTION": "Tenant-scoped curation, training and inference API.",
    "VERSION": "0.1.0",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # presidio logs every recognizer it loads; only its warnings matter here.
    "loggers": {"presidio-analyzer": {"level": "WARNING"},
                "presidio-anonymizer": {"level": "WARNING"}},
}


def _db_user(url: str) -> str:
    return urlsplit(url).username or ""


DATABASE_OWNER_ROLE = _db_user(DATABASE_OWNER_URL) if DATABASE_OWNER_URL else ""
