/* The loop desk: after htmx swaps a triage row, a suggestion or the feedback card in place,
   move keyboard focus to what happened (the new row's message), so a keyboard or
   screen-reader user is not left on a button that no longer exists. Every action works
   without this file. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail && event.detail.requestConfig;
    var form = config && config.elt;
    var selector = form && form.getAttribute && form.getAttribute("hx-target");
    if (!selector || selector.charAt(0) !== "#") return;
    var row = document.querySelector(selector);
    if (!row || !row.matches(".triage-item, .suggestion, .feedback-card")) return;
    var message = row.querySelector(".triage-done, .flash, .field-error");
    if (!message) return;
    message.setAttribute("tabindex", "-1");
    message.focus();
  });
})();
