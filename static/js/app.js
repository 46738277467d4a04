// Live unread-notification count over a WebSocket, with reconnection after sleep or network loss.
(function () {
  "use strict";
  function wsUrl(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }
  window.workstyleSocket = function (path, onMessage, onOpen) {
    var delay = 500, socket = null, closedByServer = false;
    function connect() {
      socket = new WebSocket(wsUrl(path));
      socket.onopen = function () { delay = 500; if (onOpen) onOpen(socket); };
      socket.onmessage = function (ev) { try { onMessage(JSON.parse(ev.data), socket); } catch (e) { console.error(e); } };
      socket.onclose = function (ev) {
        if (ev.code === 4001 || ev.code === 4003) { closedByServer = true; return; }
        setTimeout(connect, delay); delay = Math.min(delay * 2, 10000);
      };
    }
    connect();
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && !closedByServer && socket && socket.readyState > 1) { connect(); }
    });
    return { send: function (obj) { if (socket && socket.readyState === 1) socket.send(JSON.stringify(obj)); } };
  };
  document.addEventListener("DOMContentLoaded", function () {
    var link = document.querySelector("[data-ws-notifications]");
    var badge = document.getElementById("unread-count");
    if (!link || !badge || !window.WebSocket) return;
    window.workstyleSocket(link.getAttribute("data-ws-notifications"), function (msg) {
      if (msg.type === "count") {
        badge.textContent = msg.unread > 0 ? String(msg.unread) : "";
        badge.setAttribute("aria-label", msg.unread > 0 ? msg.unread + " " + badge.getAttribute("data-unread-label") : "");
      }
    });
  });
})();
