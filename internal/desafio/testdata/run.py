"""Serves ../app.py, or a broken variant of it, for the grader's tests.

It listens on 127.0.0.1 on a free port and prints the port and Flask's
version on the first line of its output once it accepts connections.

Environment:
  SECRET_KEY            the key (app.py requires it)
  DESAFIO_VARIANT       "" for app.py as written, or one of the broken
                        variants below
  DESAFIO_CLOCK_FILE    a file holding seconds to add to the clock that
                        signs and checks cookies (time.time), so that a test
                        ages sessions without waiting
"""
import os
import sys
import time

clock_file = os.environ.get("DESAFIO_CLOCK_FILE")
if clock_file:
    real_time = time.time

    def shifted_time():
        try:
            with open(clock_file) as f:
                return real_time() + float(f.read().strip() or 0)
        except (OSError, ValueError):
            return real_time()

    time.time = shifted_time

# app.py, the reference solution, is in the package's folder, which the
# Desafio page shows it from.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import app as solution  # noqa: E402
from datetime import timedelta  # noqa: E402

from flask import redirect, render_template_string, session, url_for  # noqa: E402
from flask.sessions import SecureCookieSessionInterface  # noqa: E402
from itsdangerous.encoding import base64_decode, bytes_to_int  # noqa: E402
from importlib.metadata import version  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

app = solution.app
variant = os.environ.get("DESAFIO_VARIANT", "")


class UncheckedSessionInterface(SecureCookieSessionInterface):
    """Reads the session cookie without checking its signature (its age
    still counts), as an app that decodes cookies by hand would."""

    def open_session(self, app, request):
        s = self.get_signing_serializer(app)
        val = request.cookies.get(self.get_cookie_name(app))
        if s is None or not val:
            return self.session_class()
        try:
            payload, ts, _signature = val.rsplit(".", 2)
            signed_at = bytes_to_int(base64_decode(ts))
            data = s.load_payload(payload.encode())
        except Exception:
            return self.session_class()
        if int(time.time()) - signed_at > app.permanent_session_lifetime.total_seconds():
            return self.session_class()
        return self.session_class(data)


if variant == "":
    pass
elif variant == "weak-key":
    app.secret_key = "sua_chave_secreta_segura"
elif variant == "weak-key-variant":
    app.secret_key = "Sua-Chave-Secreta-Segura-2024"
elif variant == "published-key":
    app.secret_key = "change-me"  # a placeholder from tutorials, not the lesson's
elif variant == "not-permanent":
    @app.after_request
    def forget_permanent(response):
        session.permanent = False
        return response
elif variant == "wrong-lifetime":
    app.permanent_session_lifetime = timedelta(days=31)
elif variant == "open-profile":
    def perfil():
        return render_template_string(
            solution.PAGE, usuario=session.get("usuario", "visitante"))
    app.view_functions["perfil"] = perfil
elif variant == "logout-keeps-user":
    def logout():
        solution.flash("Você saiu.")
        return redirect(url_for("login"))
    app.view_functions["logout"] = logout
elif variant == "no-flash":
    solution.flash = lambda *args, **kwargs: None
elif variant == "accepts-tampered":
    app.session_interface = UncheckedSessionInterface()
else:
    sys.exit(f"unknown DESAFIO_VARIANT {variant!r}")

server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, version("flask"), flush=True)
server.serve_forever()
