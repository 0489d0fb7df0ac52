// Everything the browser sealer (bidding/static/bidding/seal.js) takes from npm, and nothing else.
// Bundled by build.sh into bidding/static/bidding/hpke.bundle.js, which is committed so that
// `make run` needs no Node.
//
// HPKE (RFC 9180) with the suite of envelope v1: DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 /
// AES-256-GCM. These are @hpke/core's native classes: every primitive runs in WebCrypto.
export { Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from "@hpke/core";
// Not used by the sealer: RFC 9180's appendix has P-256 with HKDF-SHA256 only with AES-128-GCM
// (A.3), so the tests check the bundle's KEM and key schedule against that vector.
export { Aes128Gcm } from "@hpke/core";

// Incremental SHA-256 for the files' hashes in the inner object. WebCrypto's digest() is one-shot
// (it needs the whole input in memory), and a bid's files can be hundreds of megabytes, so the
// sealer hashes them slice by slice with noble's audited pure-JS implementation instead:
// sha256.create().update(chunk)….digest().
export { sha256 } from "@noble/hashes/sha2.js";
