// The timeline's dependency arrows (issue 17): drawn from the predecessor's bar end to the successor's bar
// start, over the rows, from the list the server renders as JSON (#timeline-arrows). Redrawn when the
// results are swapped (filters) and when the window is resized. Only our own static script: no inline code.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function draw() {
    var data = document.getElementById("timeline-arrows");
    var body = document.querySelector(".timeline__body");
    if (!data || !body) return;
    var old = body.querySelector("svg.timeline__arrows");
    if (old) old.remove();
    var arrows = JSON.parse(data.textContent || "[]");
    if (!arrows.length) return;
    var box = body.getBoundingClientRect();
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "timeline__arrows");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("width", String(box.width));
    svg.setAttribute("height", String(box.height));
    var defs = document.createElementNS(SVG, "defs");
    ["normal", "critical"].forEach(function (kind) {
      var marker = document.createElementNS(SVG, "marker");
      marker.setAttribute("id", "arrowhead-" + kind);
      marker.setAttribute("viewBox", "0 0 10 10");
      marker.setAttribute("refX", "9");
      marker.setAttribute("refY", "5");
      marker.setAttribute("markerWidth", "7");
      marker.setAttribute("markerHeight", "7");
      marker.setAttribute("orient", "auto-start-reverse");
      var tip = document.createElementNS(SVG, "path");
      tip.setAttribute("d", "M 0 0 L 10 5 L 0 10 z");
      tip.setAttribute("class", "timeline__arrowhead timeline__arrowhead--" + kind);
      marker.appendChild(tip);
      defs.appendChild(marker);
    });
    svg.appendChild(defs);
    arrows.forEach(function (arrow) {
      var from = document.getElementById("tl-bar-" + arrow[0]);
      var to = document.getElementById("tl-bar-" + arrow[1]);
      if (!from || !to) return;
      var a = from.getBoundingClientRect();
      var b = to.getBoundingClientRect();
      var x1 = (arrow[2] === "ff" ? a.right : a.right) - box.left;
      var y1 = a.top + a.height / 2 - box.top;
      var x2 = (arrow[2] === "ff" ? b.right : b.left) - box.left;
      var y2 = b.top + b.height / 2 - box.top;
      var bend = Math.max(12, Math.min(40, Math.abs(x2 - x1) / 2));
      var path = document.createElementNS(SVG, "path");
      path.setAttribute("d", "M " + x1 + " " + y1 + " C " + (x1 + bend) + " " + y1 + ", " +
        (x2 - bend) + " " + y2 + ", " + x2 + " " + y2);
      var critical = arrow[3] === true;
      path.setAttribute("class", "timeline__arrow timeline__arrow--" + arrow[2] + (critical ? " is-critical" : ""));
      path.setAttribute("marker-end", "url(#arrowhead-" + (critical ? "critical" : "normal") + ")");
      path.setAttribute("data-link", arrow[0] + "-" + arrow[1]);
      svg.appendChild(path);
    });
    body.appendChild(svg);
  }

  var pending = null;
  function later() {
    if (pending) window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(draw);
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", later);
  window.addEventListener("resize", later);
})();
