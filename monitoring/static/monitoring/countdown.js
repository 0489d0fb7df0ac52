// Live countdowns ([data-countdown]: the seconds left when the server made the page, by its clock).
// They count down with the monotonic clock from when the page loaded, so a browser whose clock is
// wrong still shows the server's time left; the page's text is the same format (workbench_tags).
const loaded = performance.now();
const timers = [...document.querySelectorAll("[data-countdown]")];

function format(left, timer) {
  if (left <= 0) return timer.dataset.now;
  const days = Math.floor(left / 86400);
  const rest = left % 86400;
  const clock = [Math.floor(rest / 3600), Math.floor((rest % 3600) / 60), rest % 60]
    .map((n) => String(n).padStart(2, "0")).join(":");
  return days ? timer.dataset.days.replace("%(days)s", days).replace("%(clock)s", clock) : clock;
}

function tick() {
  const elapsed = Math.floor((performance.now() - loaded) / 1000);
  for (const timer of timers) {
    const left = Math.max(0, Number(timer.dataset.countdown) - elapsed);
    timer.dataset.left = String(left);
    timer.textContent = format(left, timer);
  }
}

if (timers.length) {
  tick();
  setInterval(tick, 1000);
}
