"""The skeleton: settings per mode, error pages, health check."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import config
from config import ConfigError, development_secret_key, load_settings
from portal import create_app
from portal.extensions import db, dispose_engines
from portal.models import RetentionRun
from tests.support.settings import base_settings

LONG_KEY = "k" * 32


@pytest.fixture(autouse=True)
def instance_folder(tmp_path, monkeypatch):
    """Development mode keeps its secret key under instance/: a temporary one here."""
    folder = tmp_path / "instance"
    monkeypatch.setattr(config, "INSTANCE_DIR", folder)
    return folder


@pytest.mark.parametrize("env_name", ["development", "testing"])
def test_modes_start_without_secrets(env_name):
    settings = load_settings({"PORTAL_ENV": env_name})
    assert settings["PORTAL_ENV"] == env_name
    assert settings["SECRET_KEY"]
    assert settings["SQLALCHEMY_DATABASE_URI"]


def test_development_defaults_to_sqlite_under_instance():
    url = load_settings({})["SQLALCHEMY_DATABASE_URI"]
    assert url.startswith("sqlite:///") and url.endswith("instance/portal.sqlite3")


@pytest.mark.parametrize(
    "env",
    [
        {"PORTAL_ENV": "production"},
        {"PORTAL_ENV": "production", "SECRET_KEY": "s3cret"},
        {"PORTAL_ENV": "production", "DATABASE_URL": "postgresql+psycopg://x/y"},
    ],
)
def test_production_refuses_to_start_without_secrets(env):
    with pytest.raises(ConfigError, match="production mode needs"):
        load_settings(env)


def test_production_settings_are_secure():
    settings = load_settings(
        {
            "PORTAL_ENV": "production",
            "SECRET_KEY": LONG_KEY,
            "DATABASE_URL": "postgresql+psycopg://x/y",
            "CONSENT_SIGNING_KEY_FILE": "/etc/portal/consent_signing_key.pem",
        }
    )
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://x/y"


@pytest.mark.parametrize("key", ["k" * 31, "s3cret", "é" * 15])
def test_production_refuses_a_secret_key_under_32_bytes(key):
    env = {"PORTAL_ENV": "production", "SECRET_KEY": key, "DATABASE_URL": "sqlite://"}
    env["CONSENT_SIGNING_KEY_FILE"] = "/etc/portal/consent_signing_key.pem"
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        load_settings(env)
    assert load_settings(env | {"SECRET_KEY": key + "k" * 32})["SECRET_KEY"]


def test_development_makes_a_random_key_once_and_keeps_it_private(instance_folder, tmp_path):
    first = load_settings({"PORTAL_ENV": "development"})["SECRET_KEY"]
    assert load_settings({})["SECRET_KEY"] == first  # the same after a restart
    assert len(first) == 64 and first != "development-only-not-secret"
    kept = instance_folder / "secret_key"
    assert kept.read_text() == first
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert development_secret_key(tmp_path / "another-checkout") != first
    assert list(instance_folder.iterdir()) == [kept]  # no drafts left behind


def test_development_uses_the_secret_key_it_is_given(instance_folder):
    assert load_settings({"SECRET_KEY": "given"})["SECRET_KEY"] == "given"
    assert not instance_folder.exists()


@pytest.mark.parametrize("mode", ["development", "testing"])
def test_database_url_overrides_every_mode(mode):
    settings = load_settings({"PORTAL_ENV": mode, "DATABASE_URL": "sqlite:////tmp/x.db"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/x.db"


def test_admin_timezone_defaults_to_new_york_and_must_be_known():
    assert load_settings({"PORTAL_ENV": "testing"})["ADMIN_TIMEZONE"] == "America/New_York"
    chosen = load_settings({"PORTAL_ENV": "testing", "ADMIN_TIMEZONE": "Europe/Berlin"})
    assert chosen["ADMIN_TIMEZONE"] == "Europe/Berlin"
    for bad in ("Mars/Olympus_Mons", "../etc/passwd", "EST5EDT\x00"):
        with pytest.raises(ConfigError, match="ADMIN_TIMEZONE must be an IANA time zone"):
            load_settings({"PORTAL_ENV": "testing", "ADMIN_TIMEZONE": bad})


@pytest.mark.parametrize("written", ["info", "INFO", " Info ", "warning"])
def test_log_level_is_read_in_either_case(written):
    """gunicorn.conf.py lower-cases LOG_LEVEL for gunicorn; the app takes it either way."""
    settings = load_settings({"PORTAL_ENV": "testing", "LOG_LEVEL": written})
    assert settings["LOG_LEVEL"] == written.strip().upper()


def test_an_unknown_log_level_is_a_clear_error():
    with pytest.raises(ConfigError, match="LOG_LEVEL must be one of DEBUG, INFO"):
        load_settings({"PORTAL_ENV": "testing", "LOG_LEVEL": "verbose"})


def test_unknown_mode_is_a_clear_error():
    with pytest.raises(ConfigError, match="PORTAL_ENV must be one of"):
        load_settings({"PORTAL_ENV": "staging"})


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database():
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/none"
            "?connect_timeout=1",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_404_page_uses_site_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html
    assert 'class="site-header"' in html


def test_405_page_says_method_not_allowed(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert "Method not allowed" in response.get_data(as_text=True)
    assert "GET" in response.headers["Allow"]


def test_500_page_hides_the_traceback(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_postgresql_pool_survives_restarts_and_fails_fast():
    env = {
        "PORTAL_ENV": "production",
        "SECRET_KEY": LONG_KEY,
        "DATABASE_URL": "postgresql+psycopg://x/y",
        "CONSENT_SIGNING_KEY_FILE": "/etc/portal/consent_signing_key.pem",
    }
    options = load_settings(env)["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True and options["hide_parameters"] is True
    assert options["pool_recycle"] == 1800
    assert (options["pool_size"], options["max_overflow"], options["pool_timeout"]) == (5, 5, 10)
    assert options["connect_args"] == {"connect_timeout": 5}
    env |= {"DB_POOL_SIZE": "2", "DB_MAX_OVERFLOW": "0", "DB_CONNECT_TIMEOUT": "2"}
    options = load_settings(env)["SQLALCHEMY_ENGINE_OPTIONS"]
    assert (options["pool_size"], options["max_overflow"]) == (2, 0)
    assert options["connect_args"] == {"connect_timeout": 2}


def test_sqlite_gets_no_pool_sizes():
    options = load_settings({"PORTAL_ENV": "development"})["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"pool_pre_ping": True, "hide_parameters": True}


@pytest.mark.parametrize(
    ("uri", "options"),
    [
        ("memory://", {}),
        ("redis://127.0.0.1:6379/0", {"socket_connect_timeout": 1, "socket_timeout": 1}),
    ],
)
def test_rate_limit_storage_options(uri, options):
    settings = load_settings({"PORTAL_ENV": "testing", "RATELIMIT_STORAGE_URI": uri})
    assert settings["RATELIMIT_STORAGE_OPTIONS"] == options
    assert settings["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True


def test_unreachable_rate_limit_storage_does_not_break_the_site(database_url):
    # Nothing listens on port 1: the limiter falls back to counting in memory.
    settings = base_settings(database_url) | {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        "ADMIN_LOGIN_LIMIT_PER_IP": "2 per minute",
        "WTF_CSRF_ENABLED": False,
    }
    app = create_app(settings)
    form = {"email": "nobody@example.com", "password": "not the password"}
    try:
        statuses = [app.test_client().post("/admin/login", data=form).status_code for _ in "abc"]
    finally:
        with app.app_context():
            dispose_engines()
        create_app(base_settings(database_url))  # leave the shared limiter switched off
    assert statuses == [401, 401, 429]


def test_a_connection_lost_before_the_cleanup_is_discarded_not_a_500(app, monkeypatch):
    """A database restart can break the session's final rollback, after the response is made."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    @app.get("/touch")
    def touch():
        db.session.execute(text("SELECT 1"))
        return "ok"

    real_close, failures = Session.close, []

    def close_once_failing(session):
        if not failures:
            failures.append(session)
            raise OperationalError("ROLLBACK", {}, Exception("terminating connection"))
        return real_close(session)

    monkeypatch.setattr(Session, "close", close_once_failing)
    response = app.test_client().get("/touch")
    assert failures and response.status_code == 200 and response.data == b"ok"
    assert app.test_client().get("/touch").status_code == 200


def test_lead_retention_days_defaults_to_five_years_and_is_read_from_the_environment():
    assert load_settings({"PORTAL_ENV": "testing"})["LEAD_RETENTION_DAYS"] == 1826
    chosen = load_settings({"PORTAL_ENV": "testing", "LEAD_RETENTION_DAYS": " 730 "})
    assert chosen["LEAD_RETENTION_DAYS"] == 730


@pytest.mark.parametrize("raw", ["0", "-1", "five", "1.5", "1e3", "36526", "99999999999"])
def test_a_bad_lead_retention_days_is_refused_with_a_clear_message(raw):
    with pytest.raises(ConfigError) as refused:
        load_settings(
            {
                "PORTAL_ENV": "production",
                "SECRET_KEY": LONG_KEY,
                "DATABASE_URL": "sqlite://",
                "CONSENT_SIGNING_KEY_FILE": "/etc/portal/consent_signing_key.pem",
                "LEAD_RETENTION_DAYS": raw,
            }
        )
    assert str(refused.value) == (
        f"LEAD_RETENTION_DAYS must be a whole number of days from 1 to 36,525, not {raw!r}"
    )


def test_a_bad_lead_retention_days_stops_a_command_before_it_starts(app, database_url):
    env = {**os.environ, "PORTAL_ENV": "testing", "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "retention", "run"],
        cwd=Path(__file__).resolve().parents[2],
        env={**env, "LEAD_RETENTION_DAYS": "0"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "LEAD_RETENTION_DAYS must be a whole number of days from 1 to 36,525, not '0'" in (
        done.stderr
    )
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(RetentionRun)) == 0
