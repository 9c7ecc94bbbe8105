"""A Flask app using the real Flask-Login, for flasklogin's live tests.

Environment: SECRET_KEY (required), SESSION_PROTECTION ("basic", "strong"
or "None"). Every user ID names an existing user. The app listens on
127.0.0.1 on a port the system picks and prints "PORT <n>" once it is
listening.
"""
import os
from datetime import timedelta

from flask import Flask, jsonify, request, session
from flask_login import (LoginManager, UserMixin, confirm_login, current_user,
                         login_fresh, login_user, logout_user)
from flask_login.utils import _create_identifier
from werkzeug.serving import make_server

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]
login_manager = LoginManager(app)
mode = os.environ.get("SESSION_PROTECTION", "basic")
login_manager.session_protection = None if mode == "None" else mode


class User(UserMixin):
    def __init__(self, id):
        self.id = id


@login_manager.user_loader
def load_user(user_id):
    return User(user_id)


def typed(d):
    return {k: [type(v).__name__, v] for k, v in d.items()}


@app.get("/login")
def login():
    duration = request.args.get("duration")
    login_user(User(request.args["id"]), remember=request.args.get("remember") == "1",
               duration=None if duration is None else timedelta(seconds=float(duration)),
               fresh=request.args.get("fresh") != "0")
    return "ok"


@app.get("/logout")
def logout():
    logout_user()
    return "ok"


@app.get("/confirm")
def confirm():
    confirm_login()
    return "ok"


@app.get("/whoami")
def whoami():
    user = current_user.get_id() if current_user.is_authenticated else None
    return jsonify(user=user, fresh=login_fresh(), session=typed(dict(session)))


@app.get("/identifier")
def identifier():
    return _create_identifier()


if __name__ == "__main__":
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    print("PORT", srv.server_port, flush=True)
    srv.serve_forever()
