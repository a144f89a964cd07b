"""How a webhook message is signed (Standard Webhooks): its id and the signature headers."""

import secrets
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook


def new_message_id() -> str:
    """A random webhook-id for a message that is not a stored delivery (a test event)."""
    return "msg_test_" + secrets.token_hex(12)


def signed_headers(message_id: str, body: str, keys: list[str], now: datetime) -> dict:
    """The Standard Webhooks headers: id, timestamp, and one v1 signature per valid secret."""
    moment = now.astimezone(UTC)
    signatures = [Webhook(key).sign(message_id, moment, body) for key in keys]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
