"""SealedSessionInterface against Flask's SecureCookieSessionInterface
semantics, through Flask's test client. Run: python -m unittest discover
-s tests from python/."""

import time
import unittest
from datetime import datetime, timedelta, timezone
from email.utils import formatdate
from http.cookies import SimpleCookie

from flask import Flask, session
from flask.sessions import session_json_serializer

from sessionkit_seal import SealedSessionInterface, Sealer, TooLarge, parse

KEY = "test-session-key-0123456789abcdefghij"
OLD = "old-session-key-0123456789abcdefghijk"
T = 1_750_000_000


class Clock(SealedSessionInterface):
    t = T

    def now(self):
        return self.t


def make_app(**config):
    app = Flask(__name__)
    app.secret_key = KEY
    app.config.update(PERMANENT_SESSION_LIFETIME=timedelta(hours=1), **config)
    app.session_interface = Clock()

    @app.post("/set")
    def set_():
        from flask import request

        session.update(session_json_serializer.loads(request.get_data(as_text=True)))
        if request.args.get("permanent"):
            session.permanent = True
        return "ok"

    @app.get("/get")
    def get():
        return session_json_serializer.dumps(dict(session))

    @app.get("/clear")
    def clear():
        session.clear()
        return "ok"

    return app


def set_cookie(resp, name="session"):
    for h in resp.headers.getlist("Set-Cookie"):
        c = SimpleCookie()
        c.load(h)
        if name in c:
            return c[name]
    return None


class Interface(unittest.TestCase):
    def setUp(self):
        self.app = make_app()
        self.client = self.app.test_client(use_cookies=False)

    def req(self, method, path, cookie=None, data=None, t=T):
        self.app.session_interface.t = t
        headers = {"Cookie": f"session={cookie}"} if cookie else {}
        return self.client.open(path, method=method, headers=headers, data=data)

    def sealer(self, *keys, app_id=""):
        return Sealer(keys[0] if keys else KEY, keys[1:], app_id=app_id, max_age=3600)

    def test_write_and_read(self):
        r = self.req("POST", "/set", data='{"u":"maria","f":{" t":[1,2]}}')
        c = set_cookie(r)
        self.assertTrue(c.value.startswith("s"))
        self.assertEqual(c["expires"], "")
        self.assertTrue(c["httponly"])
        self.assertIn("Cookie", r.headers.get("Vary", ""))
        self.assertEqual(self.sealer().open("session", c.value, T).plaintext, b'{"f":{" t":[1,2]},"u":"maria"}')
        self.assertEqual(self.req("GET", "/get", c.value).get_data(as_text=True), '{"f":{" t":[1,2]},"u":"maria"}')

    def test_permanent_expires_and_refresh(self):
        c = set_cookie(self.req("POST", "/set?permanent=1", data='{"u":1}'))
        self.assertEqual(c["expires"], formatdate(T + 3600, usegmt=True))
        r = set_cookie(self.req("GET", "/get", c.value, t=T + 600))
        self.assertEqual(r["expires"], formatdate(T + 600 + 3600, usegmt=True))
        self.assertEqual(parse(r.value)[1], T + 600)

    def test_no_refresh(self):
        self.app.config["SESSION_REFRESH_EACH_REQUEST"] = False
        c = set_cookie(self.req("POST", "/set?permanent=1", data='{"u":1}'))
        self.assertIsNone(set_cookie(self.req("GET", "/get", c.value, t=T + 600)))

    def test_read_only_non_permanent_writes_nothing(self):
        c = set_cookie(self.req("POST", "/set", data='{"u":1}'))
        r = self.req("GET", "/get", c.value, t=T + 10)
        self.assertIsNone(set_cookie(r))
        self.assertIn("Cookie", r.headers.get("Vary", ""))

    def test_clear_deletes(self):
        c = set_cookie(self.req("POST", "/set", data='{"u":1}'))
        d = set_cookie(self.req("GET", "/clear", c.value))
        self.assertEqual(d.value, "")
        self.assertIn("1970", d["expires"])

    def test_expiry_and_skew(self):
        c = set_cookie(self.req("POST", "/set", data='{"u":1}'))
        self.assertEqual(self.req("GET", "/get", c.value, t=T + 3600).get_data(as_text=True), '{"u":1}')
        self.assertEqual(self.req("GET", "/get", c.value, t=T + 3601).get_data(as_text=True), "{}")
        self.assertEqual(self.req("GET", "/get", c.value, t=T - 60).get_data(as_text=True), '{"u":1}')
        self.assertEqual(self.req("GET", "/get", c.value, t=T - 61).get_data(as_text=True), "{}")

    def test_rotation_reseals_keeping_issued_at(self):
        self.app.config["SECRET_KEY_FALLBACKS"] = [OLD]
        tok = self.sealer(OLD).seal("session", b'{"u":1}', T)
        c = set_cookie(self.req("GET", "/get", tok, t=T + 100))
        opened = self.sealer(KEY).open("session", c.value, T + 100)
        self.assertEqual((opened.key, opened.issued_at, opened.plaintext), (0, T, b'{"u":1}'))
        self.app.config["SECRET_KEY_FALLBACKS"] = []
        self.assertEqual(self.req("GET", "/get", tok, t=T + 100).get_data(as_text=True), "{}")

    def test_refused_values(self):
        good = self.sealer().seal("session", b'{"u":1}', T)
        tampered = good[:40] + ("B" if good[40] == "A" else "A") + good[41:]
        for bad in (tampered, good + "=", self.sealer(OLD).seal("session", b'{"u":1}', T),
                    self.sealer(app_id="other").seal("session", b'{"u":1}', T),
                    self.sealer().seal("other", b'{"u":1}', T), "eyJ1IjoxfQ.ZVPxAA.fakW8xRs_-Z2qVeZ_q5lQCYaa08"):
            self.assertEqual(self.req("GET", "/get", bad).get_data(as_text=True), "{}")

    def test_signed_migration_window(self):
        # Flask's own signed cookie, made by the real SecureCookieSessionInterface.
        plain = Flask(__name__)
        plain.secret_key = KEY

        @plain.get("/login")
        def login():
            session["u"] = "maria"
            return "ok"

        signed = set_cookie(plain.test_client(use_cookies=False).get("/login")).value
        now = time.time()
        self.assertEqual(self.req("GET", "/get", signed, t=now).get_data(as_text=True), "{}")
        self.app.config["SESSIONKIT_ACCEPT_SIGNED_UNTIL"] = now + 60
        r = self.req("GET", "/get", signed, t=now)
        self.assertEqual(r.get_data(as_text=True), '{"u":"maria"}')
        opened = self.sealer().open("session", set_cookie(r).value, now)
        self.assertEqual((opened.issued_at, opened.plaintext), (int(now), b'{"u":"maria"}'))
        forged = signed[:-2] + ("AA" if signed[-2:] != "AA" else "BB")
        self.assertEqual(self.req("GET", "/get", forged, t=now).get_data(as_text=True), "{}")
        self.app.config["SESSIONKIT_ACCEPT_SIGNED_UNTIL"] = datetime.fromtimestamp(now - 1, timezone.utc)
        self.assertEqual(self.req("GET", "/get", signed, t=now).get_data(as_text=True), "{}")

    def test_app_id(self):
        self.app.config["SESSIONKIT_APP_ID"] = "shop"
        c = set_cookie(self.req("POST", "/set", data='{"u":1}'))
        self.assertEqual(self.sealer(app_id="shop").open("session", c.value, T).plaintext, b'{"u":1}')

    def test_too_large(self):
        self.app.testing = False
        with self.assertLogs(self.app.logger, "ERROR"):
            r = self.req("POST", "/set", data='{"x":"%s"}' % ("x" * 3100))
        self.assertEqual(r.status_code, 500)
        self.assertIsNone(set_cookie(r))
        self.app.testing = True
        with self.assertRaises(TooLarge):
            self.req("POST", "/set", data='{"x":"%s"}' % ("x" * 3100))

    def test_no_secret_key(self):
        self.app.secret_key = None
        self.app.testing = True
        with self.assertRaises(RuntimeError):
            self.req("POST", "/set", data='{"u":1}')


if __name__ == "__main__":
    unittest.main()
