"""What CPython's zlib.decompress makes of a byte string, for the tests of
package flask's zlib reader. One JSON request per line on stdin,
{"hex": "..."}; one answer per line on stdout:
{"ok": true, "out": "<hex>"} or {"ok": false, "error": "..."}, or
{"ok": true, "big": true} when the output passes 1 MiB (not compared).

zlib.decompress is called exactly as itsdangerous calls it when Flask
loads a compressed payload: with its defaults (wbits 15, bufsize 16384).
"""
import json
import sys
import zlib

CAP = 1 << 20

for line in sys.stdin:
    data = bytes.fromhex(json.loads(line)["hex"])
    try:
        out = zlib.decompress(data)
    except zlib.error as e:
        answer = {"ok": False, "error": str(e)}
    else:
        answer = {"ok": True, "big": True} if len(out) > CAP else {"ok": True, "out": out.hex()}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
