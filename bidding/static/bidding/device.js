// The sealer's device fingerprint, sent with each envelope (header X-Device-Fingerprint) for the
// integrity rules: several bidders sealing on one device is a red flag (docs/integrity.md). It is
// the SHA-256, in lowercase hex, of a random device id this browser keeps in localStorage and of
// stable properties of the browser and screen. It says nothing about the bid itself, and the
// server keeps it from other bidders and the public.
const STORAGE_KEY = "platform.device-id";

function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// The id survives reloads and sign-outs; where storage is refused (a private window may refuse
// it) a fresh id stands for this page only.
function deviceId() {
  try {
    let id = localStorage.getItem(STORAGE_KEY);
    if (!/^[0-9a-f]{32}$/.test(id || "")) {
      id = randomId();
      localStorage.setItem(STORAGE_KEY, id);
    }
    return id;
  } catch {
    return randomId();
  }
}

function properties() {
  const screenInfo = window.screen || {};
  return [
    navigator.userAgent, navigator.platform, (navigator.languages || [navigator.language]).join(","),
    navigator.hardwareConcurrency || 0, screenInfo.width || 0, screenInfo.height || 0, screenInfo.colorDepth || 0,
    Intl.DateTimeFormat().resolvedOptions().timeZone || "",
  ].join("|");
}

export async function deviceFingerprint() {
  const text = `platform-device-v1|${deviceId()}|${properties()}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
