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

// What the log says of an event, from the page's words (monitoring.event_words): its kind's phrase,
// and for a status change both statuses. The code stays in data-kind, for scripts, not for people.
export function describeEvent(event, words = {}) {
  const kinds = words.kinds || {};
  const label = kinds[event.kind] || words.other || "";
  const data = event.data || {};
  if (event.kind === "lot.status_changed" && data.to && words.statuses && words.status_change) {
    return words.status_change.replace("%(label)s", label)
      .replace("%(from)s", words.statuses[data.from] || words.unknown || "")
      .replace("%(to)s", words.statuses[data.to] || words.unknown || "");
  }
  return label;
}

// An amount as the page's language prints money (``trading.money``): the figure with thousands
// separators and two decimals in ``pattern`` ("%(amount)s 元", "CNY %(amount)s"). Worked on the
// decimal text, not a float, so sums beyond 2^53 cents keep every digit.
export function money(value, pattern = "%(amount)s") {
  const text = String(value ?? "").trim();
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return "—";
  const [, sign, whole, fraction = ""] = match;
  let cents = BigInt(whole + (fraction + "00").slice(0, 2));
  if (fraction.length > 2 && Number(fraction[2]) >= 5) cents += 1n; // half up, as the server rounds
  const digits = cents.toString().padStart(3, "0");
  const grouped = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const figure = `${grouped}.${digits.slice(-2)}`;
  if (!sign || cents === 0n) return pattern.replace("%(amount)s", figure);
  // "-1,234.50 元" in Chinese, "-CNY 1,234.50" in English: the sign leads.
  return `-${pattern.replace("%(amount)s", figure)}`;
}

// Appends <li data-seq data-kind value=seq><time>…</time> what happened</li> to ``list``.
export function logEvent(list, event, words = {}) {
  const item = element("li", null, { "data-seq": event.seq, "data-kind": event.kind, value: event.seq });
  item.append(element("time", shanghaiTime(event.at), { datetime: event.at }), " ",
    element("span", describeEvent(event, words)));
  list.append(item);
  return item;
}
