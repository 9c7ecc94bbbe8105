"""What Flask makes of a session's tagged JSON, for FuzzFlaskReads. One
JSON request per line on stdin, {"hex": "..."} (the payload's bytes); one
answer per line on stdout:

  {"read": false, "error": NAME}  Flask fails to open the session
  {"read": true, "json": J}       Flask reads it, and writes it back as J
  {"read": true, "json": null}    Flask reads it but cannot write it back

plus "deviation": the class of input on which package flask refuses, on
purpose, what Flask reads (its documentation lists them), or null.
"""
import json
import re
import sys

from flask import Flask
from flask.sessions import session_json_serializer as ser

TAGS = {" t", " b", " m", " u", " d", " di"}
app = Flask("flask_read")


class Duplicate(Exception):
    pass


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise Duplicate()
    return dict(pairs)


def strict_b64(s):
    """Whether Go's base64.StdEncoding reads s: the alphabet, padded to a
    multiple of 4 with at most two "=", line breaks ignored."""
    s = s.replace("\r", "").replace("\n", "")
    return re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", s) is not None and len(s) % 4 == 0


def tag_deviation(v):
    """The documented class of a tag Flask reads but Go refuses, if any,
    in the raw (not untagged) JSON value v."""
    if isinstance(v, list):
        for x in v:
            d = tag_deviation(x)
            if d:
                return d
        return None
    if not isinstance(v, dict):
        return None
    if len(v) == 1:
        (k, x), = v.items()
        if k == " t" and not isinstance(x, list):
            return "tag t not holding a list"
        if k == " m" and not isinstance(x, str):
            return "tag m not holding a string"
        if k == " b" and isinstance(x, str) and not strict_b64(x):
            return "tag b not in padded base64"
        if k == " di" and isinstance(x, dict) and len(x) > 1:
            return "tag di with several keys"
    for x in v.values():
        d = tag_deviation(x)
        if d:
            return d
    return None


def deviation(text):
    try:
        raw = json.loads(text, object_pairs_hook=no_duplicates)
    except Duplicate:
        return "duplicate key"
    except Exception:
        return None
    if not isinstance(raw, dict) or (len(raw) == 1 and next(iter(raw)) in TAGS - {" di"}):
        return "top level not an object"
    return tag_deviation(raw)


def answer(data):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {"read": False, "error": "UnicodeDecodeError"}
    with app.app_context():
        try:
            session = dict(ser.loads(text) or ())  # werkzeug's CallbackDict
        except Exception as e:
            return {"read": False, "error": type(e).__name__}
        try:
            out = ser.dumps(session)
        except Exception:
            out = None
    return {"read": True, "json": out, "deviation": deviation(text)}


for line in sys.stdin:
    a = answer(bytes.fromhex(json.loads(line)["hex"]))
    sys.stdout.write(json.dumps(a) + "\n")
    sys.stdout.flush()
