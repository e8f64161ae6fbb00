// The token page: a Copy button for the token shown once (the field stays selectable without it).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-from"));
    var status = document.querySelector("[data-copy-status]");
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    field.addEventListener("focus", function () { field.select(); });
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = "Copied";
        if (status) status.textContent = "The token is copied to the clipboard.";
      }, function () {
        field.focus();
        field.select();
        if (status) status.textContent = "Copying failed: the token is selected, press Ctrl+C.";
      });
    });
  });
})();
