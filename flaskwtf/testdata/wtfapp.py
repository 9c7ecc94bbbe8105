"""A Flask app protected by the real Flask-WTF CSRFProtect, for flaskwtf's
live tests.

Environment: SECRET_KEY (required). The app listens on 127.0.0.1 on a port
the system picks and prints "PORT <n>" once it is listening.
"""
import os

from flask import Flask, jsonify, render_template_string, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.serving import make_server

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]
CSRFProtect(app)

FORM = """<form method="post" action="/submit">
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<input name="x">
</form>"""


@app.errorhandler(CSRFError)
def refused(e):
    # The reason alone, so the tests can compare it with Go's.
    return e.description, 400


@app.get("/form")
def form():
    return render_template_string(FORM)


@app.post("/submit")
def submit():
    return "ok " + request.form.get("x", "")


@app.get("/session")
def dump():
    return jsonify(dict(session))


if __name__ == "__main__":
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    print("PORT", srv.server_port, flush=True)
    srv.serve_forever()
