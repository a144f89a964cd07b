"""Settings for each mode, read from the environment and chosen by PORTAL_ENV.

Settings are read when the app is created, not when this module is imported, so a test (or a
process manager) can change the environment and build a new app.
"""

import math
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
# Sessions, CSRF tokens and form stamps are signed with SECRET_KEY: shorter keys can be guessed.
MIN_SECRET_KEY_BYTES = 32
# A century: a longer period is surely a typo (and far enough back, dates stop at year 1).
MAX_RETENTION_DAYS = 36_525


class ConfigError(RuntimeError):
    """Raised when the environment lacks a setting the chosen mode requires."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    """Read a whole-number setting, failing with a clear message on a bad value."""
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _float(env: Mapping[str, str], name: str, default: float, unit: str = "seconds") -> float:
    """Read a number of `unit` (0 or more), failing with a clear message on a bad value."""
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number of {unit}, not {raw!r}") from exc
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"{name} must be a number of {unit}, 0 or more, not {raw!r}")
    return value


def _days(env: Mapping[str, str], name: str, default: int, most: int) -> int:
    """Read a whole number of days from 1 to `most`, failing with a clear message otherwise."""
    raw = env.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= most:
        raise ConfigError(f"{name} must be a whole number of days from 1 to {most:,}, not {raw!r}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    """Read a yes/no setting (1/0, true/false, yes/no, on/off), failing on anything else."""
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _timezone(env: Mapping[str, str], name: str, default: str) -> str:
    """Read an IANA time zone name (e.g. America/Chicago), failing on one that is unknown."""
    raw = env.get(name, "").strip() or default
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{name} must be an IANA time zone such as America/Chicago, not {raw!r}"
        ) from exc
    return raw


def _origins(env: Mapping[str, str], name: str) -> frozenset[str]:
    """Read web origins (scheme://host[:port], separated by commas or spaces), failing on
    anything else: a path, a wildcard, a missing scheme."""
    found = set()
    for raw in env.get(name, "").replace(",", " ").split():
        origin = raw.rstrip("/").lower()
        scheme, _, rest = origin.partition("://")
        if scheme not in ("http", "https") or not rest or any(c in rest for c in "/?#*@"):
            raise ConfigError(f"{name} lists origins such as https://crm.example.edu, not {raw!r}")
        found.add(origin)
    return frozenset(found)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(env: Mapping[str, str], name: str, default: str) -> str:
    """Read a log level in either case (gunicorn.conf.py lower-cases the same setting for
    gunicorn, logging wants upper case), failing on one that is unknown."""
    raw = env.get(name, "").strip().upper() or default
    if raw not in LOG_LEVELS:
        raise ConfigError(f"{name} must be one of {', '.join(LOG_LEVELS)} (any case), not {raw!r}")
    return raw


def engine_options(env: Mapping[str, str]) -> dict:
    """SQLAlchemy engine options: pool settings for a database server, none for SQLite."""
    # pre-ping: a connection the server dropped (a restart) is replaced, not handed to a request.
    # hide_parameters: a failed statement's values (a lead's name, email) never reach a log.
    options = {"pool_pre_ping": True, "hide_parameters": True}
    if env.get("DATABASE_URL", "").startswith("postgresql"):
        options.update(
            # Per gunicorn worker: sync workers use one connection at a time.
            pool_size=_int(env, "DB_POOL_SIZE", 5),
            max_overflow=_int(env, "DB_MAX_OVERFLOW", 5),
            pool_timeout=_int(env, "DB_POOL_TIMEOUT", 10),
            # Renew connections before firewalls or poolers in between silently drop them.
            pool_recycle=_int(env, "DB_POOL_RECYCLE", 1800),
            # A server that does not answer fails the request fast (503), not at the worker timeout.
            connect_args={"connect_timeout": _int(env, "DB_CONNECT_TIMEOUT", 5)},
        )
    return options


def limits_storage_options(uri: str) -> dict:
    """Redis client options: an unreachable Redis costs a request a second at most."""
    if uri.startswith(("redis://", "rediss://")):
        return {"socket_connect_timeout": 1, "socket_timeout": 1}
    return {}


def development_secret_key(folder: Path) -> str:
    """A random key made on first use and kept in folder/secret_key (instance/ is never
    committed), so sessions survive restarts and nobody else knows the key."""
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / f".secret_key.{os.getpid()}"
    draft.write_text(secrets.token_hex(32))
    draft.chmod(0o600)
    try:
        os.link(draft, path)  # atomic: of two processes starting at once, one key wins
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()


class Config:
    """Settings shared by every mode."""

    name = "base"

    @classmethod
    def settings(cls, env: Mapping[str, str]) -> dict:
        """Return the Flask settings for this mode from the given environment."""
        limits_uri = env.get("RATELIMIT_STORAGE_URI", "memory://")
        return {
            "PORTAL_ENV": cls.name,
            "SECRET_KEY": env.get("SECRET_KEY"),
            "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL"),
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(env),
            "SITE_NAME": "Medical Career Guide",
            # Who runs the site, as the privacy policy, the terms and the About page name them.
            "OPERATOR_NAME": env.get("OPERATOR_NAME", "The Medical Career Guide project"),
            # A postal address and an email for privacy questions, shown when set.
            "OPERATOR_ADDRESS": env.get("OPERATOR_ADDRESS", ""),
            "CONTACT_EMAIL": env.get("CONTACT_EMAIL", ""),
            # Per-IP limit on sending the contact and "Do Not Sell or Share" forms.
            # (Their minimum fill time and stamp age are LEAD_MIN_FILL_SECONDS and
            # LEAD_FORM_MAX_AGE_HOURS, as for the request-info form.)
            "CONTACT_RATE_LIMIT": env.get("CONTACT_RATE_LIMIT", "5 per minute; 20 per hour"),
            # Absolute URLs (sitemap, canonical links, Open Graph) start with this.
            "SITE_URL": env.get("SITE_URL", "http://127.0.0.1:5000").rstrip("/"),
            "RATELIMIT_STORAGE_URI": limits_uri,
            "RATELIMIT_STORAGE_OPTIONS": limits_storage_options(limits_uri),
            "RATELIMIT_ENABLED": _bool(env, "RATELIMIT_ENABLED", True),
            # When Redis is unreachable, count limits in each process's memory instead of
            # failing the request; Flask-Limiter returns to Redis once it answers again.
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
            "RATELIMIT_SWALLOW_ERRORS": True,
            # Per-IP limit on submitting the request-info form (Flask-Limiter syntax).
            "LEAD_RATE_LIMIT": env.get("LEAD_RATE_LIMIT", "10 per minute; 100 per hour"),
            # A form sent back sooner than this after it was shown is asked to be confirmed.
            "LEAD_MIN_FILL_SECONDS": _int(env, "LEAD_MIN_FILL_SECONDS", 3),
            # A form's signed stamp stores one lead, within this many hours of being shown.
            "LEAD_FORM_MAX_AGE_HOURS": _float(env, "LEAD_FORM_MAX_AGE_HOURS", 3.0, "hours"),
            "ADMIN_LOGIN_LIMIT_PER_IP": env.get(
                "ADMIN_LOGIN_LIMIT_PER_IP", "20 per minute; 100 per hour"
            ),
            # Failed sign-ins only, per account and client together; and per account from all
            # clients, a ceiling that stops only clients that failed recently (signin_limits).
            "ADMIN_LOGIN_LIMIT_PER_ACCOUNT": env.get(
                "ADMIN_LOGIN_LIMIT_PER_ACCOUNT", "5 per minute; 30 per hour"
            ),
            "ADMIN_LOGIN_LIMIT_ACCOUNT_WIDE": env.get(
                "ADMIN_LOGIN_LIMIT_ACCOUNT_WIDE", "100 per hour; 500 per day"
            ),
            # A signed-in admin's session ends this long after sign-in, or after this long idle.
            "ADMIN_SESSION_MAX_HOURS": _float(env, "ADMIN_SESSION_MAX_HOURS", 12.0, "hours"),
            "ADMIN_SESSION_IDLE_MINUTES": _float(
                env, "ADMIN_SESSION_IDLE_MINUTES", 30.0, "minutes"
            ),
            # The same for the schools' sign-in at /school (portal/school).
            "SCHOOL_LOGIN_LIMIT_PER_IP": env.get(
                "SCHOOL_LOGIN_LIMIT_PER_IP", "20 per minute; 100 per hour"
            ),
            "SCHOOL_LOGIN_LIMIT_PER_ACCOUNT": env.get(
                "SCHOOL_LOGIN_LIMIT_PER_ACCOUNT", "5 per minute; 30 per hour"
            ),
            "SCHOOL_LOGIN_LIMIT_ACCOUNT_WIDE": env.get(
                "SCHOOL_LOGIN_LIMIT_ACCOUNT_WIDE", "100 per hour; 500 per day"
            ),
            "SCHOOL_SESSION_MAX_HOURS": _float(env, "SCHOOL_SESSION_MAX_HOURS", 12.0, "hours"),
            "SCHOOL_SESSION_IDLE_MINUTES": _float(
                env, "SCHOOL_SESSION_IDLE_MINUTES", 60.0, "minutes"
            ),
            # A school may return a lead for credit within this many days of its capture (UTC).
            "LEAD_RETURN_DAYS": _int(env, "LEAD_RETURN_DAYS", 30),
            # A lead's personal details are erased this many days after it arrived (about five
            # years: the FTC's Telemarketing Sales Rule keeps consent records that long).
            "LEAD_RETENTION_DAYS": _days(env, "LEAD_RETENTION_DAYS", 1826, MAX_RETENTION_DAYS),
            # Per API token: the schools' pull API (/api/v1/leads).
            "SCHOOL_API_RATE_LIMIT": env.get(
                "SCHOOL_API_RATE_LIMIT", "60 per minute; 2000 per hour"
            ),
            # Per client address: the public API (/api/v1/programs, /api/v1/openapi.json).
            "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "300 per minute"),
            # Per client address: failed API authentications (no token, a wrong or revoked one).
            "API_AUTH_FAILURE_LIMIT": env.get("API_AUTH_FAILURE_LIMIT", "20 per minute"),
            # Web origins whose scripts may call the token-protected API (CORS, never cookies).
            "API_CORS_ORIGINS": _origins(env, "API_CORS_ORIGINS"),
            # Admin pages show times, and count the dashboard's days, in this zone (files: UTC).
            "ADMIN_TIMEZONE": _timezone(env, "ADMIN_TIMEZONE", "America/New_York"),
            "RATELIMIT_HEADERS_ENABLED": True,
            # Reverse proxies in front of the app, so the client IP is read correctly.
            "PROXY_COUNT": _int(env, "PROXY_COUNT", 0),
            # Larger request bodies get 413 before any view reads them (uploads are <= 5 MB).
            "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
            "LOG_LEVEL": _log_level(env, "LOG_LEVEL", "INFO"),
            # A search results page or request-info form is reused for this long by the process
            # that built it (0: never). See portal/core/page_cache.py for what that trades.
            "PAGE_CACHE_SECONDS": _float(env, "PAGE_CACHE_SECONDS", 5.0),
            # Search log rows wait at most this long, or until there are ..._ROWS of them, to
            # be written in one INSERT (0: each with its search). See portal/services/search_log.
            "SEARCH_LOG_BATCH_SECONDS": _float(env, "SEARCH_LOG_BATCH_SECONDS", 1.0),
            "SEARCH_LOG_BATCH_ROWS": _int(env, "SEARCH_LOG_BATCH_ROWS", 200),
            # Lead delivery to schools (portal/delivery): webhooks and email, from the outbox.
            "DELIVERY_TIMEOUT_SECONDS": _float(env, "DELIVERY_TIMEOUT_SECONDS", 10.0),
            "DELIVERY_RETRY_BASE_SECONDS": _float(env, "DELIVERY_RETRY_BASE_SECONDS", 30.0),
            "DELIVERY_MAX_AGE_HOURS": _float(env, "DELIVERY_MAX_AGE_HOURS", 72.0),
            "DELIVERY_ALLOW_PRIVATE_TARGETS": _bool(env, "DELIVERY_ALLOW_PRIVATE_TARGETS", True),
            "DELIVERY_WORKER_THREADS": _int(env, "DELIVERY_WORKER_THREADS", 8),
            "MAIL_SERVER": env.get("MAIL_SERVER", ""),
            "MAIL_PORT": _int(env, "MAIL_PORT", 25),
            "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
            "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
            "MAIL_USE_TLS": _bool(env, "MAIL_USE_TLS", False),
            "MAIL_FROM": env.get("MAIL_FROM", "leads@localhost"),
            # Without MAIL_SERVER, emails are written as .eml files here (None: not at all).
            "MAIL_FILE_FOLDER": None,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "WTF_CSRF_TIME_LIMIT": None,  # the session bounds the token's life, not a clock
            # The Ed25519 private key (PEM, PKCS#8) that signs consent receipts
            # (portal.services.consent_keys; make one with `flask consent-keys create FILE`).
            "CONSENT_SIGNING_KEY_FILE": env.get("CONSENT_SIGNING_KEY_FILE") or None,
        }


class DevelopmentConfig(Config):
    """Local work: SQLite under instance/, a random secret key kept there."""

    name = "development"

    @classmethod
    def settings(cls, env: Mapping[str, str]) -> dict:
        """Development defaults: a local SQLite file and a secret key made for this checkout."""
        values = super().settings(env)
        values["SECRET_KEY"] = values["SECRET_KEY"] or development_secret_key(INSTANCE_DIR)
        values["SQLALCHEMY_DATABASE_URI"] = values["SQLALCHEMY_DATABASE_URI"] or (
            f"sqlite:///{INSTANCE_DIR / 'portal.sqlite3'}"
        )
        values["MAIL_FILE_FOLDER"] = str(INSTANCE_DIR / "mail")
        # Made there on first start when missing (portal.services.consent_keys).
        values["CONSENT_SIGNING_KEY_FILE"] = values["CONSENT_SIGNING_KEY_FILE"] or str(
            INSTANCE_DIR / "consent_signing_key.pem"
        )
        return values


class TestingConfig(Config):
    """The test suite: the fixtures hand in the database URL."""

    name = "testing"

    @classmethod
    def settings(cls, env: Mapping[str, str]) -> dict:
        """Testing defaults: an in-memory SQLite database unless DATABASE_URL says otherwise,
        and (without CONSENT_SIGNING_KEY_FILE) a receipt signing key made for each app."""
        values = super().settings(env)
        values["TESTING"] = True
        values["SECRET_KEY"] = values["SECRET_KEY"] or "testing-only-not-secret"
        values["SQLALCHEMY_DATABASE_URI"] = values["SQLALCHEMY_DATABASE_URI"] or "sqlite://"
        # A test sees what it just wrote: no cached pages, every search logged at once; and
        # rate limits only where a test turns them on.
        values["PAGE_CACHE_SECONDS"] = _float(env, "PAGE_CACHE_SECONDS", 0)
        values["SEARCH_LOG_BATCH_SECONDS"] = _float(env, "SEARCH_LOG_BATCH_SECONDS", 0)
        values["RATELIMIT_ENABLED"] = _bool(env, "RATELIMIT_ENABLED", False)
        return values


class ProductionConfig(Config):
    """Production: every secret from the environment, secure cookies."""

    name = "production"

    @classmethod
    def settings(cls, env: Mapping[str, str]) -> dict:
        """Refuse to start without SECRET_KEY (32 bytes or more), DATABASE_URL and
        CONSENT_SIGNING_KEY_FILE (the file itself is read at start); mark cookies Secure."""
        required = ("SECRET_KEY", "DATABASE_URL", "CONSENT_SIGNING_KEY_FILE")
        missing = [key for key in required if not env.get(key)]
        if missing:
            raise ConfigError(
                "production mode needs these environment variables: " + ", ".join(missing)
            )
        if len(env["SECRET_KEY"].encode()) < MIN_SECRET_KEY_BYTES:
            raise ConfigError(
                f"SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes; make one with "
                "python3 -c 'import secrets; print(secrets.token_hex(32))'"
            )
        values = super().settings(env)
        # Webhook URLs are the schools': in production they may not reach our own network.
        values["DELIVERY_ALLOW_PRIVATE_TARGETS"] = _bool(
            env, "DELIVERY_ALLOW_PRIVATE_TARGETS", False
        )
        values["SESSION_COOKIE_SECURE"] = True
        values["REMEMBER_COOKIE_SECURE"] = True
        values["PREFERRED_URL_SCHEME"] = "https"
        return values


MODES = {mode.name: mode for mode in (DevelopmentConfig, TestingConfig, ProductionConfig)}


def load_settings(env: Mapping[str, str] | None = None) -> dict:
    """Return the settings of the mode PORTAL_ENV names (development by default)."""
    env = os.environ if env is None else env
    name = env.get("PORTAL_ENV") or "development"
    try:
        mode = MODES[name]
    except KeyError as exc:
        raise ConfigError(f"PORTAL_ENV must be one of {', '.join(MODES)}, not {name!r}") from exc
    return mode.settings(env)
