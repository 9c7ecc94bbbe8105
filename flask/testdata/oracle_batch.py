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

Keys are UTF-8 text, or "hex:..." for raw bytes. Fallbacks are given oldest
first, as in SECRET_KEY_FALLBACKS; Flask >= 3.1 reads them from the config,
older Flask gets the same key list ([*fallbacks, key]) passed to
itsdangerous, as Flask 3.1.1+ builds it.
"""
import datetime
import json
import sys
from importlib.metadata import version

import itsdangerous
from flask import Flask
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


def handle(req):
    op = req["op"]
    if op == "version":
        return {"flask": FLASK_VERSION}
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
