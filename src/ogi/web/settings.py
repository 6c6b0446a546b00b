"""Django settings. The database is SQLite in ogi's data directory unless OGI_DATABASE_URL
names a PostgreSQL database (postgresql://user:password@host:port/name)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

from ogi.paths import data_dir

DATA_DIR = data_dir()
BASE_DIR = Path(__file__).resolve().parent


def _secret_key() -> str:
    env = os.environ.get("OGI_SECRET_KEY")
    if env:
        return env
    f = DATA_DIR / "secret_key"
    try:
        key = f.read_text(encoding="ascii").strip()
        empty = True  # (when key is "": left empty by a crash before this was atomic; unusable)
    except FileNotFoundError:
        key, empty = "", False
    if key:
        return key
    # Made whole, then put in place only if no other process (a second server worker, a
    # command started at the same moment) got there first: never read half-written.
    tmp = DATA_DIR / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_urlsafe(50))
    try:
        if empty:
            os.replace(tmp, f)
        else:
            os.link(tmp, f)  # fails if another process put its key in place meanwhile
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return f.read_text(encoding="ascii").strip()


def _database() -> dict:
    url = os.environ.get("OGI_DATABASE_URL")
    if not url:
        # A file, also for tests: concurrent connections must see one database.
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "ogi.sqlite3"),
                # WAL: readers never wait for the writer, a crash mid-write leaves the last commit
                # intact, and `ogi backup` copies a consistent snapshot while the server writes.
                "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL"},
                "TEST": {"NAME": str(DATA_DIR / "test-ogi.sqlite3")}}
    u = urlparse(url)
    if u.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"OGI_DATABASE_URL: unsupported database {u.scheme!r} (postgresql only)")
    return {"ENGINE": "django.db.backends.postgresql", "NAME": (u.path or "/").lstrip("/") or "ogi",
            "USER": unquote(u.username or ""), "PASSWORD": unquote(u.password or ""),
            "HOST": u.hostname or "", "PORT": str(u.port or "")}


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("OGI_DEBUG") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("OGI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the API pages' assets itself (no CDN)
    "ogi.web.apps.LoginThrottleConfig",  # django-axes, named in Chinese
    "ogi.web",  # the site's layout, error pages, shared tags and scripts
    "ogi.web.accounts",
    "ogi.web.ledger",
    "ogi.web.reporting",
    "ogi.web.portal",
    "ogi.web.supervision",
    "ogi.web.api",
    "ogi.web.demo",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "ogi.web.security.NoStore",
    "ogi.web.errors.MethodNotAllowedPage",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ogi.web.accounts.middleware.ForcePasswordChange",
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
ROOT_URLCONF = "ogi.web.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "ogi.web.accounts.context.staff",
    ]},
}]
WSGI_APPLICATION = "ogi.web.wsgi.application"
DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Every page, form error and message is in Chinese, whatever the browser asks for.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Chinese for the admin's captions that Django and django-axes leave untranslated.
LOCALE_PATHS = [str(Path(__file__).resolve().parent / "locale")]
CSRF_FAILURE_VIEW = "ogi.web.errors.csrf_failure"
# The supervising office's upload takes up to this many files in one form (more go as a ZIP).
DATA_UPLOAD_MAX_NUMBER_FILES = 200
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = str(DATA_DIR / "static")
Path(STATIC_ROOT).mkdir(exist_ok=True)
STORAGES = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
SESSION_COOKIE_HTTPONLY = True

# Behind a reverse proxy that terminates HTTPS (OGI_HTTPS=1): cookies only over HTTPS, and
# the proxy's X-Forwarded-Proto believed. The client's address: ledger.security.client_address
# with OGI_TRUSTED_PROXIES.
HTTPS = os.environ.get("OGI_HTTPS") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("OGI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script anywhere: pages load their scripts from ogi's own static files.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"], "font-src": ["'self'", "data:"], "connect-src": ["'self'"],
    "object-src": ["'none'"], "base-uri": ["'self'"], "form-action": ["'self'"], "frame-ancestors": ["'none'"],
}}

# Login throttling (django-axes): five wrong passwords for one account from one address lock
# that pair out for 15 minutes. Keyed by both, so a stranger cannot lock a colleague out from
# elsewhere, and one office behind a shared address is not locked out by one person.
AXES_FAILURE_LIMIT = int(os.environ.get("OGI_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("OGI_LOGIN_LOCK_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "ogi.web.security.client_address"
AXES_LOCKOUT_CALLABLE = "ogi.web.accounts.views.locked_out"
AXES_VERBOSE = False

# Errors leave a trace: stderr and a rotating file in the data directory. A failed request is
# logged with its method, path and traceback — never the query string, the form or cookies.
LOG_DIR = DATA_DIR / "logs"
LOG_DIR.mkdir(exist_ok=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_query": {"()": "ogi.web.logfilter.NoPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_query"]},
        "file": {"class": "logging.handlers.RotatingFileHandler", "filename": str(LOG_DIR / "ogi.log"),
                 "maxBytes": 5 * 1024 * 1024, "backupCount": 5, "encoding": "utf-8", "formatter": "plain",
                 "filters": ["no_query"], "delay": True},
    },
    "loggers": {
        "django.request": {"handlers": ["stderr", "file"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["stderr", "file"], "level": "WARNING", "propagate": False},
        "ogi": {"handlers": ["stderr", "file"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["file"], "level": "WARNING", "propagate": False},
    },
}

# Reminder e-mail (`ogi remind`): sent only when an SMTP server is named.
EMAIL_HOST = os.environ.get("OGI_SMTP_HOST", "")
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                 else "django.core.mail.backends.dummy.EmailBackend")
def _port(name: str, default: int) -> int:
    raw = os.environ.get(name) or str(default)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"环境变量 {name} 应为 1 至 65535 之间的端口号，而不是“{raw[:20]}”")
    return int(raw)


EMAIL_PORT = _port("OGI_SMTP_PORT", 25)
EMAIL_HOST_USER = os.environ.get("OGI_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("OGI_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("OGI_SMTP_TLS") == "1"
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("OGI_MAIL_FROM", "ogi@localhost")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Uploaded report files (previous year's report, the filled-in workbook): refused above this size before
# the body is read; read in a bounded worker process (ogi.ingest.bounded) with the limits of ogi.ingest.limits,
# these overrides, and a timeout shorter than a reverse proxy's (commonly 30–60 s); at most this many at once.
OGI_UPLOAD_MAX_BYTES = int(os.environ.get("OGI_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
OGI_LIMITS: dict = {"timeout_s": float(os.environ.get("OGI_UPLOAD_TIMEOUT", "25"))}
OGI_UPLOAD_READERS = int(os.environ.get("OGI_UPLOAD_READERS", "2"))
# The check API's jobs (large files and scans): read at once per server, waiting beyond those,
# hours a result is kept, seconds one file may take; smaller files of quick formats are answered at once.
OGI_CHECK_WORKERS = int(os.environ.get("OGI_CHECK_WORKERS", "2"))
OGI_CHECK_QUEUE = int(os.environ.get("OGI_CHECK_QUEUE", "20"))
OGI_CHECK_KEEP_HOURS = float(os.environ.get("OGI_CHECK_KEEP_HOURS", "24"))
OGI_CHECK_TIMEOUT = float(os.environ.get("OGI_CHECK_TIMEOUT", "600"))
OGI_CHECK_SYNC_BYTES = int(os.environ.get("OGI_CHECK_SYNC_BYTES", str(1024 * 1024)))
