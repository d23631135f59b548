"""Slack's v0 request signature: HMAC-SHA256 over "v0:<timestamp>:<raw body>" with the signing secret."""

from __future__ import annotations

import hashlib
import hmac


def signature(secret: str, timestamp: int, body: bytes) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes, content_type: str) -> dict[str, str]:
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature(secret, timestamp, body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
