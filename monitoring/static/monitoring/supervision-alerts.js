// The dashboard's alerts panel: the server rendered the unresolved alerts as of the ``alerts``
// subject's ``after`` seq; the ``alerts`` room brings every change since. Each event carries the
// alert's whole state (level, state, market), so applying it is idempotent: the item is set to
// what the event says, or removed once resolved, and the counts are recounted from the items.
import { Room } from "./room.js";
import { element } from "./room-page.js";

const config = JSON.parse(document.getElementById("alerts-config").textContent);
const list = document.getElementById("dash-live-alerts");
const counts = document.getElementById("dash-alert-counts");
const KINDS = new Set(["alert.raised", "alert.escalated", "alert.acknowledged", "alert.resolved"]);

function find(id) {
  return list.querySelector(`li[data-alert="${CSS.escape(String(id))}"]`);
}

function showEmpty() {
  const empty = list.querySelector("li.empty");
  const items = list.querySelectorAll("li:not(.empty)").length;
  if (items && empty) empty.remove();
  if (!items && !empty) list.append(element("li", config.labels.none, { class: "empty" }));
}

function countRow(market) {
  let row = counts.querySelector(`tr[data-market="${CSS.escape(market)}"]`);
  if (!row) {
    row = element("tr", null, { "data-market": market });
    row.append(element("td", config.markets[market] || market), element("td", "0", { "data-level": "yellow" }),
      element("td", "0", { "data-level": "red" }), element("td", "0", { "data-state": "open" }));
    counts.querySelector("tbody").append(row);
  }
  return row;
}

function recount() {
  const totals = new Map();
  for (const row of counts.querySelectorAll("tbody tr")) totals.set(row.dataset.market, { yellow: 0, red: 0, open: 0 });
  for (const item of list.querySelectorAll("li[data-alert]")) {
    const market = item.dataset.market || "";
    if (!totals.has(market)) totals.set(market, { yellow: 0, red: 0, open: 0 });
    const total = totals.get(market);
    total[item.dataset.level] += 1;
    if (item.dataset.state === "open") total.open += 1;
  }
  for (const [market, total] of totals) {
    const row = countRow(market);
    row.querySelector("[data-level=yellow]").textContent = String(total.yellow);
    row.querySelector("[data-level=red]").textContent = String(total.red);
    row.querySelector("[data-state=open]").textContent = String(total.open);
  }
}

function item(data) {
  const node = element("li", null, { "data-alert": data.alert });
  node.append(element("a", config.rules[data.rule] || data.rule,
    { href: config.alert_url.replace("{id}", String(data.alert)) }),
  " · ", element("span", data.lot_code || data.about, { class: "code" }),
  " · ", element("span", "", { class: "level" }), " · ", element("span", "", { class: "state" }));
  return node;
}

function apply(event) {
  if (!KINDS.has(event.kind)) return;
  const data = event.data || {};
  let node = find(data.alert);
  if (data.state === "resolved") {
    node?.remove();
  } else {
    if (!node) {
      node = item(data);
      list.prepend(node);
    }
    node.dataset.level = data.level;
    node.dataset.state = data.state;
    node.dataset.market = data.market || "";
    node.querySelector(".level").textContent = config.levels[data.level] || data.level;
    node.querySelector(".state").textContent = config.states[data.state] || data.state;
  }
  showEmpty();
  recount();
}

Room.open({
  url: config.url,
  after: config.after,
  onEvent: apply,
  onSynced: () => { list.dataset.synced = "true"; },
  statusElement: document.getElementById("alerts-room-state"),
  labels: config.labels,
});
