"""SK1 sealed tokens: the format of docs/ENCRYPTED.md, on ``cryptography``.

A token is ``base64url(0xB1 | kid[4] | iat[4] | iv[16] | ct | tag[32])``:
AES-256-CTR under K_enc, then HMAC-SHA256 under K_mac over
PAE(label, header, ct, cookie name, purpose, app), both keys derived from
the secret with HKDF-SHA256. This module is the Python twin of the Go
package ``github.com/sessionkit/session/seal``: the same checks in the
same order, the same reasons.
"""

from __future__ import annotations

import base64
import math
import os
import re
import struct
import typing as t
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as chmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = 0xB1
HEADER_LEN = 25  # version 1, kid 4, iat 4, iv 16
TAG_LEN = 32
OVERHEAD = HEADER_LEN + TAG_LEN
MAX_KEYS = 16
DEFAULT_MAX_AGE = 31 * 24 * 3600  # Flask's PERMANENT_SESSION_LIFETIME default
DEFAULT_SKEW = 60
DEFAULT_LIMIT = 4096
LABEL = b"sessionkit-sk1"

# Reasons, in the order open() checks them.
LENGTH, ENCODING, VERSION_, KEY, TAG, EXPIRED, FUTURE = (
    "length", "encoding", "version", "key", "tag", "expired", "future")

_B64URL = re.compile(rb"[A-Za-z0-9_-]*")

Secret = t.Union[str, bytes]


class InvalidToken(Exception):
    """open() refused a value. ``reason`` names the check, for logs only:
    a client must learn nothing but that the value was invalid."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid sealed value ({reason})")
        self.reason = reason


class TooLarge(ValueError):
    """seal() would make name and token longer than the limit."""


def sealed_len(n: int) -> int:
    """Length of the token for n bytes of plaintext: ceil(4(n + 57)/3)."""
    if n < 0:
        raise ValueError("negative length")
    return (4 * (n + OVERHEAD) + 2) // 3


MIN_LEN = sealed_len(0)


def max_plaintext_len(token_len: int) -> int:
    """Most plaintext bytes a token of at most token_len characters holds,
    or -1 when none fits."""
    if token_len < MIN_LEN:
        return -1
    return token_len * 3 // 4 - OVERHEAD


def want_bytes(s: Secret) -> bytes:
    return s.encode("utf-8") if isinstance(s, str) else bytes(s)


def _hkdf(secret: bytes, info: bytes, n: int) -> bytes:
    # HKDF-SHA256 with the label as salt: Extract then Expand (RFC 5869).
    return HKDF(algorithm=hashes.SHA256(), length=n, salt=LABEL, info=info).derive(secret)


def key_id(secret: Secret) -> bytes:
    """The 4-byte key ID of a secret."""
    return _hkdf(want_bytes(secret), LABEL + b" kid", 4)


def derive(secret: Secret, purpose: str, app: str = "") -> tuple[bytes, bytes, bytes]:
    """(kid, K_enc, K_mac) of a secret for a purpose and application."""
    s = want_bytes(secret)
    ctx = b"\x00" + purpose.encode("utf-8") + b"\x00" + app.encode("utf-8")
    return key_id(s), _hkdf(s, LABEL + b" enc" + ctx, 32), _hkdf(s, LABEL + b" mac" + ctx, 32)


def _piece(b: bytes) -> bytes:
    return struct.pack("<Q", len(b)) + b


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64decode_strict(text: str) -> bytes:
    """Canonical unpadded base64url only: one spelling per token."""
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError:
        raise InvalidToken(ENCODING) from None
    if not _B64URL.fullmatch(data) or len(data) % 4 == 1:
        raise InvalidToken(ENCODING)
    raw = base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))
    if b64encode(raw) != text:  # non-zero trailing bits
        raise InvalidToken(ENCODING)
    return raw


@dataclass(frozen=True)
class Opened:
    """What open() accepted."""

    plaintext: bytes
    key_id: bytes  # of the secret that sealed it
    key: int  # 0: the current secret; i: fallbacks[i - 1]
    issued_at: int  # Unix seconds


class _Key:
    __slots__ = ("kid", "index", "enc", "mac")

    def __init__(self, secret: bytes, purpose: str, app: str, index: int) -> None:
        self.kid, self.enc, self.mac = derive(secret, purpose, app)
        self.index = index


class Sealer:
    """Seals with secret_key, opens with it and any of fallbacks (Flask's
    SECRET_KEY and SECRET_KEY_FALLBACKS), for one purpose and application.
    Refuses the rings the Go package refuses; the strength of a secret is
    the caller's policy."""

    def __init__(
        self,
        secret_key: Secret,
        fallbacks: t.Iterable[Secret] = (),
        *,
        purpose: str = "session",
        app_id: str = "",
        max_age: int = DEFAULT_MAX_AGE,
        skew: int = DEFAULT_SKEW,
        limit: int = DEFAULT_LIMIT,
    ) -> None:
        if not purpose:
            raise ValueError("empty purpose")
        if "\x00" in purpose or "\x00" in app_id:
            raise ValueError("purpose and app_id must not contain NUL")
        secrets = [want_bytes(secret_key)] + [want_bytes(f) for f in fallbacks]
        if len(secrets) > MAX_KEYS:
            raise ValueError(f"{len(secrets)} secrets, more than {MAX_KEYS}")
        self.purpose, self.app_id = purpose, app_id
        self.max_age, self.skew, self.limit = max_age, skew, limit
        self._ring: list[_Key] = []
        self._by_id: dict[bytes, _Key] = {}
        for i, s in enumerate(secrets):
            if not s.strip():
                raise ValueError(f"secret {i} is empty or only whitespace")
            if s in secrets[:i]:
                raise ValueError(f"secret {i} is repeated")
            k = _Key(s, purpose, app_id, i)
            if k.kid in self._by_id:
                raise ValueError(f"secret {i} has the key ID of another: replace one")
            self._by_id[k.kid] = k
            self._ring.append(k)
        self._suffix = _piece(purpose.encode("utf-8")) + _piece(app_id.encode("utf-8"))

    def _tag(self, k: _Key, header: bytes, ct: bytes, name: str) -> chmac.HMAC:
        h = chmac.HMAC(k.mac, hashes.SHA256())
        h.update(struct.pack("<Q", 6))
        for piece in (LABEL, header, ct, name.encode("utf-8")):
            h.update(_piece(piece))
        h.update(self._suffix)
        return h

    def seal(self, name: str, plaintext: bytes, iat: int) -> str:
        """Token for the cookie called name, issued at iat (Unix seconds),
        under the current secret with a random IV."""
        return self._seal(name, plaintext, iat, os.urandom(16))

    def _seal(self, name: str, plaintext: bytes, iat: int, iv: bytes) -> str:
        size = len(name.encode("utf-8")) + sealed_len(len(plaintext))
        if size > self.limit:
            raise TooLarge(f"name and sealed value would be {size} bytes, more than {self.limit}")
        if not 0 <= iat <= 0xFFFFFFFF:
            raise ValueError("issued-at outside 1970..2106")
        if len(iv) != 16:
            raise ValueError("IV must be 16 bytes")
        k = self._ring[0]
        header = bytes([VERSION]) + k.kid + struct.pack(">I", iat) + iv
        enc = Cipher(algorithms.AES(k.enc), modes.CTR(iv)).encryptor()
        ct = enc.update(plaintext) + enc.finalize()
        return b64encode(header + ct + self._tag(k, header, ct, name).finalize())

    def open(self, name: str, token: str, now: float) -> Opened:
        """Verify and decrypt the cookie called name at time now (Unix
        seconds). Raises InvalidToken, checks in this order: length,
        encoding, version, key, tag, expired/future."""
        size = len(token.encode("utf-8", "surrogatepass"))  # bytes, as Go counts
        if size > self.limit - len(name.encode("utf-8")) or size < MIN_LEN:
            raise InvalidToken(LENGTH)
        raw = b64decode_strict(token)
        if raw[0] != VERSION:
            raise InvalidToken(VERSION_)
        k = self._by_id.get(raw[1:5])
        if k is None:
            raise InvalidToken(KEY)
        header, ct, tag = raw[:HEADER_LEN], raw[HEADER_LEN:-TAG_LEN], raw[-TAG_LEN:]
        try:
            self._tag(k, header, ct, name).verify(tag)  # constant time
        except InvalidSignature:
            raise InvalidToken(TAG) from None
        iat = struct.unpack(">I", header[5:9])[0]
        n = math.floor(now)
        if iat > n:
            if iat - n > math.floor(self.skew):
                raise InvalidToken(FUTURE)
        elif n - iat > math.floor(self.max_age):
            raise InvalidToken(EXPIRED)
        dec = Cipher(algorithms.AES(k.enc), modes.CTR(header[9:25])).decryptor()
        return Opened(dec.update(ct) + dec.finalize(), k.kid, k.index, iat)


def parse(token: str) -> tuple[bytes, int, int]:
    """(key ID, issued-at, plaintext length) of a token, UNVERIFIED."""
    if not MIN_LEN <= len(token) <= 64 << 10:
        raise InvalidToken(LENGTH)
    raw = b64decode_strict(token)
    if raw[0] != VERSION:
        raise InvalidToken(VERSION_)
    return raw[1:5], struct.unpack(">I", raw[5:9])[0], len(raw) - OVERHEAD
