"""Generates nearlimit.json: sessions whose cookie, as Flask writes it, is
just within 4096 bytes, in several shapes, for TestNearLimitFlask.

For each shape and seed it finds the largest session of the shape whose
Flask cookie is at most 4096 bytes (the browser limit), and a small change
of it (one element replaced) that still fits in Flask. Run it from this
directory with a Python that has Flask:

    python3 nearlimit.py > nearlimit.json

The output is deterministic (random.Random with fixed seeds); Flask's
cookie lengths depend only on zlib, which both Flasks here share.
"""
import datetime
import json
import random
import sys
import uuid

import itsdangerous
from flask import Flask
from markupsafe import Markup
from flask.sessions import session_json_serializer as ser

LIMIT = 4096
NOW = 1700000000
itsdangerous.TimestampSigner.get_timestamp = lambda self: NOW
app = Flask("nearlimit")
app.secret_key = "near-limit-key-0123456789abcdef0123"

FIRST = ["Ana", "Bruno", "Carla", "Daniel", "Eduarda", "Felipe", "Gabriela", "Heitor",
         "Isabela", "João", "Karina", "Lucas", "Mariana", "Nicolas", "Olívia", "Pedro",
         "Quitéria", "Rafael", "Sofia", "Tiago", "Úrsula", "Vitor", "Wagner", "Xavier",
         "Yasmin", "Zeca", "Alice", "Bernardo", "Cecília", "Davi", "Conceição", "Gonçalo",
         "Inês", "Luís", "Mônica", "Sebastião"]
LAST = ["Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
        "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes",
        "Sousa", "Fernandes", "Vieira", "Barbosa", "Araújo", "Magalhães", "Simões", "Gonçalves"]
WORDS = ("a sessão do usuário guarda informações entre requisições e o navegador envia o "
         "cookie assinado em cada pedido não é criptografado qualquer pessoa pode ler o "
         "conteúdo mas não pode alterá-lo sem a chave secreta então não guarde senhas nem "
         "números de cartão de crédito ação coração informação português atenção lição "
         "você está à vontade também já até é só três função opção razão").split()
EMOJI = ["😀", "🎉", "✓", "☃", "中文", "日本語", "한국어", "𝄞", "Ωμέγα", "Привет", "ç", "ñ"]


def name(r):
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


def token(r, n=22):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(r.choice(alphabet) for _ in range(n))


def sentence(r, words=12):
    return " ".join(r.choice(WORDS) for _ in range(words)).capitalize() + "."


def shape_names(r, n):
    return {"usuario": "Maria", "_permanent": True, "nomes": [name(r) for _ in range(n)]}


def shape_nested(r, n):
    cart = {}
    for i in range(n):
        cart["item-%04d" % r.randrange(10000)] = {
            "nome": name(r), "qtd": r.randrange(1, 20), "preco": round(r.uniform(1, 500), 2),
            "tags": [r.choice(WORDS) for _ in range(r.randrange(3))],
        }
    return {"user_id": r.randrange(10**6), "carrinho": cart}


def shape_tokens(r, n):
    return {"csrf_token": "%040x" % r.getrandbits(160), "tokens": [token(r) for _ in range(n)]}


def shape_portuguese(r, n):
    return {"titulo": sentence(r, 5), "rascunho": [sentence(r) for _ in range(n)]}


def shape_tagged(r, n):
    base = datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)
    items = []
    for i in range(n):
        k = i % 5
        if k == 0:
            items.append(("message", sentence(r, 4)))
        elif k == 1:
            items.append(base + datetime.timedelta(seconds=r.randrange(10**8)))
        elif k == 2:
            items.append(uuid.UUID(int=r.getrandbits(128)))
        elif k == 3:
            items.append(bytes(r.getrandbits(8) for _ in range(r.randrange(4, 12))))
        else:
            items.append(Markup("<b>%s</b>") % name(r))
    flashes = [x for x in items if isinstance(x, tuple)]
    return {"_flashes": flashes, "valores": [x for x in items if not isinstance(x, tuple)],
            "_user_id": str(r.randrange(10**6))}


def shape_unicode(r, n):
    return {"mensagens": [" ".join(r.choice(EMOJI) + r.choice(WORDS) for _ in range(3)) for _ in range(n)]}


SHAPES = {"names": shape_names, "nested": shape_nested, "tokens": shape_tokens,
          "portuguese": shape_portuguese, "tagged": shape_tagged, "unicode": shape_unicode}


def cookie_len(data):
    with app.app_context():
        return len(app.session_interface.get_signing_serializer(app).dumps(dict(data)))


def change(r, data, attempt):
    """Replaces one element of the session's longest list or dict: returns
    the key, the index (or dict key) and the new element."""
    key = max((k for k in data if isinstance(data[k], (list, dict))), key=lambda k: len(data[k]))
    value = data[key]
    if isinstance(value, dict):
        victim = sorted(value)[(len(value) // 2 + attempt) % len(value)]
        item = dict(value[victim])
        item["qtd"] = item["qtd"] % 19 + 1
        return key, victim, item
    i = (len(value) // 2 + attempt) % len(value)
    old = value[i]
    if isinstance(old, tuple):
        new = (old[0], sentence(r, 4))
    elif isinstance(old, str) and old.startswith(tuple(FIRST)):
        new = name(r)
    elif isinstance(old, str) and len(old) == 22:
        new = token(r)
    elif isinstance(old, str):
        new = sentence(r, len(old.split()))
    else:
        new = value[i - 1]
    return key, i, new


def main():
    with app.app_context():  # Flask's JSON provider sorts keys only in one
        run()


def run():
    out = []
    for shape, make in SHAPES.items():
        for seed in range(3):
            # The largest n whose Flask cookie fits.
            lo, hi = 1, 1
            while cookie_len(make(random.Random(seed), hi)) <= LIMIT:
                lo, hi = hi, hi * 2
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if cookie_len(make(random.Random(seed), mid)) <= LIMIT:
                    lo = mid
                else:
                    hi = mid
            data = make(random.Random(seed), lo)
            entry = {"shape": shape, "seed": seed, "n": lo, "json": ser.dumps(data),
                     "flask_cookie_len": cookie_len(data),
                     "next_flask_cookie_len": cookie_len(make(random.Random(seed), lo + 1))}
            r = random.Random(1000 + seed)
            for attempt in range(50):
                key, where, new = change(r, data, attempt)
                changed = dict(data)
                changed[key] = type(data[key])(data[key])
                changed[key][where] = new
                if cookie_len(changed) <= LIMIT:
                    entry["change"] = {"key": key, "at": where, "json": ser.dumps({"v": new}),
                                       "flask_cookie_len": cookie_len(changed)}
                    break
            out.append(entry)
    sys.stdout.write("[\n" + ",\n".join(json.dumps(e, ensure_ascii=True) for e in out) + "\n]\n")


if __name__ == "__main__":
    main()
