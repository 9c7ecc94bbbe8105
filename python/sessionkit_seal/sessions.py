"""A Flask SessionInterface keeping the session in an SK1 sealed cookie.

It follows SecureCookieSessionInterface (Flask 2.2 to 3.1) line by line;
what differs is the cookie's content, and three rules that come with
sealing:

- a cookie opened with a SECRET_KEY_FALLBACKS secret is sealed again with
  SECRET_KEY in the same response, keeping its issued-at, so that rotating
  keys never extends a session;
- a permanent cookie expires at its issued-at plus the lifetime;
- a session too large for a cookie raises TooLarge instead of writing a
  cookie the browser would drop.

Configuration, beyond Flask's own: SESSIONKIT_APP_ID (default ""), bound
into every cookie so that applications sharing a secret cannot read each
other's sessions; SESSIONKIT_SKEW (default 60), the seconds a cookie's
issued-at may be ahead of this machine's clock; SESSIONKIT_ACCEPT_SIGNED_UNTIL
(default None), the end of the migration window from Flask's signed cookies,
as Unix seconds or an aware datetime: until then a signed session cookie
under the same keys (Flask's own format) is still read and written back
sealed in the same response; from then on it is refused, as Go's
Manager.AcceptSignedUntil does.
"""

from __future__ import annotations

import time
import typing as t
from datetime import datetime, timezone

from flask.sessions import (
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionInterface,
    SessionMixin,
    session_json_serializer,
)

from .sk1 import DEFAULT_SKEW, InvalidToken, Sealer, TooLarge

if t.TYPE_CHECKING:
    from flask import Flask
    from flask.wrappers import Request, Response

__all__ = ["SealedSession", "SealedSessionInterface", "TooLarge"]


class SealedSession(SecureCookieSession):
    """A session read from a sealed cookie."""

    #: The issued-at (Unix seconds) of the cookie it was read from.
    issued_at: int | None = None
    #: The cookie was sealed with a fallback secret: seal it again.
    reseal: bool = False


class SealedSessionInterface(SessionInterface):
    """Sessions in SK1 sealed cookies:
    ``app.session_interface = SealedSessionInterface()``."""

    #: Bound into every cookie: a value sealed for another purpose (a
    #: "remember" cookie, say) never opens as a session.
    purpose = "session"
    #: Flask's tagged JSON, so that tuples, bytes, Markup, UUID and datetime
    #: values survive, and Go reads them with package flask.
    serializer = session_json_serializer
    session_class = SealedSession

    def __init__(self) -> None:
        self._cache: tuple[tuple, Sealer] | None = None

    def now(self) -> float:
        """The clock (Unix seconds); tests override it."""
        return time.time()

    def get_sealer(self, app: Flask) -> Sealer | None:
        """The Sealer for app's configuration, or None without SECRET_KEY."""
        if not app.secret_key:
            return None
        fallbacks = tuple(app.config.get("SECRET_KEY_FALLBACKS") or ())
        config = (
            app.secret_key,
            fallbacks,
            app.config.get("SESSIONKIT_APP_ID") or "",
            int(app.permanent_session_lifetime.total_seconds()),
            app.config.get("SESSIONKIT_SKEW", DEFAULT_SKEW),
        )
        cache = self._cache
        if cache is not None and cache[0] == config:
            return cache[1]
        sealer = Sealer(
            config[0],
            config[1],
            purpose=self.purpose,
            app_id=config[2],
            max_age=config[3],
            skew=config[4],
        )
        self._cache = (config, sealer)
        return sealer

    def open_session(self, app: Flask, request: Request) -> SealedSession | None:
        s = self.get_sealer(app)
        if s is None:
            return None
        name = self.get_cookie_name(app)
        val = request.cookies.get(name)
        if not val:
            return self.session_class()
        try:
            opened = s.open(name, val, self.now())
        except InvalidToken as e:
            signed = self._open_signed(app, val)
            if signed is not None:
                return signed
            app.logger.debug("sealed session cookie refused (%s)", e.reason)
            return self.session_class()
        try:
            data = self.serializer.loads(opened.plaintext.decode("utf-8"))
            session = self.session_class(data)
        except (ValueError, TypeError) as e:
            # Authentic but unreadable: whoever holds the key wrote it.
            app.logger.warning("sealed session cookie holds no session: %s", e)
            return self.session_class()
        session.issued_at = opened.issued_at
        session.reseal = opened.key != 0
        return session

    def _open_signed(self, app: Flask, val: str) -> SealedSession | None:
        """A Flask signed cookie read during the migration window, marked to
        be sealed in this response; None outside the window or when val is
        not a valid signed session."""
        until = app.config.get("SESSIONKIT_ACCEPT_SIGNED_UNTIL")
        if until is None:
            return None
        if isinstance(until, datetime):
            until = until.timestamp()
        if self.now() >= float(until):
            return None
        signer = SecureCookieSessionInterface().get_signing_serializer(app)
        if signer is None:
            return None
        try:
            data = signer.loads(val, max_age=int(app.permanent_session_lifetime.total_seconds()))
        except Exception:  # itsdangerous.BadSignature and malformed payloads alike
            return None
        session = self.session_class(data)
        session.reseal = True  # issued_at None: sealed as new, at now
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        secure = self.get_cookie_secure(app)
        samesite = self.get_cookie_samesite(app)
        httponly = self.get_cookie_httponly(app)
        extra: dict[str, t.Any] = {}
        if hasattr(self, "get_cookie_partitioned"):  # Flask >= 3.1
            extra["partitioned"] = self.get_cookie_partitioned(app)

        # Add a "Vary: Cookie" header if the session was accessed at all.
        if session.accessed:
            response.vary.add("Cookie")

        # If the session is modified to be empty, remove the cookie.
        # If the session is empty, return without setting the cookie.
        if not session:
            if session.modified:
                response.delete_cookie(
                    name,
                    domain=domain,
                    path=path,
                    secure=secure,
                    samesite=samesite,
                    httponly=httponly,
                    **extra,
                )
                response.vary.add("Cookie")
            return

        reseal = getattr(session, "reseal", False)
        if not self.should_set_cookie(app, session) and not reseal:
            return

        now = int(self.now())
        iat = now
        issued = getattr(session, "issued_at", None)
        if reseal and issued is not None and not self.should_set_cookie(app, session):
            # A rotation alone: the value is unchanged and keeps its age.
            iat = issued
        sealer = self.get_sealer(app)
        assert sealer is not None
        plaintext = self.serializer.dumps(dict(session)).encode("utf-8")
        val = sealer.seal(name, plaintext, iat)  # TooLarge: never a dropped cookie
        expires = None
        if session.permanent:
            lifetime = int(app.permanent_session_lifetime.total_seconds())
            expires = datetime.fromtimestamp(iat + lifetime, timezone.utc)
        response.set_cookie(
            name,
            val,
            expires=expires,
            httponly=httponly,
            domain=domain,
            path=path,
            secure=secure,
            samesite=samesite,
            **extra,
        )
        response.vary.add("Cookie")
