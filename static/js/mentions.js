// @mention autocompletion for the comment box (issue 13): after "@" and a few letters, the people who may
// see the activity are offered; choosing one writes "@username ". Without JavaScript, typing the name works.
(function () {
  "use strict";
  function setup(field) {
    var box = field.querySelector("textarea");
    var list = field.querySelector(".mention-list");
    var url = field.getAttribute("data-mention-url");
    if (!box || !list || !url) return;
    var timer = null;

    function word() {
      var before = box.value.slice(0, box.selectionStart);
      var match = /(^|[\s(])@([\w.+-]*)$/.exec(before);
      return match ? match[2] : null;
    }
    function close() { list.hidden = true; list.textContent = ""; }
    function choose(name) {
      var start = box.selectionStart;
      var before = box.value.slice(0, start).replace(/@[\w.+-]*$/, "@" + name + " ");
      box.value = before + box.value.slice(start);
      box.setSelectionRange(before.length, before.length);
      close();
      box.focus();
    }
    function show(people) {
      list.textContent = "";
      people.forEach(function (person) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "mention-list__option";
        button.setAttribute("role", "option");
        button.setAttribute("data-username", person.username);
        button.textContent = "@" + person.username + (person.name ? " (" + person.name + ")" : "");
        button.addEventListener("click", function () { choose(person.username); });
        item.appendChild(button);
        list.appendChild(item);
      });
      list.hidden = people.length === 0;
    }
    box.addEventListener("input", function () {
      var typed = word();
      if (typed === null) { close(); return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(typed), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { people: [] }; })
          .then(function (data) { show(data.people || []); })
          .catch(close);
      }, 150);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
    });
  }
  document.querySelectorAll(".mention-field").forEach(setup);
})();
