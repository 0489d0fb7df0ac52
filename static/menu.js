// The header's links fold into a "Menu" on a phone's width (static/platform.css) and always show on a
// wider screen. The menu is open in the page as sent, so without this script every link shows.
(() => {
  const menu = document.getElementById("site-menu");
  if (!menu) return;
  const narrow = window.matchMedia("(max-width: 48rem)");
  const fit = () => { menu.open = !narrow.matches; };
  fit();
  narrow.addEventListener("change", fit);
})();
