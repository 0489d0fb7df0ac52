// The new-project form shows the dates of the chosen procedure's kind only: a tender's documents and
// bid deadline, or a listing's period. Without this script both sets show, each under its legend,
// and the server keeps only the chosen kind's.
const select = document.querySelector("[name=procedure]");
const groups = document.querySelectorAll("fieldset[data-dates]");

function showDates() {
  const kind = select.selectedOptions[0]?.dataset.kind;
  for (const group of groups) {
    const shown = !kind || group.dataset.dates === kind;
    group.hidden = !shown;
    group.disabled = !shown;
  }
}

if (select) {
  select.addEventListener("change", showDates);
  showDates();
}
