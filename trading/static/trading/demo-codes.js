// The demo's codes page counts down to the codes' next step, then reloads to show the new ones.
(function () {
  "use strict";
  var left = document.getElementById("seconds-left");
  var seconds = parseInt(left.textContent, 10);
  setInterval(function () {
    seconds -= 1;
    if (seconds <= 0) { window.location.reload(); } else { left.textContent = seconds; }
  }, 1000);
})();
