"""Batch driver for the Python implementation of SK1 (python/sessionkit_seal,
on `cryptography`), for the Go tests: one JSON request per line on stdin,
one JSON answer per line on stdout, in order.

  {"op":"impl"}
      -> {"impl": "python 3.11.2 cryptography 38.0.4"}
  {"op":"derive","secret":HEX,"purpose":S,"app":S}
      -> {"kid":HEX,"k_enc":HEX,"k_mac":HEX}
  {"op":"seal","secret":HEX,"purpose":S,"app":S,"name":S,"iat":N,"plaintext":HEX[,"iv":HEX]}
      -> {"token":S}                       (a random IV when "iv" is absent)
  {"op":"open","secrets":[HEX,...],"purpose":S,"app":S,"name":S,"token":S,
   "now":N,"max_age":N,"skew":N}
      -> {"ok":true,"plaintext":HEX,"iat":N,"key":N,"kid":HEX} | {"ok":false,"reason":S}

Errors other than a refused token are {"error": S}.
"""

import json
import os
import platform
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

import cryptography  # noqa: E402
from sessionkit_seal import sk1  # noqa: E402


def answer(req):
    op = req["op"]
    if op == "impl":
        return {"impl": f"python {platform.python_version()} cryptography {cryptography.__version__}"}
    if op == "derive":
        kid, enc, mac = sk1.derive(bytes.fromhex(req["secret"]), req["purpose"], req["app"])
        return {"kid": kid.hex(), "k_enc": enc.hex(), "k_mac": mac.hex()}
    if op == "seal":
        s = sk1.Sealer(bytes.fromhex(req["secret"]), purpose=req["purpose"], app_id=req["app"])
        pt = bytes.fromhex(req["plaintext"])
        if "iv" in req:
            return {"token": s._seal(req["name"], pt, req["iat"], bytes.fromhex(req["iv"]))}
        return {"token": s.seal(req["name"], pt, req["iat"])}
    if op == "open":
        secrets = [bytes.fromhex(x) for x in req["secrets"]]
        s = sk1.Sealer(secrets[0], secrets[1:], purpose=req["purpose"], app_id=req["app"],
                       max_age=req["max_age"], skew=req["skew"])
        try:
            o = s.open(req["name"], req["token"], req["now"])
        except sk1.InvalidToken as e:
            return {"ok": False, "reason": e.reason}
        return {"ok": True, "plaintext": o.plaintext.hex(), "iat": o.issued_at, "key": o.key, "kid": o.key_id.hex()}
    raise ValueError(f"unknown op {op!r}")


def main():
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            a = answer(json.loads(line))
        except Exception as e:  # reported to the test, which fails on it
            a = {"error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(a) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
