// The ideal-profile scoring grid (seed 000, step 6): keyboard entry of −5…+5 scores.
// Arrows and Tab move between cells, Enter moves down; 0–5 type a score (after "-" a negative
// one) and move right; Delete or Backspace clears. Each score is saved at once through htmx,
// which swaps in the company's refreshed fit cell.
(function () {
  "use strict";
  const table = document.querySelector("[data-testid=score-grid]");
  if (!table) return;
  const editable = table.dataset.editable === "1";
  const url = table.dataset.scoreUrl;
  const rows = Array.from(table.querySelectorAll("tbody tr[data-company]"));
  const grid = rows.map((tr) => Array.from(tr.querySelectorAll("td.cf-score")));
  if (!grid.length || !grid[0].length) return;
  let at = [0, 0];
  let minus = false;
  let queue = Promise.resolve();

  function cell(r, c) { return grid[r] && grid[r][c]; }

  function focus(r, c) {
    const target = cell(r, c);
    if (!target) return false;
    const current = cell(at[0], at[1]);
    if (current) {
      current.tabIndex = -1;
      if (minus) show(current, current.dataset.score === "" ? null : Number(current.dataset.score));
    }
    minus = false;
    at = [r, c];
    target.tabIndex = 0;
    target.focus();
    return true;
  }

  function move(dr, dc, wrap) {
    let [r, c] = at;
    const width = grid[0].length;
    c += dc; r += dr;
    if (wrap && c >= width) { c = 0; r += 1; }
    if (wrap && c < 0) { c = width - 1; r -= 1; }
    if (r < 0 || r >= grid.length || c < 0 || c >= width) return false;
    return focus(r, c);
  }

  function show(td, score) {
    td.dataset.score = score === null ? "" : String(score);
    td.textContent = score === null ? "" : (score > 0 ? "+" + score : String(score));
    td.classList.toggle("cf-mismatch", score !== null && score <= 0);
  }

  function save(td, score) {
    const company = td.parentElement.dataset.company;
    td.dataset.state = "saving";
    show(td, score);
    const values = { company: company, trait: td.dataset.trait, score: score === null ? "" : String(score) };
    // One request at a time: a row's fit cell is swapped by each answer, so the next request
    // must look its target up after the previous swap (and the last score typed wins).
    queue = queue.then(() => htmx.ajax("POST", url, {
      source: td, target: "#fit-" + company, swap: "outerHTML", values: values,
    })).catch(() => { td.dataset.state = "error"; });
  }

  document.body.addEventListener("htmx:afterRequest", (event) => {
    const td = event.detail.elt;
    if (!td || !td.classList || !td.classList.contains("cf-score")) return;
    td.dataset.state = event.detail.successful ? "saved" : "error";
    td.title = event.detail.successful ? "" : event.detail.xhr.responseText;
  });

  grid.forEach((cells, r) => cells.forEach((td, c) => td.addEventListener("click", () => focus(r, c))));
  grid[0][0].tabIndex = 0;

  table.addEventListener("keydown", (event) => {
    const td = event.target;
    if (!td.classList || !td.classList.contains("cf-score")) return;
    const key = event.key;
    let handled = true;
    if (key === "ArrowRight") move(0, 1, false);
    else if (key === "ArrowLeft") move(0, -1, false);
    else if (key === "ArrowDown" || key === "Enter") move(1, 0, false);
    else if (key === "ArrowUp") move(-1, 0, false);
    else if (key === "Tab") handled = move(0, event.shiftKey ? -1 : 1, true);  // leaves the grid at its ends
    else if (!editable) handled = false;
    else if (key === "-" || key === "−") { minus = !minus; td.textContent = minus ? "−" : ""; }
    else if (key >= "0" && key <= "5" && key.length === 1) {
      const score = minus ? -Number(key) : Number(key);
      minus = false;
      save(td, score);
      move(0, 1, true);
    } else if (key === "Delete" || key === "Backspace") save(td, null);
    else if (key >= "6" && key <= "9" && key.length === 1) td.dataset.state = "invalid";
    else handled = false;
    if (handled) event.preventDefault();
  });
})();
