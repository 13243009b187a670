"""Web Push to the installed web app: a browser's push subscription is one more channel of its member.

The subscription (the push service's endpoint and the browser's two keys) is stored as a channel
whose URL is `webpush:` followed by its JSON, encrypted at rest like every channel URL, so the
outbox, the events a channel wants, quiet hours, retries and dead letters all apply unchanged.

A message is encrypted for the browser as RFC 8291 says (aes128gcm content coding, RFC 8188) and
sent with a VAPID signature (RFC 8292): an ES256 JWT, signed with PyJWT, naming the push service
and us. Both are a few steps over `cryptography`'s primitives, written here rather than taken from
pywebpush, which requires aiohttp and requests beside them (more than the image's size budget has
room for), and http-ece, which is published as source only; tests/notifications/test_web_push.py
decrypts what we send with http-ece itself, and checks the signature with the public key.
"""

from __future__ import annotations

import base64
import json
import os
import struct
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from chores_tracker.errors import InvalidInput
from chores_tracker.settings import Settings

SCHEME = "webpush:"  # channels.PUSH
RECORD_SIZE = 4096
# How long a push service keeps a message for a device that is offline (seconds).
TTL_SECONDS = 24 * 3600
_P256_POINT = 65  # an uncompressed P-256 public key: 0x04, x, y


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str  # the browser's public key, base64url
    auth: str  # its 16-byte secret, base64url

    def as_url(self) -> str:
        return SCHEME + json.dumps({"endpoint": self.endpoint, "p256dh": self.p256dh, "auth": self.auth})

    @classmethod
    def from_url(cls, url: str) -> Subscription:
        stored = json.loads(url.removeprefix(SCHEME))
        return cls(stored["endpoint"], stored["p256dh"], stored["auth"])


def checked_subscription(settings: Settings, endpoint: str, p256dh: str, auth: str) -> Subscription:
    """A subscription as a browser gives it, refused with the field at fault when it cannot work."""
    if not settings.vapid_private_key:
        raise InvalidInput("Web Push is not set up on this server (VAPID_PRIVATE_KEY)", field="endpoint")
    parts = urlsplit(endpoint)
    allowed = ("https", "http") if settings.web_push_allow_http else ("https",)
    if parts.scheme not in allowed or not parts.hostname or len(endpoint) > 1000:
        raise InvalidInput("the endpoint must be the push service's https URL", field="endpoint")
    try:
        key = unb64url(p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key)
    except ValueError:
        key = b""
    if len(key) != _P256_POINT:
        raise InvalidInput("p256dh must be the browser's P-256 public key (base64url)", field="p256dh")
    try:
        secret = unb64url(auth)
    except ValueError:
        secret = b""
    if len(secret) != 16:
        raise InvalidInput("auth must be the browser's 16-byte secret (base64url)", field="auth")
    return Subscription(endpoint, p256dh, auth)


# -- VAPID keys ------------------------------------------------------------------------------------


def new_private_key() -> str:
    """A new VAPID private key: the raw P-256 scalar, base64url (what VAPID_PRIVATE_KEY holds)."""
    number = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    return b64url(number.to_bytes(32, "big"))


def _private_key(settings: Settings) -> ec.EllipticCurvePrivateKey:
    return _parse_private_key(settings.vapid_private_key)


def _parse_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    try:
        raw = unb64url(text.strip())
        return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError:
        raise InvalidInput("VAPID_PRIVATE_KEY is not a P-256 key (chores-tracker vapid-keys makes one)") from None


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def public_key(settings: Settings) -> str | None:
    """The application server key a browser subscribes with; None when Web Push is not set up."""
    if not settings.vapid_private_key:
        return None
    return public_key_for(settings.vapid_private_key)


def public_key_for(private_key: str) -> str:
    return b64url(_point(_parse_private_key(private_key).public_key()))


def subject(settings: Settings) -> str:
    """Who to contact about our messages (RFC 8292): VAPID_SUBJECT, else PUBLIC_URL, else SMTP_FROM."""
    if settings.vapid_subject:
        return settings.vapid_subject
    if settings.public_url.startswith("https://"):
        return settings.public_url.rstrip("/")
    return f"mailto:{settings.smtp_from or 'chores-tracker@localhost'}"


def vapid_header(settings: Settings, endpoint: str, now: float | None = None) -> str:
    import jwt  # PyJWT signs ES256 with cryptography

    parts = urlsplit(endpoint)
    issued = int(now if now is not None else time.time())
    claims = {"aud": f"{parts.scheme}://{parts.netloc}", "exp": issued + 12 * 3600, "sub": subject(settings)}
    key = _private_key(settings)
    token = jwt.encode(claims, key, algorithm="ES256")
    return f"vapid t={token}, k={b64url(_point(key.public_key()))}"


# -- RFC 8291 encryption ---------------------------------------------------------------------------


def _hkdf(salt: bytes, secret: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(secret)


def encrypt(subscription: Subscription, plaintext: bytes) -> bytes:
    """One aes128gcm record for the browser that holds the subscription's private key."""
    if len(plaintext) + 1 + 16 > RECORD_SIZE:
        raise ValueError("a push message must fit one record")
    receiver_point = unb64url(subscription.p256dh)
    receiver = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), receiver_point)
    ours = ec.generate_private_key(ec.SECP256R1())  # a new key per message
    our_point = _point(ours.public_key())
    shared = ours.exchange(ec.ECDH(), receiver)
    ikm = _hkdf(unb64url(subscription.auth), shared, b"WebPush: info\x00" + receiver_point + our_point, 32)
    salt = os.urandom(16)
    content_key = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    record = AESGCM(content_key).encrypt(nonce, plaintext + b"\x02", None)  # 0x02: the last record
    header = salt + struct.pack("!IB", RECORD_SIZE, len(our_point)) + our_point
    return header + record


# -- sending ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: int

    @property
    def gone(self) -> bool:
        """The browser unsubscribed or the subscription expired: it will never work again."""
        return self.status in (404, 410)

    @property
    def delivered(self) -> bool:
        return 200 <= self.status < 300


def send(settings: Settings, url: str, payload: dict[str, str], *, urgency: str = "normal") -> Outcome:
    """POST one encrypted message to the subscription's push service; its status says what became of it."""
    import httpx

    subscription = Subscription.from_url(url)
    body = encrypt(subscription, json.dumps(payload, separators=(",", ":")).encode())
    headers = {
        "Authorization": vapid_header(settings, subscription.endpoint),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(TTL_SECONDS),
        "Urgency": urgency,
    }
    answer = httpx.post(subscription.endpoint, content=body, headers=headers, timeout=10, follow_redirects=False)
    return Outcome(answer.status_code)
