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
    # A worker's threads (requests, the alert lane, the outbox's senders) keep their connections: with the default
    # pool of 5, connections past the fifth were closed on return and reopened (a PostgreSQL backend forked each
    # time) every few requests under load.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 12, "max_overflow": 8}
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

    # The development mail catcher's folder (make run sets it): /dev/mail lists what it caught. Development only.
    DEV_MAIL_DIR = os.environ.get("DEV_MAIL_DIR") or None

    # How new outbox messages leave after commit: "thread" (a small pool in this process),
    # "sync" (in the committing thread; tests) or "off" (only the scheduler's sweep sends).
    NOTIFY_DISPATCH = os.environ.get("NOTIFY_DISPATCH", "thread")
    NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "12"))
    NOTIFY_SENDING_LEASE_SECONDS = int(os.environ.get("NOTIFY_SENDING_LEASE_SECONDS", "120"))
    WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "5"))
    # Web Push: a VAPID key from the environment (PEM, or base64url of the raw 32-byte private key) wins over
    # the one `flask setup` stores in the database; the subject is how push services can reach the operator.
    VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY") or None
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:no-reply@crisiscomm.local")
    PUSH_TIMEOUT = float(os.environ.get("PUSH_TIMEOUT", "10"))
    PUSH_TTL_SECONDS = int(os.environ.get("PUSH_TTL_SECONDS", "86400"))
    CONTACT_CODE_MAX_AGE_MINUTES = int(os.environ.get("CONTACT_CODE_MAX_AGE_MINUTES", "60"))

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
    # Emails (.eml uploads, the CLI and the press mailbox): the same size limit; attachments kept with an inquiry.
    MAX_EML_BYTES = int(os.environ.get("MAX_EML_BYTES", os.environ.get("MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))))
    INQUIRY_ATTACHMENT_MAX_BYTES = int(os.environ.get("INQUIRY_ATTACHMENT_MAX_BYTES", str(5 * 1024 * 1024)))
    INQUIRY_ATTACHMENT_MAX_COUNT = int(os.environ.get("INQUIRY_ATTACHMENT_MAX_COUNT", "20"))
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR") or None  # default: instance/attachments
    # Press mailbox passwords are encrypted with the first of these Fernet keys and read with any of them
    # (rotation: put the new key first, run `flask inquiries rotate-mailbox-keys`, then drop the old one).
    # Unset: one key derived from SECRET_KEY.
    MAILBOX_KEYS = os.environ.get("MAILBOX_KEYS") or None
    MAILBOX_POLL_SECONDS = int(os.environ.get("MAILBOX_POLL_SECONDS", "120"))
    MAILBOX_TIMEOUT = float(os.environ.get("MAILBOX_TIMEOUT", "20"))
    MAILBOX_CA_FILE = os.environ.get("MAILBOX_CA_FILE") or None
    ACK_LINK_MAX_AGE_HOURS = int(os.environ.get("ACK_LINK_MAX_AGE_HOURS", "72"))

    # Dashboards (Ministry overview, inquiry figures) are recomputed at most this often per worker; 0: always.
    FIGURES_CACHE_SECONDS = int(os.environ.get("FIGURES_CACHE_SECONDS", "30"))

    # Behind a reverse proxy (nginx) that sets X-Forwarded-For/-Proto/-Host: trust one hop.
    PROXY_FIX = env_bool("PROXY_FIX")

    # Reminders to whoever has not acknowledged: the first after this many hours, then again after each
    # such delay, at most this many times (orientation messages to schools, scenario templates to Departments).
    ORIENTATION_REMINDER_DELAY_HOURS = float(os.environ.get("ORIENTATION_REMINDER_DELAY_HOURS", "2"))
    ORIENTATION_REMINDER_MAX = int(os.environ.get("ORIENTATION_REMINDER_MAX", "2"))
    # A reminder by hand within this many minutes of the last round is refused (a double click sends one).
    ORIENTATION_REMINDER_MIN_GAP_MINUTES = float(os.environ.get("ORIENTATION_REMINDER_MIN_GAP_MINUTES", "10"))
    SCENARIO_REMINDER_DELAY_HOURS = float(os.environ.get("SCENARIO_REMINDER_DELAY_HOURS", "72"))
    SCENARIO_REMINDER_MAX = int(os.environ.get("SCENARIO_REMINDER_MAX", "3"))

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
    DEV_MAIL_DIR = None


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret"
    NOTIFY_DISPATCH = "sync"
    SCHEDULER_MODE = "off"
    MAIL_TIMEOUT = 3
    FIGURES_CACHE_SECONDS = 0
    BASE_URL = "http://localhost"
    DEV_MAIL_DIR = None


def config_for_env():
    env = os.environ.get("CRISISCOMM_ENV", "development").lower()
    return ProductionConfig if env == "production" else Config
