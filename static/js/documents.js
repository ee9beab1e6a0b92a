// Drag and drop onto the documents' upload form: the dropped file goes into the form's own file input, so
// the upload is the same plain form post as without JavaScript (the server checks size and kind).
(function () {
  "use strict";
  document.querySelectorAll("[data-dropzone]").forEach(function (form) {
    var zone = form.querySelector("[data-drop-target]");
    var input = zone && zone.querySelector('input[type="file"]');
    if (!input) { return; }
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("is-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("is-dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      input.files = event.dataTransfer.files;
      var title = form.querySelector('input[name="title"]');
      if (title && !title.value) { title.value = input.files[0].name.replace(/\.[^.]+$/, ""); }
    });
  });
})();
