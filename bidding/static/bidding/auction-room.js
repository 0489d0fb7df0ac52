// The auction room: folds the auction's events (auction.scheduled, .opened, .countdown_started,
// .bid_accepted, .ended, sale.deal_confirmed, sale.unsold) into the price, the countdown and the
// ladder; a bidder bids (or, descending, accepts the price of the moment) through the API and sees
// every answer, accepted or refused with its reason.
import { Room } from "../monitoring/room.js";
import { element, logEvent, money, shanghaiTime } from "../monitoring/room-page.js";

const config = JSON.parse(document.getElementById("room-config").textContent);
const labels = config.labels;
const $ = (id) => document.getElementById(id);
const state = { status: "scheduled", endsAt: null, me: null, outcome: "" };

function showStatus() {
  const cell = $("auction-status");
  cell.textContent = [config.statuses[state.status], config.outcomes[state.outcome]].filter(Boolean).join(" · ");
  cell.dataset.status = state.status;
}

// A descending auction's price of the moment, stepped as the server steps it (Auction.price_at);
// the server decides the price of an acceptance by its own clock.
function descendingPrice(now) {
  const d = config.descending;
  const steps = Math.max(0, Math.floor((now - new Date(d.starts_at).getTime()) / 1000 / d.step_seconds));
  const cents = Math.max(Math.round(d.floor_price * 100), Math.round(d.starting_price * 100) - steps * Math.round(d.decrement * 100));
  return (cents / 100).toFixed(2);
}

function showCountdown() {
  const cell = $("auction-countdown");
  if (config.descending && state.status === "descending") {
    const price = descendingPrice(Date.now());
    $("auction-price").textContent = money(price, config.money);
    $("auction-price").dataset.price = price;
  }
  if (!["timed_bidding", "descending"].includes(state.status) || !state.endsAt) return;
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
  if (event.kind === "auction.opened") {
    state.status = config.descending ? "descending" : "free_bidding";
    if (data.ends_at) state.endsAt = new Date(data.ends_at);
  }
  if (event.kind === "auction.countdown_started") {
    state.status = "timed_bidding";
    state.endsAt = new Date(data.ends_at);
  }
  if (event.kind === "auction.bid_accepted") {
    $("auction-price").textContent = `${money(data.amount, config.money)} · ${bidderName(data.bidder)}`;
    $("auction-price").dataset.price = data.amount;
    if (data.ends_at) state.endsAt = new Date(data.ends_at);
    $("auction-ladder").prepend(element("tr", null, { "data-position": data.position }));
    $("auction-ladder").firstChild.append(element("td", data.position), element("td", bidderName(data.bidder)),
      element("td", money(data.amount, config.money)), element("td", shanghaiTime(data.at)));
  }
  if (event.kind === "auction.ended") {
    state.status = "ended";
    state.outcome = data.outcome === "awaiting_reserve" ? "" : data.outcome;
    $("auction-countdown").textContent = data.outcome === "awaiting_reserve" ? labels.awaiting_reserve : "—";
    if (data.price) $("auction-price").textContent = `${money(data.price, config.money)} · ${bidderName(data.bidder)}`;
  }
  if (event.kind === "sale.deal_confirmed") {
    // The link gets its address only now: before the deal is confirmed it would answer 404.
    $("auction-deal-link").href = config.deal_url;
    $("auction-deal").hidden = false;
  }
  showStatus();
  showCountdown();
  logEvent($("room-log"), event, config);
}

async function post(form, url, payload) {
  const answer = $("bid-answer");
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
    body: JSON.stringify(payload),
  });
  const body = await response.json().catch(() => ({}));
  answer.dataset.code = response.ok ? "accepted" : body.code || String(response.status);
  answer.textContent = response.ok ? `${labels.accepted}: ${money(body.price, config.money)}${body.position ? ` (#${body.position})` : ""}`
    : body.detail || "";
}

const form = $("bid-form");
if (form) {
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    post(form, config.bid_url, { amount: $("bid-amount").value });
  });
}
const acceptForm = $("accept-form");
if (acceptForm) {
  acceptForm.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    post(acceptForm, config.accept_url, {});
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
