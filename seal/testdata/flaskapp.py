"""A Flask application keeping its session in SK1 sealed cookies through
python/sessionkit_seal, for the Go live tests (interop_test.go).

    python flaskapp.py '{"secret_key": "...", "fallbacks": [...], "cookie_name": "...",
                         "lifetime": 3600, "refresh": true, "app_id": "..."}'

It prints the port it listens on (127.0.0.1, chosen by the system), then
serves until its standard input closes. A request may carry X-Now (Unix
seconds) to set the session's clock.

Routes:
  GET  /dump        the session as Flask's tagged JSON, and whether it is permanent
  POST /set         merges the tagged-JSON object in the body; ?permanent=1 makes it permanent
  GET  /touch       reads the session without changing it
  GET  /clear       empties the session
  GET  /incr        session["n"] += 1, returns n
"""

import json
import logging
import os
import sys
import threading
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

from importlib.metadata import version  # noqa: E402

from flask import Flask, request, session  # noqa: E402
from flask.sessions import session_json_serializer  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from sessionkit_seal import SealedSessionInterface  # noqa: E402


class TestClockInterface(SealedSessionInterface):
    def now(self):
        if request and "X-Now" in request.headers:
            return float(request.headers["X-Now"])
        return super().now()


def create_app(cfg):
    app = Flask(__name__)
    app.secret_key = cfg["secret_key"]
    app.config["SECRET_KEY_FALLBACKS"] = cfg.get("fallbacks", [])
    app.config["SESSION_COOKIE_NAME"] = cfg.get("cookie_name", "session")
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=cfg.get("lifetime", 31 * 86400))
    app.config["SESSION_REFRESH_EACH_REQUEST"] = cfg.get("refresh", True)
    app.config["SESSIONKIT_APP_ID"] = cfg.get("app_id", "")
    app.session_interface = TestClockInterface()

    @app.get("/dump")
    def dump():
        return {
            "session": session_json_serializer.dumps(dict(session)),
            "permanent": session.permanent,
            "flask": version("flask"),
        }

    @app.post("/set")
    def set_():
        session.update(session_json_serializer.loads(request.get_data(as_text=True)))
        if request.args.get("permanent") == "1":
            session.permanent = True
        return "ok"

    @app.get("/touch")
    def touch():
        session.get("anything")
        return "ok"

    @app.get("/clear")
    def clear():
        session.clear()
        return "ok"

    @app.get("/incr")
    def incr():
        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    return app


def main():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app(json.loads(sys.argv[1]))
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    print(srv.server_port, flush=True)

    def watch_stdin():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
