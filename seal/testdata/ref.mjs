// An independent implementation of SK1 (docs/ENCRYPTED.md) on Node's
// built-in crypto only, written from the spec text; a batch driver for the
// Go tests with the protocol of ref.py: one JSON request per line on
// stdin, one JSON answer per line on stdout.
import { createCipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createInterface } from 'node:readline';

const LABEL = Buffer.from('sessionkit-sk1');
const VERSION = 0xb1;
const HEADER = 25;
const TAG = 32;
const OVERHEAD = HEADER + TAG;
const sealedLen = (n) => Math.floor((4 * (n + OVERHEAD) + 2) / 3);
const MIN_LEN = sealedLen(0);

const hkdf = (secret, info, n) => Buffer.from(hkdfSync('sha256', secret, LABEL, info, n));

function derive(secret, purpose, app) {
  const ctx = Buffer.concat([Buffer.from([0]), Buffer.from(purpose, 'utf8'), Buffer.from([0]), Buffer.from(app, 'utf8')]);
  return {
    kid: hkdf(secret, Buffer.concat([LABEL, Buffer.from(' kid')]), 4),
    enc: hkdf(secret, Buffer.concat([LABEL, Buffer.from(' enc'), ctx]), 32),
    mac: hkdf(secret, Buffer.concat([LABEL, Buffer.from(' mac'), ctx]), 32),
  };
}

function le64(n) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

function pae(pieces) {
  const parts = [le64(pieces.length)];
  for (const p of pieces) parts.push(le64(p.length), p);
  return Buffer.concat(parts);
}

function tag(mac, header, ct, name, purpose, app) {
  const input = pae([LABEL, header, ct, Buffer.from(name, 'utf8'), Buffer.from(purpose, 'utf8'), Buffer.from(app, 'utf8')]);
  return createHmac('sha256', mac).update(input).digest();
}

function ctr(key, iv, data) {
  const c = createCipheriv('aes-256-ctr', key, iv);
  return Buffer.concat([c.update(data), c.final()]);
}

function seal(secret, purpose, app, name, iat, iv, pt) {
  const k = derive(secret, purpose, app);
  const header = Buffer.alloc(HEADER);
  header[0] = VERSION;
  k.kid.copy(header, 1);
  header.writeUInt32BE(iat, 5);
  iv.copy(header, 9);
  const ct = ctr(k.enc, iv, pt);
  return Buffer.concat([header, ct, tag(k.mac, header, ct, name, purpose, app)]).toString('base64url');
}

class Invalid extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason;
  }
}

// Canonical unpadded base64url only (Buffer.from skips junk silently).
function decodeStrict(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Invalid('encoding');
  const raw = Buffer.from(text, 'base64url');
  if (raw.toString('base64url') !== text) throw new Invalid('encoding');
  return raw;
}

function open(secrets, purpose, app, name, token, now, maxAge, skew, limit = 4096) {
  const size = Buffer.byteLength(token, 'utf8');
  if (size > limit - Buffer.byteLength(name, 'utf8') || size < MIN_LEN) throw new Invalid('length');
  const raw = decodeStrict(token);
  if (raw[0] !== VERSION) throw new Invalid('version');
  const ring = secrets.map((s, i) => ({ ...derive(s, purpose, app), index: i }));
  const k = ring.find((r) => r.kid.equals(raw.subarray(1, 5)));
  if (!k) throw new Invalid('key');
  const header = raw.subarray(0, HEADER);
  const ct = raw.subarray(HEADER, raw.length - TAG);
  const got = raw.subarray(raw.length - TAG);
  if (!timingSafeEqual(tag(k.mac, header, ct, name, purpose, app), got)) throw new Invalid('tag');
  const iat = header.readUInt32BE(5);
  const n = Math.floor(now);
  if (iat > n) {
    if (iat - n > skew) throw new Invalid('future');
  } else if (n - iat > maxAge) {
    throw new Invalid('expired');
  }
  return { plaintext: ctr(k.enc, header.subarray(9, HEADER), ct), iat, key: k.index, kid: k.kid };
}

const hex = (s) => Buffer.from(s, 'hex');

function answer(req) {
  switch (req.op) {
    case 'impl':
      return { impl: `node ${process.version} (node:crypto, OpenSSL ${process.versions.openssl})` };
    case 'derive': {
      const k = derive(hex(req.secret), req.purpose, req.app);
      return { kid: k.kid.toString('hex'), k_enc: k.enc.toString('hex'), k_mac: k.mac.toString('hex') };
    }
    case 'seal': {
      const pt = hex(req.plaintext);
      const limit = 4096;
      if (Buffer.byteLength(req.name, 'utf8') + sealedLen(pt.length) > limit) return { error: 'too large' };
      const iv = req.iv !== undefined ? hex(req.iv) : randomBytes(16);
      return { token: seal(hex(req.secret), req.purpose, req.app, req.name, req.iat, iv, pt) };
    }
    case 'open':
      try {
        const o = open(req.secrets.map(hex), req.purpose, req.app, req.name, req.token, req.now, req.max_age, req.skew);
        return { ok: true, plaintext: o.plaintext.toString('hex'), iat: o.iat, key: o.key, kid: o.kid.toString('hex') };
      } catch (e) {
        if (e instanceof Invalid) return { ok: false, reason: e.reason };
        throw e;
      }
    default:
      throw new Error(`unknown op ${req.op}`);
  }
}

const out = [];
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  let a;
  try {
    a = answer(JSON.parse(line));
  } catch (e) {
    a = { error: String(e) };
  }
  out.push(JSON.stringify(a));
}
process.stdout.write(out.length ? out.join('\n') + '\n' : '');
