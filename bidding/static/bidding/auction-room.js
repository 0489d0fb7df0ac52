// The auction room: folds the auction's events (auction.scheduled, .opened, .countdown_started,
// .bid_accepted, .ended) into the price, the countdown and the ladder; a bidder bids through the API
// and sees every answer, accepted or refused with its reason.
import { Room } from "../monitoring/room.js";
import { element, logEvent, shanghaiTime } from "../monitoring/room-page.js";

const config = JSON.parse(document.getElementById("room-config").textContent);
const labels = config.labels;
const $ = (id) => document.getElementById(id);
const state = { status: "scheduled", endsAt: null, me: null, outcome: "" };

function showStatus() {
  const cell = $("auction-status");
  cell.textContent = [config.statuses[state.status], config.outcomes[state.outcome]].filter(Boolean).join(" · ");
  cell.dataset.status = state.status;
}

function showCountdown() {
  const cell = $("auction-countdown");
  if (state.status !== "timed_bidding" || !state.endsAt) return;
  const left = Math.max(0, Math.ceil((state.endsAt.getTime() - Date.now()) / 1000));
  cell.textContent = `${labels.ends_in} ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
  cell.dataset.left = String(left);
}

function bidderName(number) {
  const name = labels.bidder.replace("%(n)s", number);
  return number === state.me ? `${name} (${labels.you})` : name;
}

function fold(event) {
  const data = event.data || {};
  if (event.kind === "auction.opened") state.status = "free_bidding";
  if (event.kind === "auction.countdown_started") {
    state.status = "timed_bidding";
    state.endsAt = new Date(data.ends_at);
  }
  if (event.kind === "auction.bid_accepted") {
    $("auction-price").textContent = `${data.amount} · ${bidderName(data.bidder)}`;
    $("auction-price").dataset.price = data.amount;
    if (data.ends_at) state.endsAt = new Date(data.ends_at);
    $("auction-ladder").prepend(element("tr", null, { "data-position": data.position }));
    $("auction-ladder").firstChild.append(element("td", data.position), element("td", bidderName(data.bidder)),
      element("td", data.amount), element("td", shanghaiTime(data.at)));
  }
  if (event.kind === "auction.ended") {
    state.status = "ended";
    state.outcome = data.outcome;
    $("auction-countdown").textContent = "—";
  }
  showStatus();
  showCountdown();
  logEvent($("room-log"), event, config.kinds);
}

function csrfToken() {
  return form.querySelector("[name=csrfmiddlewaretoken]").value;
}

const form = $("bid-form");
if (form) {
  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    const answer = $("bid-answer");
    const response = await fetch(config.bid_url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ amount: $("bid-amount").value }),
    });
    const body = await response.json().catch(() => ({}));
    answer.dataset.code = response.ok ? "accepted" : body.code || String(response.status);
    answer.textContent = response.ok ? `${labels.accepted}: ${body.price} (#${body.position})` : body.detail || "";
  });
}

$("auction-price").textContent = labels.no_bid;
showStatus();
window.setInterval(showCountdown, 1000);
Room.open({
  url: config.url,
  after: config.after,
  onWelcome: (frame) => {
    state.me = frame.me?.number ?? null;
    if ($("auction-me") && state.me !== null) $("auction-me").textContent = bidderName(state.me);
  },
  onEvent: fold,
  statusElement: $("room-state"),
  labels,
});
