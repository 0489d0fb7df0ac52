// The bid page: seals the bid in this browser (nothing in clear leaves it) and submits the envelope.
import { sealBid } from "./seal.js";

const form = document.getElementById("bid-form");
const status = document.getElementById("bid-status");
const lot = form.dataset.lot;

function say(text, isError = false) {
  status.textContent = text;
  status.className = isError ? "error" : "ok";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
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
      priceForm: { price: form.price.value.trim(), period_days: Number.parseInt(form.period_days.value, 10), items },
      files: Array.from(form.files.files),
      onProgress: (done, total) => say(`${form.dataset.sealing} ${total ? Math.round((100 * done) / total) : 100}%`),
    });
    say(form.dataset.sending);
    const response = await fetch(form.dataset.submitUrl, {
      method: "POST",
      body: envelope,
      credentials: "same-origin",
      headers: { "Content-Type": "application/octet-stream", "X-CSRFToken": form.dataset.csrf },
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
