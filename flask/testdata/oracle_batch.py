"""Batch Flask oracle for the differential tests of package flask.

Reads one JSON request per line on stdin and writes one JSON answer per
line on stdout, all in one process, using the installed Flask's own
session interface (SecureCookieSessionInterface and its tagged JSON
serializer). Requests:

  {"op": "sign", "key": K, "fallbacks": [...], "now": T, "tagged_json": J}
      -> {"cookie": C, "payload_json": P}
  {"op": "verify", "key": K, "fallbacks": [...], "now": T, "max_age": S,
   "cookie": C}
      -> {"ok": true, "payload_json": P} or {"ok": false, "error": NAME}
  {"op": "version"} -> {"flask": V}
  {"op": "max_depth", "key": K, "now": T, "open": O, "close": C}
      -> {"read": N, "rewrite": M}: the most levels O…C around 1, under key
         "a", that Flask reads in a request (a view that reads the
         session), and that it also writes back (a view that modifies it);
         beyond them CPython's recursion limit fails the request.
  {"op": "random_session", "key": K, "now": T, "seed": S}
      -> {"cookie": C, "payload_json": P}: a random session of Python values
         (lone surrogates, big ints, tuples, bytes, Markup, UUIDs, aware
         datetimes, dates, Decimals, deep nesting...), as Flask writes it.
  {"op": "request_read", "key": K, "now": T, "cookie": C}
      -> {"ok": B}: whether a request carrying C reads its session.

Keys are UTF-8 text, or "hex:..." for raw bytes. Fallbacks are given oldest
first, as in SECRET_KEY_FALLBACKS; Flask >= 3.1 reads them from the config,
older Flask gets the same key list ([*fallbacks, key]) passed to
itsdangerous, as Flask 3.1.1+ builds it.
"""
import datetime
import json
import sys
import zlib
from importlib.metadata import version

import itsdangerous
from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface, session_json_serializer

FLASK_VERSION = version("flask")
NATIVE_FALLBACKS = tuple(int(x) for x in FLASK_VERSION.split(".")[:2]) >= (3, 1)

_now = [0]
itsdangerous.TimestampSigner.get_timestamp = lambda self: _now[0]


def key_of(text):
    return bytes.fromhex(text[4:]) if text.startswith("hex:") else text


class Interface(SecureCookieSessionInterface):
    fallbacks = ()

    def get_signing_serializer(self, app):
        if NATIVE_FALLBACKS or not self.fallbacks:
            return super().get_signing_serializer(app)
        return itsdangerous.URLSafeTimedSerializer(
            [*self.fallbacks, app.secret_key],
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={"key_derivation": self.key_derivation,
                           "digest_method": self.digest_method},
        )


_apps = {}


def app_for(req):
    key = key_of(req["key"])
    fallbacks = tuple(key_of(k) for k in req.get("fallbacks") or ())
    max_age = req.get("max_age", 31 * 24 * 3600)
    cache_key = (key, fallbacks, max_age)
    app = _apps.get(cache_key)
    if app is None:
        app = Flask("oracle_batch")
        app.secret_key = key
        app.config["PERMANENT_SESSION_LIFETIME"] = datetime.timedelta(seconds=max_age)
        iface = Interface()
        if NATIVE_FALLBACKS:
            app.config["SECRET_KEY_FALLBACKS"] = list(fallbacks)
        else:
            iface.fallbacks = fallbacks
        app.session_interface = iface
        _apps[cache_key] = app
    return app


def depth_app(key):
    app = Flask("oracle_depth")
    app.secret_key = key
    app.testing = True  # errors propagate to request_ok instead of the log

    @app.route("/read")
    def read():
        return "ok %d" % len(session)

    @app.route("/rewrite")
    def rewrite():
        session.modified = True
        return "ok"

    return app


def request_ok(app, cookie, path):
    client = app.test_client()
    if tuple(int(x) for x in FLASK_VERSION.split(".")[:2]) >= (2, 3):
        client.set_cookie("session", cookie)
    else:
        client.set_cookie("localhost", "session", cookie)
    try:
        return client.get(path).status_code == 200
    except Exception:  # RecursionError, or BadPayload wrapping it
        return False


def max_depth(req):
    app = depth_app(key_of(req["key"]))
    _now[0] = req["now"]
    with app.app_context():
        signer = app.session_interface.get_signing_serializer(app).make_signer()

    def cookie(n):
        text = ('{"a":' + req["open"] * n + "1" + req["close"] * n + "}").encode()
        packed = zlib.compress(text)
        if len(packed) < len(text) - 1:
            return signer.sign(b"." + itsdangerous.encoding.base64_encode(packed)).decode()
        return signer.sign(itsdangerous.encoding.base64_encode(text)).decode()

    def largest(path):
        lo, hi = 0, 4000  # lo reads, hi does not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if request_ok(app, cookie(mid), path):
                lo = mid
            else:
                hi = mid
        return lo

    return {"read": largest("/read"), "rewrite": largest("/rewrite")}


def random_string(r):
    pieces = ["", "a", "Olá", "😀", "\ud800", "\udfff", "\udbff\udc00x", "\ud83d",
              "\x00", "\x7f", "\u2028", "\ufeff", "\uffff", "\U0010ffff", " t", " di", "__", '"\\']
    out = []
    for _ in range(r.randrange(5)):
        k = r.randrange(3)
        if k == 0:
            out.append(chr(r.randrange(0x110000)))  # surrogates included
        else:
            out.append(r.choice(pieces))
    return "".join(out)


def random_value(r, depth):
    import decimal
    import uuid
    from markupsafe import Markup
    n = r.randrange(16 if depth < 5 else 11)
    if n == 0:
        return None
    if n == 1:
        return r.random() < 0.5
    if n in (2, 3):
        return random_string(r)
    if n == 4:
        return r.choice([0, -1, 2**63, -2**63 - 1, 10**40, r.randrange(-10**6, 10**6)])
    if n == 5:
        return r.choice([0.1, -0.0, 1e16, 1e-5, float("inf"), float("nan"), r.uniform(-1e9, 1e9)])
    if n == 6:
        return bytes(r.randrange(256) for _ in range(r.randrange(8)))
    if n == 7:
        return uuid.UUID(int=r.getrandbits(128))
    if n == 8:
        tz = datetime.timezone(datetime.timedelta(minutes=r.randrange(-900, 900)))
        return datetime.datetime(r.randrange(1000, 9999), r.randrange(1, 13), r.randrange(1, 29),
                                 r.randrange(24), r.randrange(60), r.randrange(60), r.randrange(10**6), tz)
    if n == 9:
        return Markup(random_string(r))
    if n == 10:
        return r.choice([datetime.date(2024, 2, 29), decimal.Decimal("1.50")])
    if n in (11, 12):
        items = [random_value(r, depth + 1) for _ in range(r.randrange(4))]
        return tuple(items) if r.random() < 0.3 else items
    if n == 13:
        # Deep nesting, below what Flask writes back.
        v = random_string(r)
        for _ in range(r.randrange(100)):
            v = [v] if r.random() < 0.5 else {"k": v}
        return v
    return random_session(r, depth + 1)


def random_session(r, depth=0):
    if r.random() < 0.2:
        return {r.choice([" t", " b", " m", " u", " d", " di"]): random_value(r, depth + 1)}
    return {random_string(r): random_value(r, depth + 1) for _ in range(r.randrange(5))}


def handle(req):
    op = req["op"]
    if op == "version":
        return {"flask": FLASK_VERSION}
    if op == "max_depth":
        return max_depth(req)
    if op == "random_session":
        import random
        app = app_for(req)
        _now[0] = req["now"]
        with app.app_context():
            data = random_session(random.Random(req["seed"]))
            s = app.session_interface.get_signing_serializer(app)
            return {"cookie": s.dumps(data), "payload_json": session_json_serializer.dumps(data)}
    if op == "request_read":
        _now[0] = req["now"]
        return {"ok": request_ok(depth_app(key_of(req["key"])), req["cookie"], "/read")}
    app = app_for(req)
    _now[0] = req["now"]
    with app.app_context():
        s = app.session_interface.get_signing_serializer(app)
        if op == "sign":
            data = session_json_serializer.loads(req["tagged_json"])
            # What save_session does: dumps(dict(session)).
            return {"cookie": s.dumps(dict(data)),
                    "payload_json": session_json_serializer.dumps(dict(data))}
        if op == "verify":
            max_age = int(app.permanent_session_lifetime.total_seconds())
            try:
                data = s.loads(req["cookie"], max_age=max_age)
            except itsdangerous.BadData as e:
                return {"ok": False, "error": type(e).__name__}
            except Exception as e:  # a tag or JSON error outside BadData
                return {"ok": False, "error": type(e).__name__}
            if not isinstance(data, dict):
                return {"ok": True, "not_dict": True}
            return {"ok": True, "payload_json": session_json_serializer.dumps(data)}
    raise ValueError("unknown op " + op)


def main():
    out = sys.stdout
    for line in sys.stdin:
        try:
            answer = handle(json.loads(line))
        except Exception as e:
            answer = {"exception": type(e).__name__, "message": str(e)[:200]}
        out.write(json.dumps(answer) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
