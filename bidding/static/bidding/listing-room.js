// The listing page, live: folds the lot room's listing.quote_accepted events into the current price
// and the quotes table, and logs the close, the reserve's reveal and the result as they happen.
import { Room } from "../monitoring/room.js";
import { element, logEvent, money, shanghaiTime } from "../monitoring/room-page.js";

const config = JSON.parse(document.getElementById("room-config").textContent);
const $ = (id) => document.getElementById(id);
const bidder = (number) => config.labels.bidder.replace("%(n)s", number);

function fold(event) {
  const data = event.data || {};
  if (event.kind === "listing.quote_accepted") {
    $("listing-price").textContent = `${money(data.amount, config.money)} · ${bidder(data.bidder)}`;
    $("listing-price").dataset.price = data.amount;
    const ladder = $("listing-ladder-rows");
    if (!ladder.querySelector(`[data-position="${data.position}"]`)) {
      const row = element("tr", null, { "data-position": data.position });
      row.append(element("td", data.position), element("td", bidder(data.bidder)), element("td", money(data.amount, config.money)),
        element("td", shanghaiTime(data.at)));
      ladder.prepend(row);
    }
  }
  logEvent($("room-log"), event, config);
}

Room.open({ url: config.url, after: config.after, onEvent: fold, statusElement: $("room-state"),
  labels: config.labels });
