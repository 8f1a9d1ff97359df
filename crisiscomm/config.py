"""Configuration classes; every value can be set from the environment."""
import os

TRUE = {"1", "true", "yes", "on"}


def env_bool(name, default=False):
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in TRUE


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"
    SQLALCHEMY_DATABASE_URI = None  # set in create_app: DATABASE_URL or a SQLite file in instance/
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Ho_Chi_Minh")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    LANGUAGES = ("vi", "en")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    MAIL_SERVER = os.environ.get("SMTP_HOST", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("SMTP_PORT", "25"))
    MAIL_USERNAME = os.environ.get("SMTP_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("SMTP_PASSWORD") or None
    MAIL_USE_TLS = env_bool("SMTP_STARTTLS")
    MAIL_USE_SSL = env_bool("SMTP_SSL")
    MAIL_TIMEOUT = float(os.environ.get("SMTP_TIMEOUT", "10"))
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "crisiscomm <no-reply@crisiscomm.local>")

    # How new outbox messages leave after commit: "thread" (a small pool in this process),
    # "sync" (in the committing thread; tests) or "off" (only the scheduler's sweep sends).
    NOTIFY_DISPATCH = os.environ.get("NOTIFY_DISPATCH", "thread")
    NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "12"))
    NOTIFY_SENDING_LEASE_SECONDS = int(os.environ.get("NOTIFY_SENDING_LEASE_SECONDS", "120"))
    WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "5"))

    # "off": no scheduler here (production web workers); "in-process": this process runs it
    # when it holds the database lease (make run); the `flask scheduler` command always does.
    SCHEDULER_MODE = os.environ.get("CRISISCOMM_SCHEDULER", "off")
    SCHEDULER_LEASE_SECONDS = int(os.environ.get("SCHEDULER_LEASE_SECONDS", "30"))
    SWEEP_INTERVAL_SECONDS = int(os.environ.get("SWEEP_INTERVAL_SECONDS", "20"))

    # Sign-in throttling (crisiscomm/users/throttle.py): free failures, then waits doubling from 2 s up to the
    # maximum, per account and address and (more loosely) per account; a known device is counted on its own.
    LOGIN_FREE_FAILURES = int(os.environ.get("LOGIN_FREE_FAILURES", "5"))
    LOGIN_MAX_DELAY_SECONDS = int(os.environ.get("LOGIN_MAX_DELAY_SECONDS", "60"))
    LOGIN_ACCOUNT_FREE_FAILURES = int(os.environ.get("LOGIN_ACCOUNT_FREE_FAILURES", "20"))
    LOGIN_ACCOUNT_MAX_DELAY_SECONDS = int(os.environ.get("LOGIN_ACCOUNT_MAX_DELAY_SECONDS", "900"))
    LOGIN_FORGET_MINUTES = int(os.environ.get("LOGIN_FORGET_MINUTES", "60"))
    KNOWN_DEVICE_DAYS = int(os.environ.get("KNOWN_DEVICE_DAYS", "180"))
    # /healthz details for a caller presenting this bearer token (monitoring); loopback callers always get them.
    HEALTH_TOKEN = os.environ.get("HEALTH_TOKEN") or None
    # Email sending failing for longer than this makes /healthz "degraded".
    SMTP_DEGRADED_MINUTES = int(os.environ.get("SMTP_DEGRADED_MINUTES", "5"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
    ACK_LINK_MAX_AGE_HOURS = int(os.environ.get("ACK_LINK_MAX_AGE_HOURS", "72"))

    # Dashboards (Ministry overview, inquiry figures) are recomputed at most this often per worker; 0: always.
    FIGURES_CACHE_SECONDS = int(os.environ.get("FIGURES_CACHE_SECONDS", "30"))

    # Behind a reverse proxy (nginx) that sets X-Forwarded-For/-Proto/-Host: trust one hop.
    PROXY_FIX = env_bool("PROXY_FIX")

    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 12 * 3600


class ProductionConfig(Config):
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret"
    NOTIFY_DISPATCH = "sync"
    SCHEDULER_MODE = "off"
    MAIL_TIMEOUT = 3
    FIGURES_CACHE_SECONDS = 0
    BASE_URL = "http://localhost"


def config_for_env():
    env = os.environ.get("CRISISCOMM_ENV", "development").lower()
    return ProductionConfig if env == "production" else Config
