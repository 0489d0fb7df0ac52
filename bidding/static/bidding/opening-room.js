// The opening room: folds the lot's events (docs/rooms.md, "Event kinds") into the page, from the
// first one on (after=0), so a page opened late shows the same as one open all along.
import { Room } from "../monitoring/room.js";
import { element, logEvent, money, shanghaiTime } from "../monitoring/room-page.js";

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
  const days = Math.floor(left / 86400);
  const clock = [Math.floor(left / 3600) % 24, Math.floor(left / 60) % 60, left % 60]
    .map((n) => String(n).padStart(2, "0")).join(":");
  const span = days ? `${days} ${labels.days} ${clock}` : clock;
  cell.textContent = `${shanghaiTime(state.deadline)} · ${labels.closes_in} ${span}`;
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
  let item;
  if (event.kind === "opening.confirmed") {
    item = element("li", `${when} ${bidderName(data.bidder)} · ${labels.confirmed}`,
      { "data-kind": "confirmed", "data-bidder": data.bidder });
  } else {
    item = element("li", `${when} ${bidderName(data.bidder)} · ${labels.objection}: ${data.text}`,
      { "data-kind": "objection", "data-bidder": data.bidder, "data-objection": data.objection });
  }
  list.querySelector("li.empty")?.remove();
  list.append(item);
}

function answerObjection(data) {
  const item = $("room-responses").querySelector(`li[data-objection="${CSS.escape(String(data.objection))}"]`);
  if (!item) return;
  item.append(element("br"), element("span", `${labels.answer}: ${data.answer}`, { "data-answer": "" }));
  item.dataset.answered = "true";
}

function fold(event) {
  const data = event.data || {};
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
  const item = logEvent($("room-log"), event, config);
  // A supervisor's stop request or objection and staff's answer are read out in the log itself.
  const said = event.kind.startsWith("supervision.") && (data.reason || data.answer || data.text);
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

showCountdown();
$("room-sealed").textContent = labels.sealed_later;
$("room-responses").append(element("li", labels.none, { class: "empty" }));
window.setInterval(showCountdown, 1000);
room = Room.open({
  url: config.url,
  after: config.after,
  onWelcome: welcome,
  onEvent: fold,
  onSynced: () => { document.getElementById("room").dataset.synced = "true"; },
  statusElement: $("room-state"),
  labels,
});
