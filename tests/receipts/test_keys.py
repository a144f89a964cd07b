"""The signing key: production refuses to start without it (the setting, or a file that holds
no Ed25519 key), development makes one under instance/ once, testing one per app."""

import os
import secrets
import subprocess
import sys

import pytest

import config
from config import ConfigError, load_settings
from portal import create_app
from portal.services.consent_keys import load_key, signing_key, write_new_key
from tests.support.servers import ROOT

PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "k" * 64,
    "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none",
}


def test_production_settings_need_the_key_file_setting():
    with pytest.raises(ConfigError, match="CONSENT_SIGNING_KEY_FILE"):
        load_settings(PRODUCTION)


@pytest.mark.parametrize("content", [None, b"", b"not a key", b"-----BEGIN PRIVATE KEY-----\n"])
def test_production_refuses_to_start_without_a_readable_ed25519_key(monkeypatch, tmp_path, content):
    path = tmp_path / "consent_signing_key.pem"
    if content is not None:
        path.write_bytes(content)
    for name, value in (PRODUCTION | {"CONSENT_SIGNING_KEY_FILE": str(path)}).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match="CONSENT_SIGNING_KEY_FILE"):
        create_app()


def test_production_starts_with_its_key(monkeypatch, tmp_path):
    path = tmp_path / "key.pem"
    made = write_new_key(path)
    for name, value in (PRODUCTION | {"CONSENT_SIGNING_KEY_FILE": str(path)}).items():
        monkeypatch.setenv(name, value)
    app = create_app()
    with app.app_context():
        assert signing_key().kid == made.kid


def test_gunicorn_in_production_mode_refuses_to_start_without_the_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "CONSENT_"))}
    env |= PRODUCTION | {"SECRET_KEY": secrets.token_hex(32), "WEB_CONCURRENCY": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "CONSENT_SIGNING_KEY_FILE" in result.stderr


def test_development_makes_its_key_once_under_instance(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    settings = load_settings({"PORTAL_ENV": "development"})
    assert settings["CONSENT_SIGNING_KEY_FILE"] == str(tmp_path / "consent_signing_key.pem")
    first = create_app(settings)
    again = create_app(settings)
    with first.app_context():
        kid = signing_key().kid
    with again.app_context():
        assert signing_key().kid == kid == load_key(tmp_path / "consent_signing_key.pem").kid


def test_testing_mode_makes_a_key_per_app_and_touches_no_file(app):
    assert app.config["CONSENT_SIGNING_KEY_FILE"] is None
    other = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        mine = signing_key().kid
    with other.app_context():
        assert signing_key().kid != mine


def test_the_current_key_command_names_the_key_that_signs(app, runner):
    result = runner.invoke(args=["consent-keys", "current"])
    with app.app_context():
        assert result.exit_code == 0 and result.output.strip() == signing_key().kid
