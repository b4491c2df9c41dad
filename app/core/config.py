"""Settings, read from environment variables and an optional `.env` file."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

VERSION = "1.0.97"  # the Zou API version Tsubame answers as


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = None
    """PostgreSQL URL; when unset an embedded server is started under `data_dir`."""
    data_dir: Path = Path("var")
    redis_url: str | None = None
    port: int = 8000
    host: str = "127.0.0.1"

    secret_key: str | None = None
    """JWT signing key; when unset one is generated once and kept in `data_dir`."""
    access_token_days: int = 7
    refresh_token_days: int = 15
    bcrypt_rounds: int = 12
    login_max_failed_attempts: int = 5
    login_lockout_minutes: int = 1
    reset_token_minutes: int = 120

    admin_email: str = "admin@example.com"
    admin_password: str | None = None

    default_timezone: str = "Europe/Paris"
    default_locale: str = "en_US"
    is_self_hosted: bool = True
    crisp_token: str = ""
    enforce_2fa: bool = False
    movie_highdef_bitrate: int = 28
    movie_lowdef_bitrate: int = 6
    preview_accounts_enabled: bool = True
    user_limit: int = 100
    """How many active persons the studio may hold (Zou's USER_LIMIT), shown to admins."""
    domain_name: str = "localhost:8080"
    domain_protocol: str = "http"

    storage_backend: str = "local"
    """`local` (files under `data_dir/files`) or `s3` (the settings below)."""
    s3_endpoint: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_bucket_prefix: str = "tsubame-"
    max_upload_mb: int = 500
    """Uploads larger than this are refused with 413."""

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: bool = False
    mail_from: str = "no-reply@tsubame.local"

    def jwt_secret(self) -> str:
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        self.secret_key = path.read_text().strip()
        return self.secret_key


@lru_cache
def get_settings() -> Settings:
    return Settings()
