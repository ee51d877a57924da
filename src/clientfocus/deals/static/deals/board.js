// The pipeline board: drag a card onto a later column (or «Проиграна») to advance the deal.
// HTML5 drag and drop; the move is an HTMX POST that returns the refreshed board. The buttons
// on each card do the same without JavaScript. The server decides: forward only, LOST from any.
(function () {
  "use strict";
  let dragged = null;

  function allowed(col) {
    if (!dragged || !col.dataset.drop) return false;
    if (col.dataset.stage === "LOST") return true;
    return Number(col.dataset.index) > Number(dragged.dataset.index);
  }

  document.addEventListener("dragstart", function (e) {
    const card = e.target.closest && e.target.closest(".cf-deal[draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("cf-dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.deal);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("cf-dragging");
    dragged = null;
    document.querySelectorAll(".cf-drop-ok").forEach(function (c) { c.classList.remove("cf-drop-ok"); });
  });
  document.addEventListener("dragover", function (e) {
    const col = e.target.closest && e.target.closest(".cf-col");
    if (col && allowed(col)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      col.classList.add("cf-drop-ok");
    }
  });
  document.addEventListener("dragleave", function (e) {
    const col = e.target.closest && e.target.closest(".cf-col");
    if (col && !col.contains(e.relatedTarget)) col.classList.remove("cf-drop-ok");
  });
  document.addEventListener("drop", function (e) {
    const col = e.target.closest && e.target.closest(".cf-col");
    if (!col || !allowed(col)) return;
    e.preventDefault();
    const board = document.getElementById("board");
    const token = board.querySelector("[name=csrfmiddlewaretoken]").value;
    htmx.ajax("POST", dragged.dataset.url, {
      target: "#board",
      swap: "outerHTML",
      values: { stage: col.dataset.stage, seller: board.dataset.seller || "" },
      headers: { "X-CSRFToken": token },
    });
  });
})();
