"""Runs the real Flask-Login (0.6) on a batch of cases, for flasklogin's
differential tests.

Reads a JSON list of cases on stdin and writes the list of results as JSON
on stdout. Header values and cookies are given as base64 of their bytes
and reach Flask the way a WSGI server hands them over: each byte decoded as
Latin-1, repeated headers joined with "," (as werkzeug's server joins
them). Ops:

  identifier  {request}                       -> _create_identifier()
  encode      {key, payload}                  -> encode_cookie(payload)
  decode      {key, cookie}                   -> decode_cookie(cookie) or null
  cookie      {request, name}                 -> request.cookies.get(name)
  request     {request, key, mode, refresh, now, session, action}
      -> a whole request: the session holds `session`, then `action` runs
         ("user": current_user; "login": login_user(...); "logout";
         "confirm"), then Flask's after_request hooks; the result is
         {"user": id or null, "fresh": login_fresh(), "session": the
         session after the hooks (values tagged with their Python type),
         "cookies": the remember-me Set-Cookie headers}

request = {"remote_addr": str or null, "headers": [[name, base64], ...]}
"""
import base64
import datetime as _dt
import json
import sys
from unittest import mock

import flask_login.login_manager
from flask import Flask, session
from flask_login import (LoginManager, UserMixin, confirm_login, current_user,
                         login_fresh, login_user, logout_user)
from flask_login.utils import _create_identifier, decode_cookie, encode_cookie


class User(UserMixin):
    def __init__(self, id):
        self.id = id


def make_app(case):
    app = Flask(__name__)
    app.secret_key = case.get("key", "k")
    lm = LoginManager(app)
    mode = case.get("mode", "basic")
    lm.session_protection = None if mode == "None" else mode
    app.config["REMEMBER_COOKIE_REFRESH_EACH_REQUEST"] = case.get("refresh", False)

    @lm.user_loader
    def load(user_id):
        return User(user_id)

    return app


def environ(req):
    env = {}
    if req.get("remote_addr") is not None:
        env["REMOTE_ADDR"] = req["remote_addr"]
    for name, value in req.get("headers", []):
        key = "HTTP_" + name.upper().replace("-", "_")
        value = base64.b64decode(value).decode("latin-1")
        env[key] = env[key] + "," + value if key in env else value
    return env


def typed(d):
    return {k: [type(v).__name__, v] for k, v in d.items()}


def frozen(now):
    class FrozenDatetime(_dt.datetime):
        @classmethod
        def utcnow(cls):
            return _dt.datetime.utcfromtimestamp(now)

    return mock.patch.object(flask_login.login_manager, "datetime", FrozenDatetime)


def run(case):
    op = case["op"]
    app = make_app(case)
    with app.test_request_context(environ_base=environ(case.get("request", {}))):
        from flask import request
        if op == "identifier":
            return _create_identifier()
        if op == "encode":
            return encode_cookie(case["payload"])
        if op == "decode":
            try:
                return decode_cookie(case["cookie"])
            except TypeError as e:
                return "TypeError: " + str(e)
        if op == "cookie":
            return request.cookies.get(case["name"])
        session.update(case.get("session", {}))
        action = case["action"]
        if action == "login":
            dur = case.get("duration")
            login_user(User(case["id"]), remember=case.get("remember", False),
                       duration=None if dur is None else _dt.timedelta(seconds=dur),
                       fresh=case.get("fresh", True))
        elif action == "logout":
            logout_user()
        elif action == "confirm":
            confirm_login()
        user = current_user.get_id() if current_user.is_authenticated else None
        fresh = login_fresh()
        with frozen(case["now"]):
            resp = app.process_response(app.make_response("x"))
        cookies = [h for h in resp.headers.getlist("Set-Cookie")
                   if h.startswith("remember_token=")]
        return {"user": user, "fresh": fresh, "session": typed(dict(session)),
                "cookies": cookies}


print(json.dumps([run(c) for c in json.load(sys.stdin)]))
