/* productize: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");

  var narrow = window.matchMedia("(max-width: 960px)");

  /* "/" jumps to the search box, unless the user is typing text somewhere. */
  function typingIn(target) {
    if (!target) return false;
    if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
    return target.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(target.type);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typingIn(event.target)) return;
    var box = document.getElementById("q") || document.querySelector("[data-shortcut='/']");
    if (box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });

  /* The account menu (a <details>) closes on Escape and on a click anywhere else, as menus do. */
  function closeAccountMenu(returnFocus) {
    var menu = document.querySelector(".account-menu[open]");
    if (!menu) return;
    menu.open = false;
    if (returnFocus) menu.querySelector("summary").focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeAccountMenu(true);
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest(".account-menu")) closeAccountMenu(false);
  });

  /* On a phone the filters start folded, so the results come first. */
  function foldFilters(open) {
    var filters = document.getElementById("filters");
    if (filters && narrow.matches) filters.open = open;
  }

  var filtersOpen = false;

  document.addEventListener("DOMContentLoaded", function () {
    foldFilters(false);
    /* Typing already refreshes the results; the "change" the search box fires when it loses
       focus must not refresh them again, or a click on a result (which blurs the box) races
       a swap that replaces the link under the pointer and the click is lost. */
    var box = document.getElementById("q");
    if (box && box.form && box.form.id === "catalog-form") {
      box.addEventListener("change", function (event) {
        event.stopPropagation();
      });
    }
  });

  /* htmx swaps the catalog body: keep the filters folded or open as they were, and keep the
     page title in step with the search. */
  document.addEventListener("htmx:beforeSwap", function () {
    var filters = document.getElementById("filters");
    filtersOpen = Boolean(filters && filters.open);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.target || event.target.id !== "catalog-body") return;
    foldFilters(filtersOpen);
    var box = document.getElementById("q");
    var query = box ? box.value.trim() : "";
    document.title = (query ? "\u201c" + query + "\u201d \u2014 " : "") + "Catalog \u00b7 productize";
  });
})();
