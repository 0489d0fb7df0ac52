// Small helpers the room pages share: times shown in China Standard Time, elements built from text
// (never from HTML: event data is what people typed), and the event log.

const shanghai = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});

// "2026-03-01 09:30:00" in Asia/Shanghai for an ISO time (or a Date).
export function shanghaiTime(value) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return value ? String(value) : "";
  const part = Object.fromEntries(shanghai.formatToParts(date).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
}

export function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

// Appends <li data-seq data-kind value=seq><time>…</time> label <code>kind</code></li> to ``list``.
export function logEvent(list, event, kinds = {}) {
  const item = element("li", null, { "data-seq": event.seq, "data-kind": event.kind, value: event.seq });
  item.append(element("time", shanghaiTime(event.at), { datetime: event.at }), " ",
    element("span", kinds[event.kind] || event.kind), " ", element("code", event.kind));
  list.append(item);
  return item;
}
