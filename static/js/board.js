/* The board's card moves: HTML5 drag and drop, and a keyboard-reachable "Move" menu that offers only the
   statuses the workflow allows from the card's status. Either way the move is posted (with the card's
   version and the board's filters) and the server answers with the card's lane drawn again: the card ends
   up where the database says it is, with the workflow's or the conflict's message when a move is refused. */
(function () {
  "use strict";

  var labelsNode = document.getElementById("status-labels");
  var labels = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  var dragging = null;
  var focusAfterSwap = null;
  var openMenu = null;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (e) {
      return "";
    }
  }

  function boardFilters() {
    var board = document.getElementById("board");
    return board ? board.dataset.filters || "" : "";
  }

  function columnFor(card, status) {
    return document.querySelector('.column[data-lane="' + card.dataset.lane + '"][data-status="' + status + '"]');
  }

  /* Post the move; the answer replaces the card's lane (see views/board.py activity_move). */
  function moveCard(card, status, refocus) {
    if (!status || status === card.dataset.status) return;
    var lane = document.getElementById("lane-" + card.dataset.lane);
    if (!lane || !window.htmx) return;
    card.classList.add("is-pending");
    card.setAttribute("aria-busy", "true");
    focusAfterSwap = refocus ? card.dataset.id : null;
    window.htmx.ajax("POST", card.dataset.moveUrl, {
      source: card,
      target: lane,
      swap: "outerHTML",
      values: { status: status, expected_version: card.dataset.version, filters: boardFilters() },
      headers: { "X-CSRFToken": csrfToken() },
    });
  }

  document.addEventListener("htmx:afterSettle", function () {
    if (!focusAfterSwap) return;
    var card = document.getElementById("card-" + focusAfterSwap);
    focusAfterSwap = null;
    if (!card) return;
    var target = card.querySelector(".card__move") || card.querySelector("a");
    if (target) target.focus();
  });

  /* --- Drag and drop ------------------------------------------------------------------------------- */

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest('.card[draggable="true"]');
    if (!card) return;
    dragging = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.id);
  });

  document.addEventListener("dragend", function () {
    if (dragging) dragging.classList.remove("is-dragging");
    dragging = null;
    document.querySelectorAll(".column.is-drop-target").forEach(function (c) { c.classList.remove("is-drop-target"); });
  });

  function dropColumn(event) {
    var column = event.target.closest && event.target.closest(".column");
    if (!column || !dragging || column.dataset.lane !== dragging.dataset.lane) return null;
    return column;  // cards move between statuses within their own priority's lane
  }

  document.addEventListener("dragover", function (event) {
    var column = dropColumn(event);
    if (!column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("is-drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest(".column");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("is-drop-target");
  });

  document.addEventListener("drop", function (event) {
    var column = dropColumn(event);
    if (!column) return;
    event.preventDefault();
    column.classList.remove("is-drop-target");
    var card = dragging;
    var status = column.dataset.status;
    if (status === card.dataset.status) return;
    // Show the move at once; the server's answer redraws the lane, putting the card back if it refused.
    var item = card.closest("li");
    var list = column.querySelector(".cards");
    if (item && list) list.insertBefore(item, list.firstChild);
    moveCard(card, status, false);
  });

  /* --- The keyboard-reachable move menu (WAI-ARIA menu button) ----------------------------------- */

  function closeMenu(returnFocus) {
    if (!openMenu) return;
    var button = openMenu.button;
    openMenu.node.remove();
    button.setAttribute("aria-expanded", "false");
    openMenu = null;
    if (returnFocus && document.body.contains(button)) button.focus();
  }

  function menuItems() {
    return openMenu ? Array.prototype.slice.call(openMenu.node.querySelectorAll('[role="menuitem"]')) : [];
  }

  function showMenu(button) {
    var card = button.closest(".card");
    var targets = (card.dataset.targets || "").split(" ").filter(Boolean);
    closeMenu(false);
    var menu = document.createElement("div");
    menu.className = "move-menu";
    menu.setAttribute("role", "menu");
    menu.id = "move-menu";
    var title = card.querySelector(".card__title");
    var heading = button.dataset.menuLabel || (document.getElementById("board").dataset.menuLabel || "Move to");
    menu.setAttribute("aria-label", heading + ": " + (title ? title.textContent.trim() : ""));
    var caption = document.createElement("p");
    caption.className = "move-menu__heading";
    caption.setAttribute("aria-hidden", "true");
    caption.textContent = heading;
    menu.appendChild(caption);
    targets.forEach(function (status) {
      var item = document.createElement("button");
      item.type = "button";
      item.setAttribute("role", "menuitem");
      item.setAttribute("tabindex", "-1");
      item.dataset.status = status;
      item.textContent = labels[status] || status;
      menu.appendChild(item);
    });
    document.body.appendChild(menu);
    var box = button.getBoundingClientRect();
    menu.style.top = window.scrollY + box.bottom + 4 + "px";
    menu.style.left = Math.max(8, Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - menu.offsetWidth - 8)) + "px";
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-controls", "move-menu");
    openMenu = { node: menu, button: button, card: card };
    var first = menuItems()[0];
    if (first) first.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".card__move");
    if (button) {
      if (openMenu && openMenu.button === button) closeMenu(true);
      else showMenu(button);
      return;
    }
    var item = event.target.closest('.move-menu [role="menuitem"]');
    if (item && openMenu) {
      var card = openMenu.card;
      closeMenu(false);
      moveCard(card, item.dataset.status, true);
      return;
    }
    if (openMenu && !event.target.closest(".move-menu")) closeMenu(false);
  });

  document.addEventListener("keydown", function (event) {
    var button = event.target.closest && event.target.closest(".card__move");
    if (button && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      showMenu(button);
      if (event.key === "ArrowUp") { var all = menuItems(); if (all.length) all[all.length - 1].focus(); }
      return;
    }
    if (!openMenu || !openMenu.node.contains(document.activeElement)) return;
    var items = menuItems();
    var index = items.indexOf(document.activeElement);
    if (event.key === "ArrowDown") { event.preventDefault(); items[(index + 1) % items.length].focus(); }
    else if (event.key === "ArrowUp") { event.preventDefault(); items[(index - 1 + items.length) % items.length].focus(); }
    else if (event.key === "Home") { event.preventDefault(); items[0].focus(); }
    else if (event.key === "End") { event.preventDefault(); items[items.length - 1].focus(); }
    else if (event.key === "Escape") { event.preventDefault(); closeMenu(true); }
    else if (event.key === "Tab") { closeMenu(false); }
  });

  // A lane redrawn by a filter change or a move takes any open menu's card away: close it. Other swaps (the
  // header's unread count, polled every few seconds) leave the card, and the menu, where they are.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (openMenu && (!target || target.contains(openMenu.card))) closeMenu(false);
  });
})();
