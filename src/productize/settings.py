"""Django settings. Every value comes from a PRODUCTIZE_* variable (or DATABASE_URL); see README."""

from __future__ import annotations

from pathlib import Path

from productize.envconfig import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    parse_database_url,
)

PACKAGE_DIR = Path(__file__).resolve().parent

# Where the SQLite database and other runtime files live.
DATA_DIR = env_path("PRODUCTIZE_DATA_DIR", Path.cwd() / "data")

DEBUG = env_bool("PRODUCTIZE_DEBUG", False)

_secret = env_str("PRODUCTIZE_SECRET_KEY", "")
if not _secret:
    if not DEBUG and env_bool("PRODUCTIZE_REQUIRE_SECRET_KEY", False):
        raise ConfigError("PRODUCTIZE_SECRET_KEY must be set in production")
    # A development key: sessions do not survive a restart with a different key, which is fine
    # for local use; production sets PRODUCTIZE_SECRET_KEY (and PRODUCTIZE_REQUIRE_SECRET_KEY=1).
    _secret = "insecure-development-key-set-PRODUCTIZE_SECRET_KEY-in-production"  # noqa: S105
SECRET_KEY = _secret

ALLOWED_HOSTS = env_list("PRODUCTIZE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("PRODUCTIZE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "productize.accounts",
    "productize.audit",
    "productize.catalog",
    "productize.ingest",
    "productize.assessment",
    "productize.graph",
    "productize.loop",
    "productize.web",
]

MIDDLEWARE = [
    "productize.accounts.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "productize.accounts.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "productize.accounts.middleware.SignInRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "productize.urls"
WSGI_APPLICATION = "productize.wsgi.application"

TEMPLATES = [
    {
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
    }
]

_database_url = env_str("DATABASE_URL", "")
if _database_url:
    _db = parse_database_url(_database_url)
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "productize.sqlite3")}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on busy_timeout instead of failing with "database is locked" mid-way.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("PRODUCTIZE_SQLITE_BUSY_TIMEOUT", 20, minimum=1),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456;"
        ),
    }
# Persistent connections: opening one per request (and re-running SQLite's PRAGMAs) doubles
# request latency; health checks drop connections the database has closed.
_db["CONN_MAX_AGE"] = env_int("PRODUCTIZE_CONN_MAX_AGE", 600, minimum=0)
_db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
# Per-process cache of catalog aggregates and of anonymous pages, keyed on the catalog version
# (`catalog.selectors.caching`, `web.page_cache`). Django's default keeps 300 entries, which a
# few hundred distinct product pages would cull along with the facet counts.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5_000},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("PRODUCTIZE_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"

# Security: safe defaults, stricter when served over HTTPS.
HTTPS = env_bool("PRODUCTIZE_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_PRELOAD = HTTPS and env_bool("PRODUCTIZE_HSTS_PRELOAD", False)
# No inline scripts or styles anywhere: templates load app.js/app.css; htmx is configured not
# to inject styles or evaluate scripts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

# Accounts: sign-in, who may read, sign-in attempt limit, and mail for password resets.
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "me"
LOGOUT_REDIRECT_URL = "accounts:login"
ANONYMOUS_READ = env_bool("PRODUCTIZE_ANONYMOUS_READ", False)
SIGNIN_MAX_ATTEMPTS = env_int("PRODUCTIZE_SIGNIN_MAX_ATTEMPTS", 5, minimum=1)
SIGNIN_WINDOW_MINUTES = env_int("PRODUCTIZE_SIGNIN_WINDOW_MINUTES", 15, minimum=1)
# A public feedback form on each product page for people who are not signed in (rate limited).
PUBLIC_FEEDBACK = env_bool("PRODUCTIZE_PUBLIC_FEEDBACK", False)
EMAIL_BACKEND = env_str(
    "PRODUCTIZE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("PRODUCTIZE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("PRODUCTIZE_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("PRODUCTIZE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("PRODUCTIZE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("PRODUCTIZE_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("PRODUCTIZE_EMAIL_FROM", "productize@localhost")

# Sign-in with an OpenID Connect provider (Keycloak, Google, Entra ID...): on when an issuer
# (or the four endpoints) and a client id are set; docs/security.md has the steps. The names
# without PRODUCTIZE_ are mozilla-django-oidc's; endpoints left empty are discovered from
# the issuer's /.well-known/openid-configuration.
OIDC_ISSUER = env_str("PRODUCTIZE_OIDC_ISSUER", "").rstrip("/")
OIDC_PROVIDER_NAME = env_str("PRODUCTIZE_OIDC_PROVIDER_NAME", "single sign-on")
OIDC_RP_CLIENT_ID = env_str("PRODUCTIZE_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("PRODUCTIZE_OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = env_str("PRODUCTIZE_OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = env_str("PRODUCTIZE_OIDC_SIGN_ALGO", "RS256")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("PRODUCTIZE_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("PRODUCTIZE_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("PRODUCTIZE_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("PRODUCTIZE_OIDC_JWKS_ENDPOINT", "")
OIDC_CREATE_USER = env_bool("PRODUCTIZE_OIDC_CREATE_USERS", True)
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "productize.accounts.oidc.OIDCBackend",
]

# Server and ingest.
SERVE_HOST = env_str("PRODUCTIZE_HOST", "127.0.0.1")
SERVE_PORT = env_int("PRODUCTIZE_PORT", 8000, minimum=1)
SERVE_WORKERS = env_int("PRODUCTIZE_WORKERS", 2, minimum=1)
# Server-wide webhook secret: accepted in X-Productize-Secret for any source, and the key of
# GitHub-style X-Hub-Signature-256 body signatures (per-source secrets are stored hashed).
WEBHOOK_SECRET = env_str("PRODUCTIZE_WEBHOOK_SECRET", "")
# Backstage descriptor files that ingest reads besides productize's own (docs/backstage.md).
BACKSTAGE_FILE_NAMES = env_list(
    "PRODUCTIZE_BACKSTAGE_FILE_NAMES", ["catalog-info.yaml", "catalog-info.yml"]
)
PAGE_SIZE = env_int("PRODUCTIZE_PAGE_SIZE", 25, minimum=1)
MAX_PAGE_SIZE = env_int("PRODUCTIZE_MAX_PAGE_SIZE", 200, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PRODUCTIZE_LOG_LEVEL", "INFO")},
}
