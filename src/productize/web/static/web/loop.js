/* productize loop pages: keep keyboard focus on the roadmap card that just moved.
   The board works without this file (each move is a plain form post). */
(function () {
  "use strict";

  var lastMove = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target;
    var button = form && form.querySelector ? form.querySelector("button[data-move]") : null;
    lastMove = button ? { key: button.getAttribute("data-move"), card: form.closest(".board-card") } : null;
    if (lastMove && lastMove.card) lastMove.card = lastMove.card.id;
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!lastMove || !document.getElementById("board")) return;
    var again = document.querySelector("button[data-move='" + lastMove.key + "']");
    var card = lastMove.card ? document.getElementById(lastMove.card) : null;
    if (again && !again.disabled) {
      again.focus();
    } else if (card) {
      var first = card.querySelector(".card-moves button:not([disabled])") || card.querySelector("a");
      if (first) first.focus();
    }
    lastMove = null;
  });
})();
