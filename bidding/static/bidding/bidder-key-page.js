// The bidder key page (bidding/templates/bidding/bidder_key.html): make the key in this browser and
// register it, and check it. The passphrase stays in this page; the server gets the public keys,
// the encrypted key file, and the answers to its key checks.
import {
  KeyFileError, WrongPassphrase, answerChallenge, createKeyFile, fingerprint, parseKeyFile, unlockKeyFile,
} from "./bidder-key.js";
import { base64urlDecode } from "./seal.js";

function say(element, text, isError = false) {
  element.textContent = text;
  element.className = isError ? "error" : "ok";
}

async function post(url, csrf, body) {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
  });
  return { ok: response.ok, body: await response.json().catch(() => ({})), statusText: response.statusText };
}

const makeForm = document.getElementById("make-form");
if (makeForm) {
  const status = document.getElementById("make-status");
  makeForm.dataset.ready = "1"; // the handler below is in place: a submission no longer goes to the server
  makeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const passphrase = document.getElementById("make-passphrase").value;
    if (passphrase.length < Number(makeForm.dataset.passphraseMin)) return say(status, makeForm.dataset.tooShort, true);
    if (passphrase !== document.getElementById("make-passphrase-again").value) {
      return say(status, makeForm.dataset.mismatch, true);
    }
    const button = makeForm.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      say(status, makeForm.dataset.working);
      const made = await createKeyFile(passphrase, { iterations: Number(makeForm.dataset.iterations) });
      const answer = await post(makeForm.dataset.registerUrl, makeForm.dataset.csrf, { key_file: made.text });
      if (!answer.ok) return say(status, answer.body.detail || answer.statusText, true);
      say(status, makeForm.dataset.registered);
      window.location.reload();
    } catch (error) {
      say(status, error.message, true);
    } finally {
      button.disabled = false;
    }
  });
}

async function keyFileText() {
  const stored = document.getElementById("bidder-key-file");
  if (stored) return JSON.parse(stored.textContent);
  const file = document.getElementById("prove-file").files[0];
  if (!file) throw new KeyFileError("choose your key file");
  return file.text();
}

const proveForm = document.getElementById("prove-form");
if (proveForm) {
  const status = document.getElementById("prove-status");
  const data = proveForm.dataset;
  proveForm.dataset.ready = "1";
  proveForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = proveForm.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      say(status, data.working);
      const fields = parseKeyFile(await keyFileText());
      const challenge = await post(data.challengeUrl, data.csrf);
      if (!challenge.ok) return say(status, challenge.body.detail || challenge.statusText, true);
      let unlocked;
      try {
        unlocked = await unlockKeyFile(fields, document.getElementById("prove-passphrase").value);
      } catch (error) {
        if (!(error instanceof WrongPassphrase)) throw error;
        // Told to the platform, which records the failed check (repeated failures raise an alert).
        await post(data.proofUrl, data.csrf, { challenge: challenge.body.challenge, failure: "wrong_passphrase" });
        return say(status, data.wrongPassphrase, true);
      }
      if (await fingerprint(base64urlDecode(fields.encryption_key)) !== challenge.body.fingerprint) {
        // Another key than the registered one: recorded as a failed check too.
        await post(data.proofUrl, data.csrf, { challenge: challenge.body.challenge, failure: "wrong_key" });
        return say(status, data.notThisKey, true);
      }
      const proof = await post(data.proofUrl, data.csrf, await answerChallenge(unlocked, challenge.body));
      if (!proof.ok) return say(status, `${data.failed} ${proof.body.detail || proof.statusText}`, true);
      say(status, data.proved);
      window.location.reload();
    } catch (error) {
      say(status, `${data.failed} ${error.message}`, true);
    } finally {
      button.disabled = false;
    }
  });
}
