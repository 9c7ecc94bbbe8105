"""A Flask app without Flask-Login, for flasklogin's tests under Flasks
that lack the extension (Flask 3.1 here). It stores and shows session keys
with their Python types and shows request headers as the server hands them
to Flask; it proves session and header compatibility only, not
Flask-Login's own rules.

Environment: SECRET_KEY (required). The app listens on 127.0.0.1 on a port
the system picks and prints "PORT <n>" once it is listening.
"""
import os

from flask import Flask, jsonify, request, session
from werkzeug.serving import make_server

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]


@app.post("/put")
def put():
    # JSON true stays bool, 30.5 a float, "7" a str: Flask-Login's types.
    session.update(request.get_json())
    return "stored"


@app.get("/session")
def dump():
    return jsonify({k: [type(v).__name__, v] for k, v in session.items()})


@app.get("/headers")
def headers():
    return jsonify(user_agent=request.headers.get("User-Agent"),
                   forwarded_for=request.headers.get("X-Forwarded-For"),
                   remote_addr=request.remote_addr)


if __name__ == "__main__":
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    print("PORT", srv.server_port, flush=True)
    srv.serve_forever()
