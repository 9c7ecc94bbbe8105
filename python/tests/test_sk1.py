"""The SK1 format module against the known-answer vectors (which the Go
tests also check) and its own rules. Run: python -m unittest discover -s tests
from python/."""

import json
import os
import unittest

from sessionkit_seal import sk1

VECTORS = os.path.join(os.path.dirname(__file__), "..", "..", "seal", "testdata", "vectors.json")


class Vectors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(VECTORS, encoding="utf-8") as f:
            cls.v = json.load(f)

    def test_keys(self):
        for k in self.v["keys"]:
            with self.subTest(k["name"]):
                kid, enc, mac = sk1.derive(bytes.fromhex(k["secret"]), k["purpose"], k["app"])
                self.assertEqual((kid.hex(), enc.hex(), mac.hex()), (k["kid"], k["k_enc"], k["k_mac"]))

    def test_seal(self):
        for s in self.v["seal"]:
            with self.subTest(s["name"]):
                sealer = sk1.Sealer(bytes.fromhex(s["secret"]), purpose=s["purpose"], app_id=s["app"])
                pt = bytes.fromhex(s["plaintext"])
                tok = sealer._seal(s["cookie"], pt, s["iat"], bytes.fromhex(s["iv"]))
                self.assertEqual(tok, s["token"])
                self.assertEqual(len(tok), sk1.sealed_len(len(pt)))

    def test_open(self):
        for o in self.v["open"]:
            with self.subTest(o["name"]):
                secrets = [bytes.fromhex(x) for x in o["secrets"]]
                sealer = sk1.Sealer(secrets[0], secrets[1:], purpose=o["purpose"], app_id=o["app"],
                                    max_age=o["max_age"], skew=o["skew"])
                if o["ok"]:
                    got = sealer.open(o["cookie"], o["token"], o["now"])
                    self.assertEqual((got.plaintext.hex(), got.issued_at, got.key),
                                     (o["plaintext"], o["iat"], o["key"]))
                else:
                    with self.assertRaises(sk1.InvalidToken) as cm:
                        sealer.open(o["cookie"], o["token"], o["now"])
                    self.assertEqual(cm.exception.reason, o["reason"])


class Rules(unittest.TestCase):
    def test_sizes(self):
        for n in range(0, 3100):
            self.assertEqual(sk1.sealed_len(n), len(sk1.b64encode(bytes(n + sk1.OVERHEAD))))
        for limit in range(0, 5000):
            n = sk1.max_plaintext_len(limit)
            if limit < sk1.MIN_LEN:
                self.assertEqual(n, -1)
            else:
                self.assertLessEqual(sk1.sealed_len(n), limit)
                self.assertGreater(sk1.sealed_len(n + 1), limit)
        self.assertEqual(sk1.max_plaintext_len(4096 - len("__Host-session")), 3004)

    def test_round_trip_and_size_limit(self):
        s = sk1.Sealer("a-secret-key-0123456789abcdefghijk", purpose="session")
        for n in (0, 1, 16, 300, 3009):
            tok = s.seal("session", bytes(n), 1700000000)
            self.assertEqual(s.open("session", tok, 1700000000).plaintext, bytes(n))
        with self.assertRaises(sk1.TooLarge):
            s.seal("session", bytes(3010), 1700000000)
        with self.assertRaises(ValueError):
            s.seal("session", b"", -1)

    def test_config(self):
        for args, kw in [
            (("",), {}),
            ((" \n",), {}),
            (("k" * 32, ["o" * 32, ""]), {}),
            (("k" * 32, ["k" * 32]), {}),
            (("k" * 32, ["o" * 32, "o" * 32]), {}),
            (("k" * 32, [str(i) * 32 for i in range(16)]), {}),
            (("k" * 32,), {"purpose": ""}),
            (("k" * 32,), {"purpose": "a\x00b"}),
            (("k" * 32,), {"app_id": "a\x00b"}),
        ]:
            with self.subTest(args=args, kw=kw), self.assertRaises(ValueError):
                sk1.Sealer(*args, **kw)

    def test_str_and_bytes_secrets_agree(self):
        a = sk1.Sealer("clé-secrète-0123456789abcdefghij")
        b = sk1.Sealer("clé-secrète-0123456789abcdefghij".encode("utf-8"))
        self.assertEqual(b.open("session", a.seal("session", b"x", 5), 5).plaintext, b"x")

    def test_parse(self):
        s = sk1.Sealer("a-secret-key-0123456789abcdefghijk")
        kid, iat, n = sk1.parse(s.seal("session", b"hello", 1234))
        self.assertEqual((kid, iat, n), (sk1.key_id("a-secret-key-0123456789abcdefghijk"), 1234, 5))


if __name__ == "__main__":
    unittest.main()
