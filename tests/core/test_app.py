"""The skeleton: settings per mode, error pages, health check."""

import pytest

from config import ConfigError, load_settings
from portal import create_app


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
        {"PORTAL_ENV": "production", "SECRET_KEY": "k", "DATABASE_URL": "postgresql+psycopg://x/y"}
    )
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://x/y"


@pytest.mark.parametrize("mode", ["development", "testing"])
def test_database_url_overrides_every_mode(mode):
    settings = load_settings({"PORTAL_ENV": mode, "DATABASE_URL": "sqlite:////tmp/x.db"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/x.db"


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
