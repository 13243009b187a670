"""The one settings object, read from the environment (and an optional .env file)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Values that ship in examples and templates; a production start refuses them.
EXAMPLE_SECRET_KEYS = frozenset(
    {
        "",
        "change-me",
        "changeme",
        "secret",
        "dev-secret-key",
        "development-secret-key-change-me",
        "replace-with-a-long-random-string",
    }
)


class Environment(str, Enum):
    development = "development"
    test = "test"
    production = "production"


class SignupMode(str, Enum):
    open = "open"
    closed = "closed"
    codes = "codes"


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class CommonSettings(BaseSettings):
    """What the web app and the migration tool both read: the environment, the database, the logs."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Environment = Environment.development

    # Unset: an SQLite file in DATA_DIR, so a newcomer needs no database server.
    database_url: str | None = None
    data_dir: Path = Path("data")

    log_format: str = "auto"  # auto: json in production, text elsewhere
    log_level: str = "INFO"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'chores-tracker.db').as_posix()}"

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.production

    @property
    def json_logs(self) -> bool:
        if self.log_format == "auto":
            return self.is_production
        return self.log_format == "json"


class Settings(CommonSettings):
    """The web app's settings (the migration tool has its own: chores_tracker.migrations.config)."""

    debug: bool = False

    # Admission lets as many requests use the database at once as the pool has connections, each in
    # a worker thread. A worker runs Python on one core at a time (the GIL): beyond a few requests at
    # once they only take turns for it, and each turn costs CPU. 4 keeps the database busy while one
    # request waits on it, at a third of the tail latency 15 had (bench/README.md, reads.py). The
    # pool keeps them all, no overflow: an overflow connection was closed on its return while the
    # next request opened another, and PostgreSQL forks a backend for each.
    db_pool_size: int = Field(default=4, ge=1)
    db_max_overflow: int = Field(default=0, ge=0)
    db_pool_recycle_seconds: int = Field(default=1800, ge=30)
    # A request waits this long for a pooled connection before it answers 503 (never 500).
    db_pool_timeout_seconds: float = Field(default=3, gt=0)
    # At most DB_POOL_SIZE + DB_MAX_OVERFLOW requests use the database at once; the others wait in
    # line this long for their turn, then answer 503 with Retry-After.
    db_admission_timeout_seconds: float = Field(default=10, ge=0)
    # The database cancels a statement that runs longer (the migration runner is not limited).
    db_statement_timeout_seconds: float = Field(default=30, gt=0)
    # How long to wait on the network: to connect, and, beyond the statement timeout, for an
    # answer; TCP keepalives give up on a silent peer within about as long.
    db_network_timeout_seconds: float = Field(default=10, gt=0)

    secret_key: str = "development-secret-key-change-me"  # noqa: S105 (the development default; production refuses it)
    access_token_expire_minutes: int = Field(default=60 * 24 * 7, ge=1)
    backend_cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    signup_mode: SignupMode = SignupMode.open
    registration_codes: Annotated[list[str], NoDecode] = Field(default_factory=list)
    password_min_length: int = Field(default=8, ge=4)
    invite_code_default_days: int = Field(default=7, ge=1, le=365)
    # How long a parent may reverse an approval, a bonus, a penalty or a payout (a compensating entry).
    reversal_window_hours: int = Field(default=72, ge=1, le=24 * 365)
    # ISO 4217 code the API reports amounts in (families keep one currency).
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")

    readiness_cache_seconds: float = Field(default=5, ge=0)
    # How long a token's user is remembered at most (each use checked against the family's revision); 0: never.
    token_cache_seconds: float = Field(default=30, ge=0)
    # The main reads' latest bodies kept per process, by ETag (http.AnswerCache), in bytes; 0: none.
    answer_cache_bytes: int = Field(default=16 * 1024 * 1024, ge=0)

    metrics_token: str | None = None
    metrics_public: bool = False
    redis_url: str | None = None
    rate_limit_login_per_minute: int = Field(default=10, ge=1)
    rate_limit_signup_per_hour: int = Field(default=20, ge=1)
    rate_limit_password_reset_per_hour: int = Field(default=10, ge=1)
    rate_limit_join_per_hour: int = Field(default=10, ge=1)
    # PIN sign-in on a family device: attempts per device and per child (identity.devices).
    rate_limit_pin_per_minute: int = Field(default=10, ge=1)
    # Wrong PINs in a row after which a child's PIN sign-in is locked, and for how long (a parent
    # setting the PIN again unlocks it at once).
    pin_max_failures: int = Field(default=5, ge=1, le=100)
    pin_lock_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # How long a family device's cookie lasts (browsers keep a cookie 400 days at most).
    device_cookie_days: int = Field(default=400, ge=1, le=400)
    # Redis keys start with this, so that several apps (or test runs) can share one Redis.
    rate_limit_key_prefix: str = "chores_tracker"
    max_request_body_bytes: int = Field(default=1_000_000, ge=1024)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The Content-Security-Policy of HTML pages (JSON answers get "default-src 'none'").
    content_security_policy: str = (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    # How long `serve` lets in-flight requests finish after SIGTERM (with any preStop pause, keep
    # it below the orchestrator's grace period: Kubernetes' terminationGracePeriodSeconds).
    shutdown_grace_seconds: int = Field(default=25, ge=1)
    # Seconds between time steps run inside `serve` (occurrences due, overdue, missed; penalties).
    # 0: never; production runs `chores-tracker tick` as a CronJob instead, ./scripts/run sets 60.
    time_step_interval_seconds: int = Field(default=0, ge=0, le=86400)
    # Tests only: a file holding the instant the app's clock answers (clock.follow_file), so a
    # browser test can set the served app's time. Refused in production.
    test_clock_file: Path | None = None
    # How often an open page asks for the unread notification count (its badge, the centre's list).
    notification_poll_seconds: float = Field(default=15, ge=0.2, le=3600)
    # The Fernet key (urlsafe base64 of 32 bytes) that encrypts notification channel URLs at rest;
    # empty: one derived from SECRET_KEY. Changing it makes stored channel URLs unreadable.
    notification_key: str = ""
    # The worker (`chores-tracker worker`): tries per delivery before it is a dead letter, the wait
    # before the first retry (doubling each time, at most 6 hours), how long a claim lasts before
    # another worker may take the delivery again (a worker killed mid-delivery), how often it looks
    # for work, and how often it runs the time step (0: never).
    notification_max_attempts: int = Field(default=8, ge=1, le=100)
    notification_backoff_seconds: float = Field(default=30, ge=0, le=86400)
    notification_lease_seconds: float = Field(default=120, ge=1, le=86400)
    worker_poll_seconds: float = Field(default=2, ge=0.05, le=3600)
    worker_time_step_seconds: int = Field(default=60, ge=0, le=86400)
    # The worker's Prometheus metrics on this port (0: none).
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    # Seconds between delivery rounds run inside `serve` (./scripts/run sets 5); 0: never (production
    # runs `chores-tracker worker` as its own Deployment).
    notification_worker_interval_seconds: float = Field(default=0, ge=0, le=86400)
    # Outgoing webhooks (notifications/webhooks.py): targets on loopback, private, link-local,
    # multicast, reserved or unspecified addresses are refused (at registration and at each
    # delivery) unless this is on (self-hosters with receivers on their LAN); how long a delivery
    # may take; after how many failed attempts in a row a webhook is disabled (its parents told).
    webhook_allow_private_networks: bool = False
    webhook_timeout_seconds: float = Field(default=10, ge=0.1, le=120)
    webhook_max_consecutive_failures: int = Field(default=10, ge=1, le=1000)
    # Review nudges: a parent's channels get at most one "waiting for review" message per this many
    # minutes (the first at once, with its approve links; those that come within the interval in one
    # summary at its end); 0: each as it comes. The notification centre shows each at once.
    review_nudge_minutes: int = Field(default=15, ge=0, le=24 * 60)
    # The address members reach the app at (e.g. https://chores.example.com): messages carry
    # links to it (approve or send back from the message). Empty: messages carry no links.
    public_url: str = ""
    # How long a signed approve or send-back link works.
    action_link_hours: int = Field(default=48, ge=1, le=24 * 30)
    # Email channels (`email:someone@example.com`) go through this SMTP server: only these settings,
    # nothing in the channel. SMTP_SECURITY: starttls, ssl (implicit TLS) or none (a local relay).
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    # Web Push to the installed web app: the VAPID private key (`chores-tracker vapid-keys` makes one;
    # empty: no Web Push), who push services may contact about our messages (mailto: or https:;
    # empty: PUBLIC_URL, else SMTP_FROM), and whether a push endpoint may be plain http (tests, a
    # push relay on the LAN; real push services are https).
    vapid_private_key: str = ""
    vapid_subject: str = ""
    web_push_allow_http: bool = False
    # Home Assistant over MQTT (notifications.mqtt): with MQTT_URL set (mqtt://user:pass@host:1883,
    # or mqtts:// for TLS, port 8883 by default), `chores-tracker worker` publishes each child's
    # sensors through Home Assistant's MQTT discovery and the families' events. The URL holds a
    # password: it is never logged. MQTT_TOPIC_PREFIX roots the state and event topics,
    # MQTT_DISCOVERY_PREFIX is Home Assistant's (homeassistant), and every MQTT_REFRESH_SECONDS the
    # worker publishes whatever changed by time alone (a chore becoming overdue); 0: only after events.
    mqtt_url: str = ""
    mqtt_topic_prefix: str = Field(default="chores-tracker", pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")
    mqtt_discovery_prefix: str = Field(default="homeassistant", pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")
    mqtt_refresh_seconds: float = Field(default=60, ge=0, le=86400)
    # Commands from MQTT (a Home Assistant button): off unless enabled. The one command there is,
    # `republish`, publishes every retained message again; it changes nothing in the app.
    mqtt_commands: bool = False

    @field_validator("backend_cors_origins", "registration_codes", "trusted_proxies", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @model_validator(mode="after")
    def _production_needs_a_real_secret(self) -> Settings:
        if self.environment is Environment.production:
            key = self.secret_key.strip()
            if key.lower() in EXAMPLE_SECRET_KEYS or len(key) < 32:
                raise ValueError(
                    "SECRET_KEY must be set to a random value of at least 32 characters in production "
                    "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )
        if self.environment is Environment.production and self.test_clock_file is not None:
            raise ValueError("TEST_CLOCK_FILE sets the clock for tests: production refuses it")
        if self.mqtt_url and not self.mqtt_url.startswith(("mqtt://", "mqtts://")):
            raise ValueError("MQTT_URL must start with mqtt:// or mqtts:// (mqtt://user:password@host:1883)")
        if self.signup_mode is SignupMode.codes and not self.registration_codes:
            raise ValueError("SIGNUP_MODE=codes needs REGISTRATION_CODES (a comma-separated list)")
        return self


_S = TypeVar("_S", bound=CommonSettings)


@lru_cache
def get_settings() -> Settings:
    return Settings()


def settings_or_exit(load: Callable[[], _S]) -> _S:
    """For entry points: a bad setting stops start-up with one clear line per field, not a traceback."""
    from pydantic import ValidationError

    try:
        return load()
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error.get("loc", ())) or "settings"
            message = error.get("msg", "invalid").removeprefix("Value error, ")
            print(f"configuration error: {field.upper() if field != 'settings' else field}: {message}", file=sys.stderr)
        raise SystemExit(2) from None


def load_settings_or_exit() -> Settings:
    return settings_or_exit(get_settings)
