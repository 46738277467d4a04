// Floor map: a desk opens a small panel (book in two clicks); live updates over the floor's WebSocket.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var floor = document.getElementById("floor");
    if (!floor) return;
    var labels = JSON.parse(document.getElementById("desk-state-labels").textContent);
    var panel = document.getElementById("desk-panel");
    var title = document.getElementById("desk-panel-title");
    var info = document.getElementById("desk-panel-info");
    var bookForm = document.getElementById("desk-book-form");
    var cancelForm = document.getElementById("desk-cancel-form");
    var live = document.getElementById("live-status");
    var lastFocus = null;

    function openPanel(g) {
      lastFocus = g;
      var state = g.getAttribute("data-state");
      title.textContent = g.getAttribute("data-code");
      var parts = [g.getAttribute("data-zone"), labels[state].label];
      if (g.getAttribute("data-amenities")) parts.push(g.getAttribute("data-amenities"));
      info.textContent = parts.join(" · ");
      bookForm.querySelector("[name=desk]").value = g.getAttribute("data-desk");
      bookForm.hidden = state !== "free";
      var booking = g.getAttribute("data-booking");
      cancelForm.hidden = !(state === "mine" && booking);
      if (booking) cancelForm.action = "/desks/bookings/" + booking + "/cancel/";
      panel.hidden = false;
      (bookForm.hidden ? document.getElementById("desk-panel-close") : document.getElementById("desk-book-button")).focus();
    }
    function closePanel() { panel.hidden = true; if (lastFocus) lastFocus.focus(); }
    document.getElementById("desk-panel-close").addEventListener("click", closePanel);
    panel.addEventListener("keydown", function (ev) { if (ev.key === "Escape") closePanel(); });
    floor.addEventListener("click", function (ev) {
      var g = ev.target.closest("g.desk");
      if (g) openPanel(g);
    });
    floor.addEventListener("keydown", function (ev) {
      var g = ev.target.closest("g.desk");
      if (g && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); openPanel(g); }
    });

    function apply(states) {
      Object.keys(states).forEach(function (id) {
        var s = states[id].state, label = labels[s];
        var g = floor.querySelector('g.desk[data-desk="' + id + '"]');
        if (g && g.getAttribute("data-state") !== s) {
          g.setAttribute("class", g.getAttribute("class").replace(/state-\w+/, "state-" + s));
          g.setAttribute("data-state", s);
          g.setAttribute("data-booking", states[id].booking || "");
          g.setAttribute("aria-label", g.getAttribute("data-code") + ": " + label.label);
          g.querySelector("text.glyph").textContent = label.glyph;
        }
        var row = document.querySelector('tr[data-desk="' + id + '"]');
        if (row && !row.classList.contains("state-" + s)) {
          row.className = "state-" + s;
          row.querySelector(".state-text").textContent = label.glyph + " " + label.label;
          var form = row.querySelector("form.book-row");
          if (form) form.hidden = s !== "free";
        }
      });
    }
    var timer = null;
    function refresh() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(floor.getAttribute("data-states"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) { if (data) { apply(data.desks); floor.setAttribute("data-updated", String(Date.now())); } });
      }, 80);
    }
    if (window.WebSocket && window.workstyleSocket) {
      window.workstyleSocket(floor.getAttribute("data-ws"), function (msg) {
        if (msg.type === "changed") refresh();
      }, function () {
        if (floor.getAttribute("data-live") === "1") refresh();  // catch up after a reconnect
        floor.setAttribute("data-live", "1");
      });
    }
  });
})();
