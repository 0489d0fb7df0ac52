// What the opening hall's bidders and host do on the opening page (docs/rooms.md, "The opening
// hall"): check in with the bidder key's proof, unlock one's own lock in the decryption window, sign
// the record to confirm it, ask; pause, resume and answer. The passphrase stays in this page: the
// server gets the key check's answer, the released part and the signature. opening-room.js folds
// the room's events and calls `update` with what they told, so each form shows when it applies.
import {
  WrongPassphrase, answerChallenge, fingerprint, parseKeyFile, unlockBidderPart, unlockKeyFile,
} from "./bidder-key.js";
import { base64urlDecode, base64urlEncode, canonicalJson } from "./seal.js";
import { shanghaiTime } from "../monitoring/room-page.js";

/**
 * What a bidder signs to confirm an opening record: the canonical JSON that
 * bidding.crypto.bidder_key.confirmation_document makes (keys sorted, no spaces).
 */
export function confirmationDocument({ platform, lot, bidder, record_sha256: recordSha256 }) {
  return canonicalJson({ bidder, kind: "opening-confirmation", lot, platform, record_sha256: recordSha256 });
}

/** The ECDSA P-256 SHA-256 signature (r ‖ s, 64 bytes: WebCrypto's form) of `document`, base64url. */
export async function signConfirmation(signingKey, document) {
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, signingKey, document);
  return base64urlEncode(new Uint8Array(signature));
}

class HallError extends Error {
  constructor(message, code) {
    super(message);
    this.name = "HallError";
    this.code = code;
  }
}

// A call to the platform's API with the page's session and CSRF token; a refusal throws its
// translated detail.
async function call(url, csrf, body, method = "POST") {
  const response = await fetch(url, {
    method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new HallError(answer.detail || response.statusText, answer.code || String(response.status));
  return answer;
}

function say(element, text, isError = false) {
  element.textContent = text;
  element.className = isError ? "error" : "ok";
}

// Runs `work` for a form's submission with its button disabled; what it throws is said in `status`.
function handle(form, status, labels, work) {
  form.dataset.ready = "true"; // the handler is in place
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.dataset.busy = "true";
    enable(form);
    try {
      await work();
    } catch (error) {
      say(status, error instanceof HallError ? error.message : `${labels.failed} ${error.message}`, true);
    } finally {
      form.dataset.busy = "false";
      enable(form);
    }
  });
}

// A form's button takes a click unless the form is being sent or is held while the opening is paused.
function enable(form) {
  form.querySelector("button[type=submit]").disabled = form.dataset.busy === "true" || form.dataset.held === "true";
}

// A form that applies now is shown; one that applies but waits for the opening to resume is held.
function show(form, applies, held = false) {
  if (!form) return;
  form.hidden = !applies;
  form.dataset.held = String(held);
  enable(form);
}

const TAKING_CHECK_IN = ["check_in", "started", "custodians", "decryption_window"];
const RUNNING = ["started", "custodians", "decryption_window", "price_reading", "record", "confirmations"];
const PAUSABLE = ["custodians", "decryption_window", "confirmations"];

function bidderActions(config, panel) {
  const labels = config.labels;
  const $ = (id) => document.getElementById(id);
  const me = {
    uscc: panel.dataset.bidder,
    csrf: panel.dataset.csrf,
    checkedIn: Boolean(panel.dataset.checkedIn),
    released: panel.dataset.released === "true",
  };
  let recordSha256 = "";

  async function keyFile() {
    const chosen = $("hall-key-file");
    if (chosen) {
      if (!chosen.files[0]) throw new HallError(labels.choose_key_file, "no_key_file");
      return parseKeyFile(await chosen.files[0].text());
    }
    return parseKeyFile((await call(panel.dataset.keyUrl, me.csrf, undefined, "GET")).key_file);
  }

  async function unlock(passphrase) {
    const fields = await keyFile();
    try {
      return await unlockKeyFile(fields, passphrase);
    } catch (error) {
      if (error instanceof WrongPassphrase) throw new HallError(labels.wrong_passphrase, "wrong_passphrase");
      throw error;
    }
  }

  const checkIn = $("hall-check-in-form");
  const checkInStatus = $("hall-check-in-status");
  handle(checkIn, checkInStatus, labels, async () => {
    let body = {};
    if (panel.dataset.keyUrl) {
      say(checkInStatus, labels.working);
      const fields = await keyFile();
      const challenge = await call(panel.dataset.challengeUrl, me.csrf);
      let unlocked;
      try {
        unlocked = await unlockKeyFile(fields, $("hall-check-in-passphrase").value);
      } catch (error) {
        if (!(error instanceof WrongPassphrase)) throw error;
        // Told to the platform, which records the failed check (repeated failures raise an alert).
        await call(config.hall.check_in_url, me.csrf, { challenge: challenge.challenge, failure: "wrong_passphrase" })
          .catch(() => null);
        throw new HallError(labels.wrong_passphrase, "wrong_passphrase");
      }
      if (await fingerprint(base64urlDecode(fields.encryption_key)) !== challenge.fingerprint) {
        await call(config.hall.check_in_url, me.csrf, { challenge: challenge.challenge, failure: "wrong_key" })
          .catch(() => null);
        throw new HallError(labels.not_this_key, "wrong_key");
      }
      body = await answerChallenge(unlocked, challenge);
    } else {
      say(checkInStatus, labels.sending);
    }
    const done = await call(config.hall.check_in_url, me.csrf, body);
    me.checkedIn = true;
    const text = labels.checked_in.replace("%(when)s", shanghaiTime(done.at));
    say(checkInStatus, text);
    $("hall-me").textContent = text;
    checkIn.hidden = true;
  });

  const unlockForm = $("hall-unlock-form");
  if (unlockForm) {
    const status = $("hall-unlock-status");
    handle(unlockForm, status, labels, async () => {
      say(status, labels.working);
      const unlocked = await unlock($("hall-unlock-passphrase").value);
      const { header } = await call(config.hall.header_url, me.csrf, undefined, "GET");
      const fields = JSON.parse(new TextDecoder().decode(base64urlDecode(header)));
      if (fields.bidder_key !== await fingerprint(base64urlDecode(unlocked.fields.encryption_key))) {
        throw new HallError(labels.not_this_key, "wrong_key");
      }
      const part = await unlockBidderPart(unlocked, fields);
      await call(config.hall.release_url, me.csrf, { part });
      me.released = true;
      say(status, labels.released_mine);
    });
  }

  const confirmForm = $("hall-confirm-form");
  if (confirmForm.dataset.signed) {
    const status = $("hall-confirm-status");
    handle(confirmForm, status, labels, async () => {
      say(status, labels.working);
      const unlocked = await unlock($("hall-confirm-passphrase").value);
      // The bidder signs the hash of the record it read itself, not one it was told: the published
      // record is fetched and hashed here, and must be the one the room announced.
      const record = await call(config.record_url, me.csrf, undefined, "GET");
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", canonicalJson(record.document)));
      const computed = Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
      if (recordSha256 && computed !== recordSha256) throw new HallError(labels.record_differs, "record_differs");
      const signed = confirmationDocument({ platform: config.hall.platform, lot: config.hall.lot, bidder: me.uscc,
                                            record_sha256: computed });
      await call(config.hall.confirm_url, me.csrf, { signature: await signConfirmation(unlocked.signing, signed) });
      say(status, labels.confirmed_mine);
    });
  }

  const questionForm = $("hall-question-form");
  const questionStatus = $("hall-question-status");
  handle(questionForm, questionStatus, labels, async () => {
    say(questionStatus, labels.sending);
    await call(config.hall.question_url, me.csrf, { text: $("hall-question-text").value });
    $("hall-question-text").value = "";
    say(questionStatus, labels.asked);
  });

  return (hall) => {
    recordSha256 = hall.recordSha256;
    const checkedIn = me.checkedIn || hall.present.has(me.uscc);
    const inRecord = hall.step === "confirmations" && hall.inRecord.has(me.uscc);
    show(checkIn, !checkedIn && TAKING_CHECK_IN.includes(hall.step));
    show(unlockForm, hall.step === "decryption_window" && !me.released && !hall.decrypted.has(me.uscc),
      Boolean(hall.paused));
    show(confirmForm, inRecord && !hall.confirmed.has(me.uscc), Boolean(hall.paused));
    show($("hall-object-form"), inRecord, Boolean(hall.paused));
    show(questionForm, RUNNING.includes(hall.step));
  };
}

function hostActions(config, panel) {
  const labels = config.labels;
  const $ = (id) => document.getElementById(id);
  const csrf = panel.dataset.csrf;
  const status = $("hall-host-status");

  const pause = $("hall-pause-form");
  handle(pause, status, labels, async () => {
    say(status, labels.pausing);
    await call(config.hall.pause_url, csrf, { reason: $("hall-pause-reason").value });
    $("hall-pause-reason").value = "";
    say(status, "");
  });
  const resume = $("hall-resume-form");
  handle(resume, status, labels, async () => {
    say(status, labels.resuming);
    await call(config.hall.resume_url, csrf);
    say(status, "");
  });

  function answerForm(item) {
    const id = item.dataset.question;
    const form = document.createElement("form");
    form.className = "inline";
    form.dataset.testid = "hall-answer-form";
    const label = document.createElement("label");
    label.htmlFor = `hall-answer-${id}`;
    label.textContent = labels.question_answer;
    const input = document.createElement("input");
    Object.assign(input, { type: "text", id: `hall-answer-${id}`, required: true, maxLength: 2000 });
    const button = document.createElement("button");
    button.type = "submit";
    button.textContent = labels.send_answer;
    const said = document.createElement("span");
    said.setAttribute("role", "status");
    form.append(label, " ", input, " ", button, " ", said);
    handle(form, said, labels, async () => {
      await call(config.hall.answer_url.replace("{id}", id), csrf, { answer: input.value });
      form.remove();
    });
    return form;
  }

  return (hall) => {
    show(pause, PAUSABLE.includes(hall.step) && !hall.paused);
    show(resume, Boolean(hall.paused));
    for (const item of document.querySelectorAll("#hall-questions li[data-question]")) {
      const form = item.querySelector("form");
      if (item.dataset.answered) form?.remove();
      else if (!form && hall.step !== "closed") item.append(" ", answerForm(item));
    }
  };
}

/**
 * The hall's forms on this page (a bidder's, the host's, or none for anyone else): returns
 * {update(hall)}, to call with the hall as the room's events have told it.
 */
export function hallActions(config) {
  const updates = [];
  const bidder = document.getElementById("hall-bidder");
  const host = document.getElementById("hall-host");
  if (config.hall && bidder) updates.push(bidderActions(config, bidder));
  if (config.hall && host) updates.push(hostActions(config, host));
  return { update: (hall) => updates.forEach((update) => update(hall)) };
}
