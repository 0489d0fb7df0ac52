// A printable page's "Print" button (the print stylesheet in platform.css leaves the page's own content).
for (const button of document.querySelectorAll("button[data-print]")) {
  button.addEventListener("click", () => window.print());
}
