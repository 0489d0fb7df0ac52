// The bid page: seals the bid in this browser (nothing in clear leaves it) and submits the envelope.
// A price over the lot's public ceiling is held back until the bidder acknowledges the warning:
// the check runs here, so the price still reaches the server only inside the envelope.
import { deviceFingerprint } from "./device.js";
import { sealBid } from "./seal.js";

const form = document.getElementById("bid-form");
const status = document.getElementById("bid-status");
const lot = form.dataset.lot;
const warning = document.getElementById("ceiling-warning");
const ceiling = form.dataset.ceiling ? cents(form.dataset.ceiling) : null;
// The price the bidder chose to seal over the ceiling; any edit of the price asks again.
let acknowledged = null;

// Yuan with at most 2 decimals as whole cents (a BigInt: no float ever touches the price); null
// for anything else, which the field's pattern refuses before submission anyway.
function cents(text) {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  return match ? BigInt(match[1]) * 100n + BigInt((match[2] || "").padEnd(2, "0")) : null;
}

function overCeiling(price) {
  const asked = cents(price);
  return ceiling !== null && asked !== null && asked > ceiling;
}

if (warning) {
  form.price.addEventListener("input", () => {
    acknowledged = null;
    warning.hidden = true;
  });
  document.getElementById("ceiling-confirm").addEventListener("click", () => {
    acknowledged = form.price.value.trim();
    warning.hidden = true;
    form.requestSubmit();
  });
}

function say(text, isError = false) {
  status.textContent = text;
  status.className = isError ? "error" : "ok";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const price = form.price.value.trim();
  if (overCeiling(price) && acknowledged !== price) {
    warning.hidden = false;
    document.getElementById("ceiling-confirm").focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const items = {};
    for (const input of form.querySelectorAll("[data-item]")) items[input.dataset.item] = input.value.trim();
    say(form.dataset.sealing);
    const envelope = await sealBid({
      publicKeyRaw: form.dataset.publicKey,
      platform: form.dataset.platform,
      lot,
      bidder: form.dataset.bidder,
      priceForm: { price, period_days: Number.parseInt(form.period_days.value, 10), items },
      files: Array.from(form.files.files),
      onProgress: (done, total) => say(`${form.dataset.sealing} ${total ? Math.round((100 * done) / total) : 100}%`),
      // With a bidder key registered, the bid carries the bidder's own lock too (envelope v2).
      ...(form.dataset.bidderKey ? { bidderKeyRaw: form.dataset.bidderKey } : {}),
    });
    say(form.dataset.sending);
    const response = await fetch(form.dataset.submitUrl, {
      method: "POST",
      body: envelope,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/octet-stream", "X-CSRFToken": form.dataset.csrf,
        "X-Device-Fingerprint": await deviceFingerprint(),
      },
    });
    const body = await response.json();
    if (!response.ok) {
      say(body.detail || response.statusText, true);
      return;
    }
    say(`${form.dataset.received} ${body.receipt.receipt.receipt} · SHA-256 ${body.envelope_sha256}`);
    window.location.reload();
  } catch (error) {
    say(error.message, true);
  } finally {
    button.disabled = false;
  }
});
