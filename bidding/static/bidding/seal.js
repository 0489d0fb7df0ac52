// The browser sealer of envelope v1 and, given the bidder's key, v2 (docs/envelope.md). An ES
// module with no build step of its own: it imports the committed hpke.bundle.js (frontend/build.sh) and otherwise uses WebCrypto,
// which exists only in a secure context (https, or http://127.0.0.1 / http://localhost).
//
//   import { sealBid } from "./seal.js";
//   const envelope = await sealBid({publicKeyRaw, platform, lot, bidder, priceForm, files});
//
// The files are read twice, slice by slice, and never held whole: once to hash them (the hashes
// are inside the HPKE-sealed inner object, and the segments' AAD hashes the header that carries
// it), then once to encrypt them segment by segment. The envelope comes back as a Blob of the
// encrypted parts; the browser may keep a large Blob on disk rather than in memory.
import { Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256, sha256 } from "./hpke.bundle.js";

export const MAGIC = new Uint8Array([0x50, 0x42, 0x45, 0x31]); // "PBE1"
export const MAGIC_V2 = new Uint8Array([0x50, 0x42, 0x45, 0x32]); // "PBE2": docs/envelope.md, "Version 2"
export const SUITE = "P256-SHA256-AES256GCM";
export const DEFAULT_SEGMENT_SIZE = 65536;
const MAX_HEADER_LEN = 65536;
const MAX_SEALED_LEN = 65536;
const MAX_SEGMENTS = 2 ** 32;
const TAG_LEN = 16;
// A hashing read of this many bytes at a time: large enough to be fast, small enough for memory.
const HASH_CHUNK = 1 << 20;

// The forms the sealer refuses before it seals anything: an envelope the platform would refuse
// at submission, or one that could never open, is better caught in the bidder's own browser.
const LOT = /^[0-9]+$/;
const USCC = /^[0-9A-HJ-NPQRTUWXY]{18}$/; // as trading/bank.py
const PRICE = /^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$/;

export class SealError extends Error {
  constructor(message) {
    super(message);
    this.name = "SealError";
  }
}

const utf8 = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// Canonical JSON, byte for byte what Python writes with
//   json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
// (and what the server re-serialises to check a header's form).
//
// - Keys are sorted by Unicode code point, as Python sorts str. JavaScript's default sort compares
//   UTF-16 code units, which differs from code point order when a key holds a character above
//   U+FFFF and another key has one in U+E000–U+FFFF at the same place (e.g. fullwidth "（" against
//   a CJK Extension B character). The header's keys are ASCII, but the price form's `items` keys
//   are the procedure's item names and may be Chinese, so the sort must be the code point one.
// - Strings: JSON.stringify escapes exactly what Python escapes with ensure_ascii=False (the quote,
//   the backslash, \b \f \n \r \t, other controls below U+0020 as \u00xx in lowercase hex) and
//   leaves every other character as itself, written as UTF-8. Lone surrogates are refused:
//   Python could not encode them to UTF-8 either.
// - Numbers: integers only (safe integers); a float has no agreed canonical form, so it is refused.
// ---------------------------------------------------------------------------------------------
export function canonicalJson(value) {
  return utf8.encode(canonicalText(value));
}

function compareCodePoints(a, b) {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function canonicalString(s) {
  if (!s.isWellFormed()) throw new SealError("canonical JSON: a string holds a lone surrogate");
  return JSON.stringify(s);
}

function canonicalText(value) {
  if (value === null || value === true || value === false) return String(value);
  switch (typeof value) {
    case "string":
      return canonicalString(value);
    case "number":
      if (!Number.isSafeInteger(value)) throw new SealError(`canonical JSON: ${value} is not an integer`);
      return String(value); // -0 prints as 0, as Python's int does
    case "object":
      if (Array.isArray(value)) return "[" + value.map(canonicalText).join(",") + "]";
      if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
        const keys = Object.keys(value).sort(compareCodePoints);
        return "{" + keys.map((k) => canonicalString(k) + ":" + canonicalText(value[k])).join(",") + "}";
      }
  }
  throw new SealError(`canonical JSON: cannot write a ${Object.prototype.toString.call(value)}`);
}

// ---------------------------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------------------------
export function base64urlEncode(bytes) {
  bytes = toBytes(bytes);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function base64urlDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new SealError("not base64url");
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function toBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new SealError("expected bytes (Uint8Array or ArrayBuffer)");
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function uint32(n) {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The lot's opening public key.
//
// The platform publishes it as the raw uncompressed P-256 point (0x04 ‖ X ‖ Y, 65 bytes),
// base64url without padding: the form HPKE itself serialises P-256 keys in (RFC 9180 §7.1.1,
// SerializePublicKey), so no ASN.1 is needed on either side. A JWK or an SPKI (DER) key is also
// accepted, for callers that have one.
// ---------------------------------------------------------------------------------------------
async function recipientKey(suite, { publicKeyRaw, publicKeyJwk, publicKeySpki }) {
  const given = [publicKeyRaw, publicKeyJwk, publicKeySpki].filter((k) => k !== undefined);
  if (given.length !== 1) throw new SealError("give exactly one of publicKeyRaw, publicKeyJwk, publicKeySpki");
  let raw;
  if (publicKeyRaw !== undefined) {
    raw = typeof publicKeyRaw === "string" ? base64urlDecode(publicKeyRaw) : toBytes(publicKeyRaw);
  } else {
    const key = publicKeyJwk !== undefined
      ? await crypto.subtle.importKey("jwk", publicKeyJwk, { name: "ECDH", namedCurve: "P-256" }, true, [])
      : await crypto.subtle.importKey("spki", toBytes(publicKeySpki), { name: "ECDH", namedCurve: "P-256" }, true, []);
    raw = new Uint8Array(await crypto.subtle.exportKey("raw", key));
  }
  if (raw.length !== 65 || raw[0] !== 0x04) {
    throw new SealError("the opening key must be an uncompressed P-256 point (65 bytes starting with 0x04)");
  }
  return suite.kem.deserializePublicKey(raw); // checks that the point is on the curve
}

// ---------------------------------------------------------------------------------------------
// Input checks
// ---------------------------------------------------------------------------------------------
function checkIdentity(platform, lot, bidder) {
  if (typeof platform !== "string" || platform === "" || platform.includes("|")) {
    // `info` joins the three with "|": a "|" inside the platform id would make it ambiguous.
    throw new SealError("platform: a non-empty string without '|'");
  }
  if (typeof lot !== "string" || !LOT.test(lot)) throw new SealError("lot: the lot id as decimal digits (a string)");
  if (typeof bidder !== "string" || !USCC.test(bidder)) {
    throw new SealError("bidder: the 18-character unified social credit code");
  }
}

function checkPriceForm(form) {
  const keys = form && typeof form === "object" ? Object.keys(form).sort().join(",") : "";
  if (keys !== "items,period_days,price") throw new SealError("priceForm: exactly price, period_days and items");
  if (typeof form.price !== "string" || !PRICE.test(form.price)) {
    throw new SealError("priceForm.price: yuan as a decimal string with at most 2 decimals, e.g. \"1234567.89\"");
  }
  if (!Number.isSafeInteger(form.period_days) || form.period_days < 0) {
    throw new SealError("priceForm.period_days: a whole number of days");
  }
  if (!form.items || typeof form.items !== "object" || Array.isArray(form.items)
      || Object.values(form.items).some((v) => typeof v !== "string")) {
    throw new SealError("priceForm.items: an object of strings");
  }
  // A copy of exactly the three keys, so nothing else the caller's object carries gets sealed.
  return { price: form.price, period_days: form.period_days, items: { ...form.items } };
}

// Each file: a File (its own name), or {name, blob} for a Blob or a File to rename.
function normaliseFiles(files) {
  if (!Array.isArray(files)) throw new SealError("files: an array (may be empty)");
  return files.map((f) => {
    const entry = f instanceof File ? { name: f.name, blob: f } : f;
    if (!entry || typeof entry.name !== "string" || entry.name === "" || !(entry.blob instanceof Blob)) {
      throw new SealError("files: each a File, or {name, blob} with a Blob");
    }
    return entry;
  });
}

function checkSegmentSize(size) {
  if (!Number.isSafeInteger(size) || size < 4096 || size > 4194304 || (size & (size - 1)) !== 0) {
    throw new SealError("segmentSize: a power of two from 4096 to 4194304");
  }
}

// ---------------------------------------------------------------------------------------------
// Sealing
// ---------------------------------------------------------------------------------------------

/**
 * Seals a bid to the lot's opening key; returns the envelope as a Blob (type application/octet-stream).
 *
 * @param {object} p
 * @param {string|Uint8Array|ArrayBuffer} [p.publicKeyRaw] the lot's opening key, uncompressed point
 *        (65 bytes) or its base64url (the form the platform publishes); or instead
 * @param {JsonWebKey} [p.publicKeyJwk]  …the key as a JWK (EC, P-256), or
 * @param {Uint8Array|ArrayBuffer} [p.publicKeySpki]  …as DER SubjectPublicKeyInfo.
 * @param {string} p.platform  the platform id (PLATFORM_ID)
 * @param {string} p.lot  the lot id, decimal digits
 * @param {string} p.bidder  the bidder's unified social credit code
 * @param {{price: string, period_days: number, items: Object<string, string>}} p.priceForm
 * @param {Array<File|{name: string, blob: Blob}>} p.files  in stream order
 * @param {number} [p.segmentSize=65536]  a power of two from 4096 to 4194304
 * @param {(done: number, total: number) => void} [p.onProgress]  bytes read, over both passes
 * @param {string|Uint8Array|ArrayBuffer} [p.bidderKeyRaw]  the bidder's registered encryption key
 *        (uncompressed point or its base64url): given, the envelope is version 2, whose second
 *        lock is that key (docs/envelope.md, "Version 2"); absent, version 1.
 * @returns {Promise<Blob>}
 */
export async function sealBid({
  publicKeyRaw, publicKeyJwk, publicKeySpki, platform, lot, bidder, priceForm, files,
  segmentSize = DEFAULT_SEGMENT_SIZE, onProgress = () => {}, bidderKeyRaw,
}) {
  if (!globalThis.crypto || !crypto.subtle) {
    throw new SealError("WebCrypto is missing: the bid page must be served over HTTPS");
  }
  checkIdentity(platform, lot, bidder);
  const price_form = checkPriceForm(priceForm);
  const entries = normaliseFiles(files);
  checkSegmentSize(segmentSize);

  const total = entries.reduce((n, e) => n + e.blob.size, 0);
  // The last segment holds the rest, 1 to segmentSize bytes; an empty stream is one empty segment.
  // (A stream of exactly k·segmentSize bytes is k segments, the last one full.)
  const segments = Math.max(1, Math.ceil(total / segmentSize));
  if (segments > MAX_SEGMENTS) throw new SealError("the files are too large for one envelope");
  let done = 0;
  const progress = (n) => {
    done += n;
    onProgress(done, 2 * total);
  };

  // Pass 1: size and SHA-256 of every file, incrementally (see hpke-entry.js for why not WebCrypto).
  const fileList = [];
  for (const { name, blob } of entries) {
    const hash = sha256.create();
    for (let at = 0; at < blob.size; at += HASH_CHUNK) {
      const chunk = new Uint8Array(await blob.slice(at, at + HASH_CHUNK).arrayBuffer());
      hash.update(chunk);
      progress(chunk.length);
    }
    fileList.push({ name, size: blob.size, sha256: hex(hash.digest()) });
  }

  // The content key: generated inside WebCrypto and exported once, to go into the sealed inner.
  const contentKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  const keyBytes = new Uint8Array(await crypto.subtle.exportKey("raw", contentKey));
  const inner = canonicalJson({ key: base64urlEncode(keyBytes), price_form, files: fileList });
  keyBytes.fill(0);

  const suite = new CipherSuite({ kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
  const recipientPublicKey = await recipientKey(suite, { publicKeyRaw, publicKeyJwk, publicKeySpki });
  const magic = bidderKeyRaw === undefined ? MAGIC : MAGIC_V2;
  let header;
  if (bidderKeyRaw === undefined) {
    const info = utf8.encode(`platform-bid-envelope|v1|${platform}|${lot}|${bidder}`);
    const { ct: ciphertext, enc } = await suite.seal({ recipientPublicKey, info }, inner);
    inner.fill(0);
    if (ciphertext.byteLength > MAX_SEALED_LEN) {
      throw new SealError("too many files (or names too long) for one envelope");
    }
    header = canonicalJson({
      v: 1,
      platform,
      lot,
      bidder,
      suite: SUITE,
      segment_size: segmentSize,
      enc: base64urlEncode(enc),
      sealed: base64urlEncode(ciphertext),
    });
  } else {
    const locks = await sealInnerV2(suite, { recipientPublicKey, bidderKeyRaw, platform, lot, bidder, inner });
    inner.fill(0);
    header = canonicalJson({ v: 2, platform, lot, bidder, suite: SUITE, segment_size: segmentSize, ...locks });
  }
  if (header.length > MAX_HEADER_LEN) throw new SealError("too many files (or names too long) for one envelope");
  const headerHash = new Uint8Array(await crypto.subtle.digest("SHA-256", header));
  const aad = new Uint8Array(36);
  aad.set(magic, 0);
  aad.set(headerHash, 4);

  // Pass 2: the file stream, one segment at a time. new Blob([...files]) is a lazy view of the
  // concatenation (no bytes are read until a slice is), so a segment may span two or more files.
  const stream = new Blob(entries.map((e) => e.blob));
  const parts = [magic, uint32(header.length), header];
  const nonce = new Uint8Array(12); // 0x00 * 7 ‖ uint32(i) ‖ last_i
  const nonceView = new DataView(nonce.buffer);
  for (let i = 0; i < segments; i++) {
    const plaintext = await stream.slice(i * segmentSize, (i + 1) * segmentSize).arrayBuffer();
    nonceView.setUint32(7, i, false);
    nonce[11] = i === segments - 1 ? 0x01 : 0x00;
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce.slice(), additionalData: aad, tagLength: TAG_LEN * 8 }, contentKey, plaintext);
    parts.push(sealed); // ciphertext ‖ tag, as the spec lays a segment out
    progress(plaintext.byteLength);
  }
  return new Blob(parts, { type: "application/octet-stream" });
}

// Version 2's two locks (docs/envelope.md, "Version 2"): random 32-byte parts sealed with HPKE to
// the lot's key and to the bidder's key, combined with HKDF-SHA256 into the key that seals the
// inner (fixed nonce: that key seals one message), and the commitment to the bidder's part.
async function sealInnerV2(suite, { recipientPublicKey, bidderKeyRaw, platform, lot, bidder, inner }) {
  const bidderRaw = typeof bidderKeyRaw === "string" ? base64urlDecode(bidderKeyRaw) : toBytes(bidderKeyRaw);
  if (bidderRaw.length !== 65 || bidderRaw[0] !== 0x04) {
    throw new SealError("the bidder key must be an uncompressed P-256 point (65 bytes starting with 0x04)");
  }
  const bidderPublicKey = await suite.kem.deserializePublicKey(bidderRaw);
  const info = (label) => utf8.encode(`platform-bid-envelope|v2|${label}|${platform}|${lot}|${bidder}`);
  const ikm = crypto.getRandomValues(new Uint8Array(64)); // the lot part ‖ the bidder part
  const lotPart = ikm.subarray(0, 32);
  const bidderPart = ikm.subarray(32);
  const lotLock = await suite.seal({ recipientPublicKey, info: info("lot-part") }, lotPart.slice());
  const bidderLock = await suite.seal({ recipientPublicKey: bidderPublicKey, info: info("bidder-part") },
                                      bidderPart.slice());
  const label = info("bidder-commit");
  const commitInput = new Uint8Array(label.length + 32);
  commitInput.set(label, 0);
  commitInput.set(bidderPart, label.length);
  const commit = new Uint8Array(await crypto.subtle.digest("SHA-256", commitInput));
  // RFC 5869 without a salt is HMAC under 32 zero bytes, which an empty salt equals.
  const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveKey"]);
  const innerKey = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: info("inner-key") }, base,
    { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
  ikm.fill(0);
  commitInput.fill(0);
  const sealed = new Uint8Array(await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: new Uint8Array(12), additionalData: MAGIC_V2, tagLength: TAG_LEN * 8 }, innerKey, inner));
  if (sealed.byteLength > MAX_SEALED_LEN) throw new SealError("too many files (or names too long) for one envelope");
  return {
    bidder_key: base64urlEncode(new Uint8Array(await crypto.subtle.digest("SHA-256", bidderRaw))),
    lot_enc: base64urlEncode(lotLock.enc),
    lot_sealed: base64urlEncode(lotLock.ct),
    bidder_enc: base64urlEncode(bidderLock.enc),
    bidder_sealed: base64urlEncode(bidderLock.ct),
    bidder_commit: base64urlEncode(commit),
    inner: base64urlEncode(sealed),
  };
}
