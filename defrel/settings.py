"""defrel settings: everything that differs between machines comes from the environment."""
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    return env(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def conn_max_age():
    """Seconds a worker keeps its database connection. Reopening one costs more than most
    pages: PostgreSQL's handshake, and SQLite's schema and page cache, read anew."""
    return int(env("CONN_MAX_AGE", "60"))


def database_from_url(url):
    """sqlite:///path or postgres://user:pass@host:port/name, as most hosts hand them out."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:////abs/path keeps its leading slash; sqlite:///rel/path is relative to BASE_DIR.
        name = path[1:] if path.startswith("//") else BASE_DIR / path.lstrip("/")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name or BASE_DIR / "db.sqlite3",
                "CONN_MAX_AGE": conn_max_age()}
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": parts.port or "",
            "CONN_MAX_AGE": conn_max_age(),
            # PostgreSQL compiles a query it estimates as costly (a deep page, an export batch)
            # before running it: tens of milliseconds to seconds that pages of 50 rows never win back.
            # Its default random_page_cost (4) prices an index lookup for a disk that seeks; a
            # defrel database is read from memory, and at 4 the export scanned the whole table
            # of countries once per meeting instead of looking its partners up (1.5× slower).
            "OPTIONS": {"options": "-c jit=off -c random_page_cost=1.1"},
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")


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
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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

DATABASES = {"default": database_from_url(env("DATABASE_URL", "sqlite:///db.sqlite3"))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers go on while an editor writes; IMMEDIATE avoids "database is locked"
    # on the upgrade from a read to a write lock inside a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several app servers share one cache (and so the public pages' cached parts) through Redis;
# one process keeps its own. The data stamps live in the database (defrel.stamp).
REDIS_URL = env("REDIS_URL")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                      "KEY_PREFIX": "defrel"} if REDIS_URL else
          {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a browser or proxy may show a public page before asking again (with its ETag).
DEFREL_PUBLIC_MAX_AGE = int(env("DEFREL_PUBLIC_MAX_AGE", "60"))

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

