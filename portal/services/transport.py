"""What the outbox (portal.services.deliveries) and the transports (portal.delivery) hand each
other: where a message goes, the settings a send needs, and what one try got. Kept here so
that services never import portal.delivery, while the delivery code uses services."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """What one POST got: a status and the start of the body, or an error; and how long."""

    status: int | None
    excerpt: str
    error: str | None
    duration_ms: int
    location: str | None = None
    # Set when success is not a status (an email written to a file).
    accepted: bool | None = None

    @property
    def succeeded(self) -> bool:
        """Any 2xx answer (for email, SMTP's 250 to the message)."""
        if self.accepted is not None:
            return self.accepted
        return self.error is None and self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True)
class DeliverySettings:
    """The settings a send needs, read once from the app's config."""

    timeout: float
    retry_base: float
    max_age_hours: float
    allow_private: bool
    allow_http: bool
    site_name: str
    mail: dict

    @classmethod
    def from_config(cls, config) -> "DeliverySettings":
        """The settings of an app's config (DELIVERY_*, MAIL_*)."""
        mail_keys = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD")
        mail_keys += ("MAIL_USE_TLS", "MAIL_FROM", "MAIL_FILE_FOLDER")
        return cls(
            timeout=config["DELIVERY_TIMEOUT_SECONDS"],
            retry_base=config["DELIVERY_RETRY_BASE_SECONDS"],
            max_age_hours=config["DELIVERY_MAX_AGE_HOURS"],
            allow_private=config["DELIVERY_ALLOW_PRIVATE_TARGETS"],
            allow_http=config["PORTAL_ENV"] != "production",
            site_name=config["SITE_NAME"],
            mail={key: config.get(key) for key in mail_keys},
        )


@dataclass(frozen=True)
class Target:
    """Where a message goes: a destination's kind, URL or addresses, and signing secrets."""

    destination_id: int
    school_id: int
    school_name: str
    kind: str
    url: str | None
    email_to: list[str]
    secrets: list[str]
