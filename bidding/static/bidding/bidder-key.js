// The bidder's key in the browser (docs/bidder-keys.md): make the key file, unlock it with the
// passphrase, answer the platform's key check, and unlock the bidder part of one's own version 2
// envelope (docs/envelope.md, "Version 2"). A plain ES module: WebCrypto for everything but HPKE,
// which comes from the committed hpke.bundle.js (frontend/build.sh). WebCrypto exists only in a
// secure context (https, or http://127.0.0.1 / http://localhost).
//
// The file is the same as `python -m bidding.seal keygen` writes (bidding/crypto/bidder_key.py).
import { Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from "./hpke.bundle.js";
import { base64urlDecode, base64urlEncode, canonicalJson } from "./seal.js";

export const KIND = "platform-bidder-key";
export const ITERATIONS = 600000;
export const MAX_ITERATIONS = 10000000;
export const PASSPHRASE_MIN = 12;
const FILE_KEYS = ["cipher", "encryption_key", "iterations", "kdf", "kind", "nonce", "salt", "signing_key", "v", "wrapped"];
const EC = { name: "ECDH", namedCurve: "P-256" };
const ECDSA = { name: "ECDSA", namedCurve: "P-256" };

export class KeyFileError extends Error {
  constructor(message) {
    super(message);
    this.name = "KeyFileError";
  }
}

export class WrongPassphrase extends Error {
  constructor() {
    super("the passphrase does not unlock this key file");
    this.name = "WrongPassphrase";
  }
}

const utf8 = new TextEncoder();

function subtle() {
  if (!globalThis.crypto || !crypto.subtle) {
    throw new KeyFileError("WebCrypto is missing: the page must be served over HTTPS (or from 127.0.0.1)");
  }
  return crypto.subtle;
}

function suite() {
  return new CipherSuite({ kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

// The canonical JSON of every field but `wrapped`: the AES-GCM associated data.
function associatedData(fields) {
  const rest = { ...fields };
  delete rest.wrapped;
  return canonicalJson(rest);
}

async function wrappingKey(passphrase, salt, iterations) {
  // NFC, so every keyboard and system gives the same bytes (as the Python side does).
  const base = await subtle().importKey("raw", utf8.encode(passphrase.normalize("NFC")), "PBKDF2", false,
                                        ["deriveKey"]);
  return subtle().deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base,
                            { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

async function rawPublic(key) {
  return new Uint8Array(await subtle().exportKey("raw", key));
}

function jwkOf(d, raw) {
  return { kty: "EC", crv: "P-256", d, x: base64urlEncode(raw.subarray(1, 33)), y: base64urlEncode(raw.subarray(33, 65)) };
}

/** SHA-256 of the encryption key's 65-byte point, base64url: the key's fingerprint. */
export async function fingerprint(raw) {
  return base64urlEncode(new Uint8Array(await subtle().digest("SHA-256", raw)));
}

/**
 * A new key file: two fresh P-256 key pairs (ECDH for the bids, ECDSA for signing), wrapped under
 * the passphrase. Returns {text, fields}: `text` is the file (canonical JSON and a newline).
 */
export async function createKeyFile(passphrase, { iterations = ITERATIONS } = {}) {
  if (typeof passphrase !== "string" || passphrase.length < PASSPHRASE_MIN) {
    throw new KeyFileError(`a passphrase has at least ${PASSPHRASE_MIN} characters`);
  }
  const encryption = await subtle().generateKey(EC, true, ["deriveBits"]);
  const signing = await subtle().generateKey(ECDSA, true, ["sign", "verify"]);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const fields = {
    v: 1, kind: KIND, kdf: "PBKDF2-SHA256", iterations, salt: base64urlEncode(salt), cipher: "AES-256-GCM",
    nonce: base64urlEncode(nonce), encryption_key: base64urlEncode(await rawPublic(encryption.publicKey)),
    signing_key: base64urlEncode(await rawPublic(signing.publicKey)),
  };
  const secret = canonicalJson({
    encryption_private: (await subtle().exportKey("jwk", encryption.privateKey)).d,
    signing_private: (await subtle().exportKey("jwk", signing.privateKey)).d,
  });
  const key = await wrappingKey(passphrase, salt, iterations);
  const wrapped = await subtle().encrypt({ name: "AES-GCM", iv: nonce, additionalData: associatedData(fields) }, key, secret);
  secret.fill(0);
  fields.wrapped = base64urlEncode(new Uint8Array(wrapped));
  return { fields, text: new TextDecoder().decode(canonicalJson(fields)) + "\n" };
}

/** The fields of a key file (its text), checked for form; the passphrase is not needed. */
export function parseKeyFile(text) {
  let fields;
  try {
    fields = JSON.parse(text);
  } catch {
    throw new KeyFileError("not a JSON key file");
  }
  if (!fields || typeof fields !== "object" || Object.keys(fields).sort().join(",") !== FILE_KEYS.join(",")) {
    throw new KeyFileError("not a bidder key file");
  }
  if (fields.v !== 1 || fields.kind !== KIND || fields.kdf !== "PBKDF2-SHA256" || fields.cipher !== "AES-256-GCM"
      || !Number.isSafeInteger(fields.iterations) || fields.iterations < ITERATIONS || fields.iterations > MAX_ITERATIONS) {
    throw new KeyFileError("not a version 1 bidder key file (PBKDF2-SHA256, AES-256-GCM)");
  }
  for (const name of ["encryption_key", "signing_key"]) {
    const raw = base64urlDecode(fields[name]);
    if (raw.length !== 65 || raw[0] !== 0x04) throw new KeyFileError(`${name} is not an uncompressed P-256 point`);
  }
  return fields;
}

/**
 * Unlocks a key file with the passphrase: {encryption: {privateKey, publicKey} (ECDH), signing
 * (ECDSA private key), fields}. Throws WrongPassphrase when the passphrase (or the file) is wrong.
 */
export async function unlockKeyFile(fields, passphrase) {
  const key = await wrappingKey(passphrase, base64urlDecode(fields.salt), fields.iterations);
  let secret;
  try {
    secret = new Uint8Array(await subtle().decrypt(
      { name: "AES-GCM", iv: base64urlDecode(fields.nonce), additionalData: associatedData(fields) }, key,
      base64urlDecode(fields.wrapped)));
  } catch {
    throw new WrongPassphrase();
  }
  const values = JSON.parse(new TextDecoder().decode(secret));
  secret.fill(0);
  const encryptionRaw = base64urlDecode(fields.encryption_key);
  const signingRaw = base64urlDecode(fields.signing_key);
  // Importing a JWK with d, x and y checks that the private key belongs to the public one.
  const privateKey = await subtle().importKey("jwk", jwkOf(values.encryption_private, encryptionRaw), EC, true,
                                              ["deriveBits"]);
  const publicKey = await subtle().importKey("raw", encryptionRaw, EC, true, []);
  const signing = await subtle().importKey("jwk", jwkOf(values.signing_private, signingRaw), ECDSA, false, ["sign"]);
  return { encryption: { privateKey, publicKey }, signing, fields };
}

/** The canonical proof document the bidder signs (docs/bidder-keys.md). */
export function proofDocument({ platform, lot, bidder, challenge, answer }) {
  return canonicalJson({ v: 1, kind: "bidder-key-proof", platform, lot, bidder, challenge, answer });
}

/**
 * Answers a key check (the challenge file the platform gave): opens the challenge with the
 * encryption key and signs the proof document with the signing key. Returns the body to post:
 * {challenge, answer, signature}.
 */
export async function answerChallenge(unlocked, challengeFile) {
  const { challenge, platform, lot, bidder } = challengeFile;
  const sealed = base64urlDecode(challengeFile.sealed);
  const info = utf8.encode(`platform-bidder-key-proof|v1|${platform}|${lot}|${bidder}|${challenge}`);
  const opened = new Uint8Array(await suite().open(
    { recipientKey: unlocked.encryption, enc: sealed.slice(0, 65), info }, sealed.slice(65)));
  const answer = base64urlEncode(opened);
  const signature = await subtle().sign({ name: "ECDSA", hash: "SHA-256" }, unlocked.signing,
                                        proofDocument({ platform, lot, bidder, challenge, answer }));
  return { challenge, answer, signature: base64urlEncode(new Uint8Array(signature)) };
}

/**
 * The bidder part of one's own version 2 envelope, from its header (the object, as parsed from
 * the header's JSON): HPKE open with the encryption key, then checked against the header's
 * commitment before it is released. Returns the 32 bytes as base64url.
 */
export async function unlockBidderPart(unlocked, header) {
  const { platform, lot, bidder } = header;
  if (header.v !== 2) throw new KeyFileError("not a version 2 envelope header");
  if (header.bidder_key !== await fingerprint(base64urlDecode(unlocked.fields.encryption_key))) {
    throw new KeyFileError("this envelope's bidder part is sealed to another key");
  }
  const info = utf8.encode(`platform-bid-envelope|v2|bidder-part|${platform}|${lot}|${bidder}`);
  const part = new Uint8Array(await suite().open(
    { recipientKey: unlocked.encryption, enc: base64urlDecode(header.bidder_enc), info },
    base64urlDecode(header.bidder_sealed)));
  const label = utf8.encode(`platform-bid-envelope|v2|bidder-commit|${platform}|${lot}|${bidder}`);
  const commit = new Uint8Array(await subtle().digest("SHA-256", concat(label, part)));
  if (base64urlEncode(commit) !== header.bidder_commit) {
    throw new KeyFileError("the bidder part is not the one the envelope commits to");
  }
  return base64urlEncode(part);
}
