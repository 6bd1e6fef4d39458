"""defrel settings: everything that differs between machines comes from the environment."""
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from defrel.databases import databases
from defrel.observability import init_sentry, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    return env(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# DEFREL_ENV=production turns on everything a public deployment needs (HTTPS, HSTS, hashed
# static files) and refuses to start without a SECRET_KEY; development is the default.
PRODUCTION = env("DEFREL_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    SECRET_KEY = "defrel-development-key-not-for-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "defrel.admin_site.AdminConfig",  # django.contrib.admin with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here: no CDN
    "defrel",
    "partners",
    "meetings",
]

MIDDLEWARE = [
    # First: the whole request runs in the frame stack's room it makes (defrel.frame_stack).
    "defrel.frame_stack.FrameRoomMiddleware",
    "defrel.observability.RequestLogMiddleware",  # times and logs the whole request
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the database (sessions): where this request reads from.
    "defrel.replicas.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "defrel.middleware.JapaneseByDefaultMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: its 400 page passes back through every middleware above (language, headers).
    "defrel.middleware.RefuseNulMiddleware",
    # After every other: it calls public views itself, answering 304 when nothing changed.
    "defrel.http_cache.PublicCacheMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "defrel.urls"
WSGI_APPLICATION = "defrel.wsgi.application"

# Django's own widgets drawn by Jinja2, the admin's by the Django engine (defrel.renderers).
FORM_RENDERER = "defrel.renderers.WidgetsInJinja2"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "defrel.stamp.context",
            ],
        },
    },
]

# DATABASE_URL, DATABASE_REPLICA_URLS, DATABASE_POOLER (see defrel.databases). CONN_MAX_AGE: seconds
# a worker keeps its connection (60; reopening one costs more than most pages: PostgreSQL's
# handshake, SQLite's schema and page cache read anew); PostgreSQL without a pooler uses
# psycopg's pool instead (DATABASE_POOL_SIZE connections a process at most, 4).
DATABASES = databases(os.environ, BASE_DIR)
DATABASE_ROUTERS = ["defrel.replicas.ReplicaRouter"]
REPLICA_DATABASES = [alias for alias in DATABASES if alias != "default"]
# A replica further behind than this many seconds is skipped (checked at most every
# REPLICA_CHECK_SECONDS per process); an editor's session reads from the primary for
# REPLICA_PIN_SECONDS after each request that wrote, so it sees its own writes.
REPLICA_MAX_LAG = float(env("REPLICA_MAX_LAG", "10"))
REPLICA_CHECK_SECONDS = float(env("REPLICA_CHECK_SECONDS", "5"))
REPLICA_PIN_SECONDS = int(env("REPLICA_PIN_SECONDS", "30"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several app servers share one cache (and so the public pages' cached parts) through Redis;
# one process keeps its own. The data stamps live in the database (defrel.stamp).
REDIS_URL = env("REDIS_URL")
# Every key is under the deployment's version (defrel.deployed): what an earlier deployment
# kept in Redis is never read as what this one draws.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                      "KEY_PREFIX": "defrel", "KEY_FUNCTION": "defrel.deployed.cache_key"} if REDIS_URL else
          {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
           "KEY_FUNCTION": "defrel.deployed.cache_key",
           # Django's 300 entries are fewer than what the pages keep at 200 partners (a row of
           # each partner in the agreements matrix for each language, a profile's parts, the
           # counts of each list asked): the benchmark's pages kept 630, and with 300 the matrix
           # threw out its own rows while it drew them (bench/NOTES.md, "A cell kept under what
           # it shows"). A search keeps at most 20,000 ids (about 100 KB).
           "OPTIONS": {"MAX_ENTRIES": 3000}}}
# How long a browser or proxy may show a public page before asking again (with its ETag).
DEFREL_PUBLIC_MAX_AGE = int(env("DEFREL_PUBLIC_MAX_AGE", "60"))
# After that, how long it may still show the page it has while it asks again in the
# background (stale-while-revalidate: the reader is answered at once with the page kept), and
# while no app server answers (stale-if-error: a reader gets the page as it was, not an error).
DEFREL_PUBLIC_STALE_WHILE_REVALIDATE = int(env("DEFREL_PUBLIC_STALE_WHILE_REVALIDATE", "30"))
DEFREL_PUBLIC_STALE_IF_ERROR = int(env("DEFREL_PUBLIC_STALE_IF_ERROR", "3600"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "defrel" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# Where ``manage.py release`` writes the data releases the site serves (git-ignored).
RELEASES_DIR = Path(env("RELEASES_DIR", BASE_DIR / "releases"))

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if not PRODUCTION
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

ADMIN_URL = env("ADMIN_URL", "admin/")
LOGIN_URL = "admin:login"

# Uploads: imports are small editorial files; a larger one is refused before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DEFREL_IMPORT_MAX_BYTES = int(env("DEFREL_IMPORT_MAX_BYTES", str(2 * 1024 * 1024)))
# A larger upload (about 1,500 rows) is checked and imported off the request, its page reloading
# until each step is done (defrel.imports.background): 20,000 rows take about 20 s a step.
DEFREL_IMPORT_BACKGROUND_BYTES = int(env("DEFREL_IMPORT_BACKGROUND_BYTES", "100000"))
# Rows an import takes: more than any curated table; a workbook claiming more is refused unread.
DEFREL_IMPORT_MAX_ROWS = int(env("DEFREL_IMPORT_MAX_ROWS", "20000"))

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False  # defrel.exports escapes every export itself

# Login throttling: five failures for one user name from one address lock that name out there
# for an hour (so nobody elsewhere can lock an editor out); DEFREL_ADDRESS_FAILURE_LIMIT failures
# from one address over any names lock the address (a password spray). See defrel.security.
AXES_HANDLER = "defrel.security.SprayLimitedHandler"
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
DEFREL_ADDRESS_FAILURE_LIMIT = int(env("DEFREL_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_CLIENT_IP_CALLABLE = "defrel.security.client_ip"
# How many trusted proxies stand in front (each appends to X-Forwarded-For); 0 = none. Behind a
# proxy it must be set: otherwise every client has the proxy's address, and five wrong passwords
# from anyone lock an editor out (production's deployment check warns when it is not set).
DEFREL_PROXY_COUNT = int(env("DEFREL_PROXY_COUNT", "0"))
DEFREL_PROXY_COUNT_SET = env("DEFREL_PROXY_COUNT") is not None

# The read-only JSON API (meetings.api, whose docstring says why DRF and drf-spectacular):
# anonymous, so no session is read, no CSRF cookie set and nothing but GET (HEAD, OPTIONS)
# answered; JSON only (the browsable renderer's forms would set the CSRF cookie). Each
# anonymous client (by address; DEFREL_PROXY_COUNT proxies in front) gets DEFREL_API_RATE
# requests, counted in the cache (Redis when several servers share it).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("DEFREL_API_RATE", "60/minute")},
    "NUM_PROXIES": int(env("DEFREL_PROXY_COUNT", "0")),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNICODE_JSON": True,
    # ?format= is the meetings' filter (in_person, video, phone), as on the HTML list and in the
    # CSV: the lists have one representation, JSON, so DRF's URL override of it is switched
    # off everywhere rather than per view (it also rides along on DRF's reverse() links). Only
    # the OpenAPI description, which takes no filter, keeps ?format=json|yaml (meetings.api.schema).
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "defrel API",
    "DESCRIPTION": _("Japan's defence relations, read-only: every public list and record as JSON, "
                     "with the HTML lists' filters and facets and the CSV exports' columns."),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "meetings.api.schema.licence"],
}

# No inline script anywhere; styles from our own files only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# The admin's language form sets this cookie (the public site's switch is plain links and sets
# none): it goes out on same-site requests only and no script needs to read it.
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# LOG_FORMAT=json: one JSON line per record, and one per request (method, path, status,
# duration_ms, db). SENTRY_DSN: errors go to Sentry.
LOGGING = logging_config(env("LOG_FORMAT", "text"), env("LOG_LEVEL", "WARNING"))
init_sentry(env("SENTRY_DSN"), env("SENTRY_ENVIRONMENT", "production" if PRODUCTION else "development"))
