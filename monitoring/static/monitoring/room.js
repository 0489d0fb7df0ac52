// A live room's client (docs/rooms.md): one websocket, events checked seq by seq, resumed after a
// reconnect from the last seq it holds. Pages fold the events; this module only keeps them whole.
//
//   const room = Room.open({url: "/ws/rooms/opening/7/", after: 0, onWelcome, onEvent, onSynced, onStatus,
//                           statusElement, labels});
//   room.action("note.save", {text}).then(result => ..., error => error.code, error.message);

const HEARTBEAT_MS = 30000; // docs/rooms.md: each one re-checks membership in the database
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 8000;
const ACCESS_LOST = 4403;

// connecting → connected ⇄ reconnecting; refused (handshake refused) and lost (closed with 4403) end it.
export const STATES = ["connecting", "connected", "reconnecting", "refused", "lost"];

function socketUrl(path, after) {
  const url = new URL(path, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("after", String(after));
  return url.href;
}

export function open({ url, after = 0, onWelcome, onEvent, onSynced, onStatus, statusElement, labels = {} }) {
  let last = after;
  let socket = null;
  let opened = false; // this socket completed its handshake
  let everOpened = false; // some socket of this room did
  let resyncing = false; // a gap was seen: frames are dropped until the server says "synced"
  let retryMs = RETRY_FIRST_MS;
  let heartbeat = null;
  let retryTimer = null;
  let stopped = false;
  let nextId = 1;
  const pending = new Map(); // action id → {resolve, reject}

  function setState(state) {
    if (statusElement) {
      statusElement.dataset.state = state;
      statusElement.textContent = labels[state] || state;
    }
    if (onStatus) onStatus(state);
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function resync() {
    resyncing = true;
    send({ type: "sync", after: last });
  }

  function takeEvents(frame) {
    if (resyncing) return;
    for (const event of frame.events) {
      if (event.seq <= last) continue; // a duplicate (a live copy of what a catch-up brought, or the reverse)
      if (event.seq !== last + 1) {
        resync();
        return;
      }
      last = event.seq;
      if (onEvent) onEvent(event, { replay: Boolean(frame.replay) });
    }
  }

  function takeReply(frame) {
    const waiting = pending.get(frame.id);
    if (!waiting) return;
    pending.delete(frame.id);
    if (frame.ok) {
      waiting.resolve(frame.result || {});
    } else {
      const error = new Error(frame.detail || frame.code);
      error.code = frame.code;
      waiting.reject(error);
    }
  }

  function receive(message) {
    let frame;
    try {
      frame = JSON.parse(message.data);
    } catch {
      return;
    }
    if (frame.type === "welcome") {
      if (onWelcome) onWelcome(frame);
    } else if (frame.type === "events") {
      takeEvents(frame);
    } else if (frame.type === "synced") {
      resyncing = false;
      if (frame.head > last) {
        resync(); // the server says it sent more than arrived: ask once more
      } else if (onSynced) {
        onSynced(frame.head);
      }
    } else if (frame.type === "reply") {
      takeReply(frame);
    }
  }

  function connect() {
    retryTimer = null;
    opened = false;
    resyncing = false;
    socket = new WebSocket(socketUrl(url, last));
    socket.addEventListener("open", () => {
      opened = everOpened = true;
      retryMs = RETRY_FIRST_MS;
      setState("connected");
      heartbeat = window.setInterval(() => {
        if (!resyncing) send({ type: "sync" }); // a heartbeat: no "after", so nothing in flight is sent twice
      }, HEARTBEAT_MS);
    });
    socket.addEventListener("message", receive);
    socket.addEventListener("close", (event) => {
      window.clearInterval(heartbeat);
      heartbeat = null;
      for (const waiting of pending.values()) {
        const error = new Error(labels.reconnecting || "disconnected");
        error.code = "disconnected";
        waiting.reject(error);
      }
      pending.clear();
      if (stopped) return;
      if (event.code === ACCESS_LOST) {
        setState("lost");
        return;
      }
      // A handshake refused (HTTP 403) and a server that is down look alike to a browser; a page
      // that has never got in is told it was refused, and keeps trying quietly in case it was not.
      setState(!opened && !everOpened ? "refused" : "reconnecting");
      const delay = retryMs * (0.5 + Math.random()); // jitter: a restarted server is not hit by everyone at once
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      retryTimer = window.setTimeout(connect, delay);
    });
  }

  setState("connecting");
  connect();

  return {
    get last() {
      return last;
    },
    action(name, args = {}) {
      if (!socket || socket.readyState !== WebSocket.OPEN) {
        const error = new Error(labels.reconnecting || "not connected");
        error.code = "disconnected";
        return Promise.reject(error);
      }
      const id = `c${nextId++}`;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        send({ type: "action", id, name, args });
      });
    },
    close() {
      stopped = true;
      window.clearTimeout(retryTimer);
      if (socket) socket.close();
    },
  };
}

export const Room = { open };
