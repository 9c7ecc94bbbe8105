"""A Flask app without Flask-WTF, for flaskwtf's tests under Flasks that
lack the extension (Flask 3.1 here): it keeps a raw token in the session
under "csrf_token", as Flask-WTF does, and signs and checks tokens with
itsdangerous's URLSafeTimedSerializer and Flask-WTF's salt. It proves
session and itsdangerous compatibility only, not Flask-WTF's own rules.

Environment: SECRET_KEY (required). The app listens on 127.0.0.1 on a port
the system picks and prints "PORT <n>" once it is listening.
"""
import hmac
import os

from flask import Flask, jsonify, request, session
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from werkzeug.serving import make_server

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]


def serializer():
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")


@app.get("/put")
def put():
    session["csrf_token"] = request.args["raw"]
    return "stored"


@app.get("/sign")
def sign():
    return serializer().dumps(session["csrf_token"])


@app.post("/verify")
def verify():
    if "csrf_token" not in session:
        return "The CSRF session token is missing.", 400
    try:
        token = serializer().loads(request.form["csrf_token"], max_age=3600)
    except SignatureExpired:
        return "The CSRF token has expired.", 400
    except BadData:
        return "The CSRF token is invalid.", 400
    if not hmac.compare_digest(session["csrf_token"], token):
        return "The CSRF tokens do not match.", 400
    return "ok"


@app.get("/session")
def dump():
    return jsonify(dict(session))


if __name__ == "__main__":
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    print("PORT", srv.server_port, flush=True)
    srv.serve_forever()
