"""A small Flask app for sessionkit's interop tests: flash messages and a
permanent session, next to the lesson's app.py.

Environment: SECRET_KEY (required), PORT, SESSION_LIFETIME_SECONDS.
"""
import json
import os
import sys
from datetime import timedelta

from flask import Flask, flash, get_flashed_messages, jsonify, request, session

app = Flask(__name__)
app.secret_key = os.environ.get("SECRET_KEY")
if not app.secret_key:
    sys.exit("set SECRET_KEY")
app.permanent_session_lifetime = timedelta(
    seconds=int(os.environ.get("SESSION_LIFETIME_SECONDS", "120")))


@app.route("/flash")
def add_flash():
    flash(request.args["msg"], request.args.get("cat", "message"))
    return "flashed"


@app.route("/flash-json")
def add_flash_json():
    # flash() takes any message; a JSON one is how a test sends a number,
    # a list or a dict.
    flash(json.loads(request.args["msg"]), request.args.get("cat", "message"))
    return "flashed"


@app.route("/show")
def show():
    return jsonify(get_flashed_messages(with_categories=True))


@app.route("/permanent")
def permanent():
    session.permanent = True
    session["p"] = request.args.get("v", "flask")
    return "permanent"


@app.route("/get")
def get():
    return jsonify(p=session.get("p"), permanent=session.permanent,
                   keys=sorted(session.keys()))


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
