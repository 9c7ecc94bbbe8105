"""Sealed (encrypted and authenticated) Flask sessions that a Go service
using sessionkit can read and write: the SK1 format of docs/ENCRYPTED.md.

    from sessionkit_seal import SealedSessionInterface
    app.session_interface = SealedSessionInterface()

The session keeps Flask's semantics (SECRET_KEY, SECRET_KEY_FALLBACKS,
permanent sessions, PERMANENT_SESSION_LIFETIME, SESSION_REFRESH_EACH_REQUEST,
the SESSION_COOKIE_* options); only the cookie changes: its content is
encrypted, and bound to the cookie's name.
"""

from .sk1 import (
    DEFAULT_LIMIT,
    DEFAULT_MAX_AGE,
    DEFAULT_SKEW,
    OVERHEAD,
    VERSION,
    InvalidToken,
    Opened,
    Sealer,
    TooLarge,
    derive,
    key_id,
    max_plaintext_len,
    parse,
    sealed_len,
)

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_MAX_AGE",
    "DEFAULT_SKEW",
    "OVERHEAD",
    "VERSION",
    "InvalidToken",
    "Opened",
    "SealedSession",
    "SealedSessionInterface",
    "Sealer",
    "TooLarge",
    "derive",
    "key_id",
    "max_plaintext_len",
    "parse",
    "sealed_len",
]


def __getattr__(name: str):
    # The Flask part is imported on first use, so that the format alone
    # needs only `cryptography`.
    if name in ("SealedSession", "SealedSessionInterface"):
        from . import sessions

        return getattr(sessions, name)
    raise AttributeError(name)
