"""Desafio: a reference solution.

A small Flask app with a login form, a protected page, flash messages and a
logout that clears the session, in a permanent session of 2 minutes. Run it
with a random key:

    export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex())')
    flask --app app run

and check it with: sessionkit desafio http://127.0.0.1:5000
"""
import os
from datetime import timedelta

from flask import (Flask, flash, redirect, render_template_string, request,
                   session, url_for)

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]
app.permanent_session_lifetime = timedelta(minutes=2)

PAGE = """<!doctype html>
<html lang="pt-BR">
<meta charset="utf-8">
<title>Desafio</title>
{% for mensagem in get_flashed_messages() %}
<p class="flash">{{ mensagem }}</p>
{% endfor %}
{% if usuario %}
<h1>Perfil de {{ usuario }}</h1>
<p><a href="{{ url_for('logout') }}">Sair</a></p>
{% else %}
<h1>Entrar</h1>
<form method="post" action="{{ url_for('login') }}">
  <label>Nome <input name="usuario" required></label>
  <button>Entrar</button>
</form>
{% endif %}
</html>
"""


@app.route("/")
def index():
    return redirect(url_for("perfil" if "usuario" in session else "login"))


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        usuario = request.form.get("usuario", "").strip()
        if not usuario:
            flash("Digite o seu nome.")
            return redirect(url_for("login"))
        session.clear()
        session.permanent = True
        session["usuario"] = usuario
        flash(f"Olá, {usuario}! Você entrou.")
        return redirect(url_for("perfil"))
    return render_template_string(PAGE, usuario=None)


@app.route("/perfil")
def perfil():
    if "usuario" not in session:
        flash("Entre para ver o seu perfil.")
        return redirect(url_for("login"))
    return render_template_string(PAGE, usuario=session["usuario"])


@app.route("/logout")
def logout():
    session.clear()
    flash("Você saiu.")
    return redirect(url_for("login"))
