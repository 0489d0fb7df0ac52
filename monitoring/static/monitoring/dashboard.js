// The supervision dashboard: the server rendered the lists as of the centre's ``after`` seq; the
// room brings every event since. Events may repeat what the lists already show, so each is applied
// idempotently (add if missing, remove if present).
import { Room } from "./room.js";
import { element, logEvent, shanghaiTime } from "./room-page.js";

const config = JSON.parse(document.getElementById("room-config").textContent);
const labels = config.labels;
const sessions = document.getElementById("dash-sessions");
const alerts = document.getElementById("dash-alerts");

function showEmpty(list) {
  const empty = list.querySelector("li.empty");
  const items = list.querySelectorAll("li:not(.empty)").length;
  if (items && empty) empty.remove();
  if (!items && !empty) list.append(element("li", labels.none, { class: "empty" }));
}

function find(list, attribute, value) {
  return list.querySelector(`li[${attribute}="${CSS.escape(String(value))}"]`);
}

function sessionStarted(data) {
  if (find(sessions, "data-lot", data.lot)) return;
  const item = element("li", null, { "data-lot": data.lot });
  const link = element("a", labels.room, { href: config.opening_url.replace("{lot}", String(data.lot)) });
  item.append(element("span", data.code, { class: "code" }), " ", element("span", data.title, { class: "title" }),
    " · ", link);
  sessions.append(item);
  showEmpty(sessions);
}

function sessionEnded(data) {
  find(sessions, "data-lot", data.lot)?.remove();
  showEmpty(sessions);
}

function alertRaised(event) {
  const data = event.data;
  if (find(alerts, "data-alert", data.alert)) return;
  const reason = config.reasons[data.reason] || data.reason;
  const about = data.year !== undefined ? labels.year.replace("%(year)s", String(data.year)) : data.source;
  alerts.append(element("li", `${shanghaiTime(event.at)} · ${about} · ${reason}`,
    { "data-alert": data.alert, "data-reason": data.reason }));
  showEmpty(alerts);
}

function alertAcknowledged(data) {
  find(alerts, "data-alert", data.alert)?.remove();
  showEmpty(alerts);
}

function fold(event) {
  const data = event.data || {};
  if (event.kind === "session.started") sessionStarted(data);
  else if (event.kind === "session.ended") sessionEnded(data);
  else if (event.kind === "alert.raised") alertRaised(event);
  else if (event.kind === "alert.acknowledged") alertAcknowledged(data);
  logEvent(document.getElementById("room-log"), event, config);
}

Room.open({
  url: config.url,
  after: config.after,
  onEvent: fold,
  onSynced: () => { document.body.dataset.synced = "true"; },
  statusElement: document.getElementById("room-state"),
  labels,
});
