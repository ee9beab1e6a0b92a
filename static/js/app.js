/* Shared behaviour of every page: dismissable messages, the print button, and a message when the server
   fails (htmx does not swap a 5xx answer). No framework; htmx comes from django-htmx. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-dismiss-message]");
    if (dismiss) {
      var message = dismiss.closest(".message");
      if (message) message.remove();
      return;
    }
    if (event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) copyField(copy);
  });

  // Copy a read-only field (the calendar link) and say so in the section's status line.
  function copyField(button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    var status = button.closest("section") && button.closest("section").querySelector("[role=status]");
    function done() {
      if (status) status.textContent = button.dataset.copiedText || "Copied";
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
    } else {
      field.select();  // no clipboard API (plain http): the link is selected for Ctrl+C
      if (document.execCommand && document.execCommand("copy")) done();
    }
  }

  function showError(text) {
    var region = document.getElementById("messages");
    if (!region) return;
    var box = document.createElement("div");
    box.className = "message message--error";
    box.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    region.replaceChildren(box);
  }

  // Filter forms leave out the filters that are not set, so the URL (a bookmark) says only what matters.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.verb !== "get" || !form.matches || !form.matches("form.filters")) return;
    var data = event.detail.formData;
    if (!data) return;
    Array.from(new Set(Array.from(data.keys()))).forEach(function (key) {
      if (data.getAll(key).every(function (value) { return value === ""; })) data.delete(key);
    });
  });

  // On a phone the filter bar starts folded (unless it shows an error), so the activities fill the first screen.
  if (window.matchMedia && window.matchMedia("(max-width: 40rem)").matches) {
    document.querySelectorAll("details.filters__fold").forEach(function (fold) {
      if (!fold.querySelector(".errorlist, .field__errors")) fold.removeAttribute("open");
    });
  }

  document.addEventListener("htmx:responseError", function () {
    showError(document.body.dataset.errorText || "Something went wrong. Reload the page and try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    showError(document.body.dataset.offlineText || "The server could not be reached. Check the connection and try again.");
  });
})();
