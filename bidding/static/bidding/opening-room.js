// The opening room: folds the lot's events (docs/rooms.md, "Event kinds") into the page, from the
// first one on (after=0), so a page opened late shows the same as one open all along. The opening
// hall's steps, who is present, the bidders' own locks, pauses and questions are folded here too;
// what the hall's bidders and host do is hall.js's.
import { Room } from "../monitoring/room.js";
import { element, logEvent, money, shanghaiTime } from "../monitoring/room-page.js";
import { hallActions } from "./hall.js";

const config = JSON.parse(document.getElementById("room-config").textContent);
const labels = config.labels;
const $ = (id) => document.getElementById(id);

// --- what the page shows, folded from the events -------------------------------------------------

const BIDDING_STATUSES = new Set(["published", "bidding", "suspended"]);

const state = {
  deadline: config.bid_deadline ? new Date(config.bid_deadline) : null,
  lotStatus: "",
  session: "", // collecting_shares, record_published, closed: what the events have told of the session
  organisations: new Map(), // USCC → name, learnt from the opened bids
};

// "2 days 03:04:05", or "03:04:05" under a day.
function duration(seconds) {
  const days = Math.floor(seconds / 86400);
  const clock = [Math.floor(seconds / 3600) % 24, Math.floor(seconds / 60) % 60, seconds % 60]
    .map((n) => String(n).padStart(2, "0")).join(":");
  return days ? `${days} ${labels.days} ${clock}` : clock;
}

function showCountdown() {
  const cell = $("room-countdown");
  if (!state.deadline) return;
  // The lot's status has the last word: bidding may have been closed by the server's clock.
  const taking = !state.lotStatus || BIDDING_STATUSES.has(state.lotStatus);
  const left = taking ? Math.floor((state.deadline.getTime() - Date.now()) / 1000) : 0;
  cell.dataset.deadline = state.deadline.toISOString();
  if (left <= 0) {
    cell.textContent = `${shanghaiTime(state.deadline)} · ${labels.closed}`;
    cell.dataset.left = "0";
    return;
  }
  cell.textContent = `${shanghaiTime(state.deadline)} · ${labels.closes_in} ${duration(left)}`;
  cell.dataset.left = String(left);
}

function showStatus() {
  const cell = $("room-status");
  const parts = [config.lot_statuses[state.lotStatus] || state.lotStatus];
  if (state.session) parts.push(config.session_statuses[state.session] || state.session);
  cell.textContent = parts.filter(Boolean).join(" · ");
  cell.dataset.status = state.lotStatus;
  cell.dataset.session = state.session;
  const header = document.querySelector("[data-testid=lot-status]");
  if (header && config.lot_statuses[state.lotStatus]) header.textContent = config.lot_statuses[state.lotStatus];
  showCountdown();
}

function showSealed(count) {
  const cell = $("room-sealed");
  cell.textContent = String(count);
  cell.dataset.count = String(count);
}

function showShares(presented, threshold) {
  const cell = $("room-shares");
  cell.textContent = `${presented} / ${threshold}`;
  cell.dataset.presented = String(presented);
  cell.dataset.threshold = String(threshold);
}

function addBid(data) {
  state.organisations.set(data.bidder, data.organisation);
  const body = $("room-bids");
  const existing = body.querySelector(`tr[data-receipt="${CSS.escape(String(data.receipt))}"]`);
  const row = element("tr", null, {
    "data-receipt": data.receipt, "data-bidder": data.bidder, "data-status": data.status,
  });
  const who = element("td", data.organisation);
  who.append(element("br"), element("small", data.bidder));
  let outcome = labels.opened;
  if (data.failure) outcome = labels[data.failure.outcome] || data.failure.code;
  row.append(who, element("td", data.receipt), element("td", money(data.price, config.money)),
    element("td", data.period_days ?? "—"), element("td", outcome, data.failure ? { class: "error" } : {}));
  if (existing) existing.replaceWith(row);
  else body.append(row);
}

function showRecord(data) {
  $("room-record-sha").textContent = data.record_sha256;
  $("room-record-signature").textContent = data.signature;
  $("room-record-bids").textContent = String(data.bids);
  $("room-record-until").textContent = data.responses_until ? shanghaiTime(data.responses_until) : "—";
  // The link gets its address only now: before the record is published it would answer 404.
  $("room-record-link").href = config.record_url;
  $("room-record").hidden = false;
}

function bidderName(uscc) {
  return state.organisations.get(uscc) || uscc;
}

function addResponse(event) {
  const list = $("room-responses");
  const data = event.data;
  const when = shanghaiTime(event.at).slice(11);
  const items = [];
  if (event.kind === "opening.confirmed") {
    const signed = data.signed ? ` · ${labels.signed}` : "";
    items.push(element("li", `${when} ${bidderName(data.bidder)} · ${labels.confirmed}${signed}`,
      { "data-kind": "confirmed", "data-bidder": data.bidder, "data-signed": String(Boolean(data.signed)) }));
  } else if (event.kind === "opening.deemed_confirmed") {
    for (const bidder of data.bidders) {
      items.push(element("li", `${when} ${bidderName(bidder)} · ${labels.deemed}`,
        { "data-kind": "deemed", "data-bidder": bidder }));
    }
  } else {
    items.push(element("li", `${when} ${bidderName(data.bidder)} · ${labels.objection}: ${data.text}`,
      { "data-kind": "objection", "data-bidder": data.bidder, "data-objection": data.objection }));
  }
  list.querySelector("li.empty")?.remove();
  list.append(...items);
}

function answerObjection(data) {
  const item = $("room-responses").querySelector(`li[data-objection="${CSS.escape(String(data.objection))}"]`);
  if (!item) return;
  item.append(element("br"), element("span", `${labels.answer}: ${data.answer}`, { "data-answer": "" }));
  item.dataset.answered = "true";
}

// --- the opening hall (config.hall; none on a sale's lot) -----------------------------------------

const STEPS = config.hall ? config.hall.steps.map(([code]) => code) : [];
const STEP_NAMES = Object.fromEntries(config.hall ? config.hall.steps : []);

// What the events have told of the hall; hall.js reads it to show each person the forms that apply.
const hall = {
  step: "", // the current step, "" before check-in opens
  reached: new Map(), // step → when it was reached
  checkInFrom: config.hall?.check_in_from ? new Date(config.hall.check_in_from) : null,
  paused: null, // {reason, windowLeft, responsesLeft} while paused (seconds the windows had left)
  windowUntil: null,
  windowExtended: false,
  windowClosedAt: null, // when the bids were opened: at the window's end, or once every part was in
  responsesUntil: null,
  released: 0,
  locked: 0,
  present: new Map(), // USCC → {organisation, key_proved}; told from the opening's start
  decrypted: new Set(), // USCCs whose bidders released their parts
  inRecord: new Set(), // USCCs of the bids read out
  confirmed: new Set(), // USCCs that confirmed (or were deemed to)
  recordSha256: "",
};

function reach(step, at) {
  if (!hall.reached.has(step)) hall.reached.set(step, at);
  if (STEPS.indexOf(step) > STEPS.indexOf(hall.step)) hall.step = step;
}

// Each step's mark, for the eye (the current one is also aria-current="step").
const MARKS = { done: "✓", current: "▶", skipped: "–", pending: "" };

function showSteps() {
  const current = STEPS.indexOf(hall.step);
  for (const item of $("hall-steps").children) {
    const code = item.dataset.step;
    const index = STEPS.indexOf(code);
    const at = hall.reached.get(code);
    let stepState = "pending";
    if (index === current) stepState = "current";
    else if (index < current) stepState = at ? "done" : "skipped";
    item.dataset.state = stepState;
    if (stepState === "current") item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
    item.replaceChildren(element("span", MARKS[stepState], { "aria-hidden": "true" }), " ",
      stepState === "current" ? element("strong", STEP_NAMES[code]) : STEP_NAMES[code]);
    if (at) item.append(" ", element("time", shanghaiTime(at), { datetime: at }));
  }
  const step = $("hall-step");
  step.dataset.step = hall.step;
  step.textContent = hall.step ? STEP_NAMES[hall.step]
    : hall.checkInFrom ? labels.check_in_opens.replace("%(when)s", shanghaiTime(hall.checkInFrom)) : "—";
}

function showProgress() {
  const cell = $("hall-progress");
  cell.dataset.released = String(hall.released);
  cell.dataset.locked = String(hall.locked);
  if (hall.reached.has("decryption_window")) {
    cell.textContent = labels.released.replace("%(released)s", hall.released).replace("%(locked)s", hall.locked);
  } else {
    cell.textContent = hall.reached.has("price_reading") ? labels.no_window : "—";
  }
}

function showPaused() {
  const notice = $("hall-paused");
  notice.hidden = !hall.paused;
  notice.textContent = hall.paused ? labels.paused.replace("%(reason)s", hall.paused.reason) : "";
  $("hall").dataset.paused = String(Boolean(hall.paused));
}

// A window's cell: its end and the time left, which stands still while the opening is paused; once
// closed, when it closed.
function showWindow(cell, until, frozenLeft, closed, note = "") {
  if (!until) {
    cell.textContent = "—";
    cell.dataset.left = "";
    return;
  }
  cell.dataset.until = until.toISOString();
  if (closed) {
    cell.textContent = `${shanghaiTime(closed.at)} · ${closed.label}`;
    cell.dataset.left = "0";
    return;
  }
  const frozen = hall.paused && frozenLeft !== null && frozenLeft !== undefined;
  const left = frozen ? frozenLeft : Math.max(0, Math.floor((until.getTime() - Date.now()) / 1000));
  cell.dataset.left = String(left);
  cell.dataset.paused = String(Boolean(frozen));
  cell.textContent = frozen ? `${labels.paused_left} ${duration(left)}`
    : `${shanghaiTime(until)} · ${labels.time_left} ${duration(left)}${note}`;
}

function showWindows() {
  showWindow($("hall-window"), hall.windowUntil, hall.paused?.windowLeft,
    hall.windowClosedAt && { at: hall.windowClosedAt, label: labels.window_closed },
    hall.windowExtended ? ` · ${labels.extended}` : "");
  showWindow($("hall-responses"), hall.responsesUntil, hall.paused?.responsesLeft,
    hall.reached.has("closed") && { at: hall.reached.get("closed"), label: STEP_NAMES.closed });
}

function showPresent() {
  const list = $("hall-present");
  list.replaceChildren();
  if (!hall.reached.has("started")) {
    list.append(element("li", labels.present_later, { class: "empty" }));
    return;
  }
  if (!hall.present.size) list.append(element("li", labels.nobody, { class: "empty" }));
  for (const [uscc, who] of hall.present) {
    const notes = [who.key_proved && labels.key_proved, hall.decrypted.has(uscc) && labels.decrypted].filter(Boolean);
    const item = element("li", null, { "data-bidder": uscc, "data-decrypted": String(hall.decrypted.has(uscc)) });
    item.append(who.organisation, " ", element("small", uscc), notes.length ? ` · ${notes.join(" · ")}` : "");
    list.append(item);
  }
}

function addQuestion(event) {
  const data = event.data;
  const item = element("li", null, { "data-question": data.question, "data-bidder": data.bidder });
  item.append(element("time", shanghaiTime(event.at).slice(11), { datetime: event.at }), " ",
    element("strong", data.organisation), ": ", element("span", data.text, { "data-text": "" }));
  $("hall-questions").querySelector("li.empty")?.remove();
  $("hall-questions").append(item);
}

function answerQuestion(data) {
  const item = $("hall-questions").querySelector(`li[data-question="${CSS.escape(String(data.question))}"]`);
  if (!item || item.dataset.answered) return;
  item.append(element("br"), element("span", `${labels.answer}: ${data.answer}`, { "data-answer": "" }));
  item.dataset.answered = "true";
}

// The hall's part of one event; true if it was one of the hall's.
function foldHall(event) {
  const data = event.data || {};
  switch (event.kind) {
    case "lot.status_changed":
      if (data.transition !== "start_opening") return false;
      // Check-in opened by the clock before the start (a lot with no check-in rule: at the start).
      reach("check_in", hall.checkInFrom && hall.checkInFrom < new Date(event.at)
        ? hall.checkInFrom.toISOString() : event.at);
      reach("started", event.at);
      reach("custodians", event.at);
      for (const who of data.present || []) hall.present.set(who.bidder, who);
      return true;
    case "opening.checked_in":
      hall.present.set(data.bidder, data);
      return true;
    case "opening.window_opened":
      reach("decryption_window", event.at);
      hall.windowUntil = new Date(data.until);
      hall.locked = data.locked;
      return true;
    case "opening.part_released":
      hall.released = data.released;
      hall.locked = data.locked;
      hall.decrypted.add(data.bidder);
      return true;
    case "opening.window_extended":
      hall.windowUntil = new Date(data.to);
      hall.windowExtended = true;
      return true;
    case "opening.window_closed":
      hall.windowClosedAt = event.at;
      hall.released = data.released;
      reach("price_reading", event.at);
      return true;
    case "opening.bid_opened":
      reach("price_reading", event.at);
      hall.inRecord.add(data.bidder);
      return true;
    case "opening.record_published":
      reach("record", event.at);
      reach("confirmations", event.at);
      hall.recordSha256 = data.record_sha256;
      hall.responsesUntil = data.responses_until ? new Date(data.responses_until) : null;
      return true;
    case "opening.confirmed":
      hall.confirmed.add(data.bidder);
      return true;
    case "opening.deemed_confirmed":
      for (const bidder of data.bidders) hall.confirmed.add(bidder);
      return true;
    case "opening.paused":
      hall.paused = { reason: data.reason, windowLeft: data.window_left_seconds,
                      responsesLeft: data.responses_left_seconds };
      return true;
    case "opening.resumed":
      hall.paused = null;
      if (data.window_until) hall.windowUntil = new Date(data.window_until);
      if (data.responses_until) hall.responsesUntil = new Date(data.responses_until);
      return true;
    case "opening.question":
      addQuestion(event);
      return true;
    case "opening.question_answered":
      answerQuestion(data);
      return true;
    case "opening.closed":
      reach("closed", event.at);
      return true;
    default:
      return false;
  }
}

function showHall() {
  if (!config.hall) return;
  showSteps();
  showProgress();
  showPaused();
  showWindows();
  showPresent();
  actions.update(hall);
}

// Check-in opens by the clock, not by an event.
function tickHall() {
  if (!config.hall) return;
  if (!hall.step && hall.checkInFrom && Date.now() >= hall.checkInFrom.getTime()) {
    reach("check_in", hall.checkInFrom.toISOString());
    showHall();
  }
  showWindows();
}

function fold(event) {
  const data = event.data || {};
  const hallEvent = config.hall && foldHall(event);
  switch (event.kind) {
    case "lot.status_changed":
      state.lotStatus = data.to;
      if (data.transition === "start_opening") state.session = "collecting_shares";
      if (data.sealed_bids !== undefined) showSealed(data.sealed_bids);
      showStatus();
      break;
    case "lot.amended":
      if (data.bid_deadline) {
        state.deadline = new Date(data.bid_deadline);
        showCountdown();
      }
      break;
    case "lot.bids_counted":
      showSealed(data.sealed);
      break;
    case "opening.share_presented":
      showShares(data.presented, data.threshold);
      break;
    case "opening.bid_opened":
      addBid(data);
      break;
    case "opening.record_published":
      state.session = "record_published";
      showStatus();
      showRecord(data);
      break;
    case "opening.confirmed":
    case "opening.deemed_confirmed":
    case "opening.objection":
      addResponse(event);
      break;
    case "opening.objection_answered":
      answerObjection(data);
      break;
    case "opening.closed":
      state.session = "closed";
      showStatus();
      break;
    default:
      break;
  }
  if (hallEvent) showHall();
  const item = logEvent($("room-log"), event, config);
  // What people said (a supervisor's stop request or objection, a pause's reason, a question, and
  // the answers) is read out in the log itself.
  const spoken = event.kind.startsWith("supervision.") || ["opening.paused", "opening.question",
    "opening.question_answered"].includes(event.kind);
  const said = spoken && (data.reason || data.answer || data.text);
  if (said) item.append(" ", element("q", said));
}

// --- the supervisor's observation note -------------------------------------------------------------

let room = null;

function showNote(me) {
  const panel = $("room-note");
  const text = $("room-note-text");
  const status = $("room-note-status");
  if (!panel.hidden) return; // a reconnect must not overwrite what is being typed
  text.value = me.note || "";
  panel.hidden = false;
  $("room-note-save").addEventListener("click", async () => {
    status.textContent = labels.saving;
    status.className = "";
    try {
      const result = await room.action("note.save", { text: text.value });
      status.textContent = `${labels.saved} ${shanghaiTime(result.saved_at)}`;
      status.className = "ok";
    } catch (error) {
      status.textContent = error.message;
      status.className = "error";
    }
  });
}

function welcome(frame) {
  if (frame.role === "observer" && (frame.me?.note !== undefined || config.supervisor)) showNote(frame.me || {});
}

const actions = hallActions(config);
showCountdown();
$("room-sealed").textContent = labels.sealed_later;
$("room-responses").append(element("li", labels.none, { class: "empty" }));
if (config.hall) $("hall-questions").append(element("li", labels.none, { class: "empty" }));
tickHall();
showHall();
window.setInterval(() => {
  showCountdown();
  tickHall();
}, 1000);
room = Room.open({
  url: config.url,
  after: config.after,
  onWelcome: welcome,
  onEvent: fold,
  onSynced: () => { document.getElementById("room").dataset.synced = "true"; },
  statusElement: $("room-state"),
  labels,
});
