"""Runs the real Flask-WTF's generate_csrf and validate_csrf on a batch of
cases, for flaskwtf's differential tests.

Reads a JSON list on stdin; each case is
  {"op": "sign", "key": str, "raw": str, "now": int}
      -> the token generate_csrf returns at time now for a session holding raw
  {"op": "validate", "key": str, "raw": str|null, "token": str, "now": int,
   "time_limit": int|null}
      -> "ok" or the ValidationError's message
and writes the list of results as JSON on stdout.
"""
import json
import sys
from unittest import mock

from flask import Flask, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import TimestampSigner
from wtforms import ValidationError


def run(case):
    app = Flask(__name__)
    app.secret_key = case["key"]
    if case["op"] == "validate":
        app.config["WTF_CSRF_TIME_LIMIT"] = case["time_limit"]
    now = case["now"]
    with mock.patch.object(TimestampSigner, "get_timestamp", lambda self: now):
        with app.test_request_context():
            if case.get("raw") is not None:
                session["csrf_token"] = case["raw"]
            if case["op"] == "sign":
                return generate_csrf()
            try:
                validate_csrf(case["token"])
                return "ok"
            except ValidationError as e:
                return e.args[0]
            except TypeError as e:
                return "TypeError: " + str(e)


print(json.dumps([run(c) for c in json.load(sys.stdin)]))
