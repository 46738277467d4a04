// Meeting material viewer: page images, keys and swipe, thumbnails, zoom, jump, private notes,
// and (on the live page) following the presenter over a WebSocket. Plain JS, no build step.
(function () {
  "use strict";
  var root = document.getElementById("viewer");
  if (!root) return;
  var $ = function (id) { return document.getElementById(id); };
  var d = root.dataset;
  var materials = JSON.parse($("materials-data").textContent || "{}");
  var notes = JSON.parse($("notes-data").textContent || "{}");
  var cur = { material: d.material || null, version: d.version || null, pages: parseInt(d.pages || "0", 10), page: 1 };
  var live = d.live === "1", canPresent = d.canPresent === "1";
  var following = true, presenterState = null, zoom = 1, ws = null, retry = 0, lastSeq = -1;
  var csrf = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] ||
    (JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"]);

  function fmt(s, vals) { return s.replace(/\{(\w+)\}/g, function (_, k) { return vals[k]; }); }
  function imgUrl(v, p, size) { return d.urlImg.replace("999999", v).replace("888888", p).replace("SIZE", size); }

  function showPage(p, fromPresenter) {
    if (!cur.version || !cur.pages) { $("page-label").textContent = ""; return; }
    p = Math.max(1, Math.min(cur.pages, p));
    cur.page = p;
    var img = $("page-img");
    img.src = imgUrl(cur.version, p, "full");
    img.alt = fmt(d.labelPage, { page: p, pages: cur.pages });
    $("page-label").textContent = fmt(d.labelPage, { page: p, pages: cur.pages });
    $("jump-input").max = cur.pages;
    $("jump-input").value = p;
    var thumbs = $("thumbs").querySelectorAll("button");
    thumbs.forEach(function (b) { b.setAttribute("aria-current", b.dataset.page == p ? "true" : "false"); });
    var active = $("thumbs").querySelector('button[data-page="' + p + '"]');
    if (active && active.scrollIntoView) active.scrollIntoView({ block: "nearest" });
    showNote();
    if (cur.pages > p) { (new Image()).src = imgUrl(cur.version, p + 1, "full"); }
    if (!fromPresenter) userNavigated();
  }

  function buildThumbs() {
    var ol = $("thumbs");
    ol.innerHTML = "";
    for (var i = 1; i <= cur.pages; i++) {
      var li = document.createElement("li"), b = document.createElement("button"), im = document.createElement("img");
      b.type = "button"; b.dataset.page = i;
      im.loading = "lazy"; im.alt = ""; im.src = imgUrl(cur.version, i, "thumb");
      var s = document.createElement("span"); s.textContent = i;
      b.setAttribute("aria-label", fmt(d.labelPage, { page: i, pages: cur.pages }));
      b.appendChild(im); b.appendChild(s); li.appendChild(b); ol.appendChild(li);
      b.addEventListener("click", function () { showPage(parseInt(this.dataset.page, 10)); });
    }
  }

  function loadMaterial(materialId, versionId, pages, page, fromPresenter) {
    var changed = String(cur.version) !== String(versionId);
    cur.material = String(materialId); cur.version = versionId; cur.pages = pages;
    if (changed) {
      buildThumbs();
      var m = materials[cur.material];
      if (m) $("material-title").textContent = m.title;
      notes = {};
      fetch(d.urlNotes.replace("777777", cur.material), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : {}; }).then(function (j) { notes = j; showNote(); });
    }
    showPage(page || 1, fromPresenter);
  }

  function showNote() {
    var n = notes[String(cur.page)];
    $("note-text").value = n ? n.text : "";
    $("note-changed").hidden = !(n && n.changed);
    $("note-status").textContent = "";
  }

  $("note-save").addEventListener("click", function () {
    if (!cur.material) return;
    var body = new URLSearchParams({ text: $("note-text").value });
    fetch(d.urlNote.replace("777777", cur.material).replace("888888", cur.page), {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (r) { return r.json(); }).then(function (j) {
      if (j.saved) { notes[String(cur.page)] = { text: j.text, changed: false }; $("note-changed").hidden = true;
        $("note-status").textContent = d.labelSaved; }
      else { $("note-status").textContent = j.error || "!"; }
    });
  });

  function step(delta) { showPage(cur.page + delta); }
  $("prev-btn").addEventListener("click", function () { step(-1); });
  $("next-btn").addEventListener("click", function () { step(1); });
  $("jump-form").addEventListener("submit", function (e) { e.preventDefault(); showPage(parseInt($("jump-input").value, 10) || 1); });
  document.addEventListener("keydown", function (e) {
    var t = e.target.tagName;
    if (t === "TEXTAREA" || t === "INPUT" || t === "SELECT") return;
    if (e.key === "ArrowRight" || e.key === "PageDown") { step(1); e.preventDefault(); }
    else if (e.key === "ArrowLeft" || e.key === "PageUp") { step(-1); e.preventDefault(); }
    else if (e.key === "Home") { showPage(1); } else if (e.key === "End") { showPage(cur.pages); }
  });
  var touchX = null;
  $("page-wrap").addEventListener("touchstart", function (e) { if (e.touches.length === 1) touchX = e.touches[0].clientX; }, { passive: true });
  $("page-wrap").addEventListener("touchend", function (e) {
    if (touchX === null || zoom > 1) return;
    var dx = e.changedTouches[0].clientX - touchX; touchX = null;
    if (Math.abs(dx) > 50) step(dx < 0 ? 1 : -1);
  });
  function applyZoom() { $("page-img").style.width = (zoom * 100) + "%"; }
  $("zoom-in").addEventListener("click", function () { zoom = Math.min(4, zoom + 0.25); applyZoom(); });
  $("zoom-out").addEventListener("click", function () { zoom = Math.max(0.5, zoom - 0.25); applyZoom(); });
  $("zoom-fit").addEventListener("click", function () { zoom = 1; applyZoom(); });

  // ---------------------------------------------------------------- live mode
  function send(msg) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(msg)); }

  function userNavigated() {
    if (!live) return;
    if (canPresent && (iPresent || (presenterState && presenterState.presenting && presenterState.presenter_id === myId))) {
      send({ type: "goto", version: parseInt(cur.version, 10), page: cur.page });
      return;
    }
    if (following && presenterState && presenterState.presenting &&
        (String(presenterState.version) !== String(cur.version) || presenterState.page !== cur.page)) {
      following = false; send({ type: "follow", following: false }); renderLive();
    }
  }
  var myId = parseInt(d.userId || "0", 10);
  var iPresent = false;  // set at once when this user starts presenting, before the server's state returns

  function renderLive() {
    var s = presenterState;
    if (!s || !s.presenting) { $("live-status").textContent = d.labelNopresenter; }
    else {
      $("live-status").textContent = fmt(d.labelPresenter, { name: s.presenter, page: s.page }) +
        (following ? "" : " — " + d.labelBrowsing);
    }
    $("return-btn").hidden = following || !(s && s.presenting);
  }

  function onState(s) {
    if (s.seq < lastSeq) return;
    lastSeq = s.seq; presenterState = s;
    iPresent = !!(s.presenting && s.presenter_id === myId);
    if (s.presenting && following) {
      if (!materials[String(s.material)]) materials[String(s.material)] = { title: "", version: s.version, pages: s.pages };
      loadMaterial(s.material, s.version, s.pages, s.page, true);
    }
    root.dataset.livePage = s.page; root.dataset.liveSeq = s.seq;
    renderLive();
  }

  function onPresence(p) {
    var c = $("presence-count"); if (c) c.textContent = p.count;
    var ul = $("presence-list"); if (!ul || !p.people) return;
    ul.innerHTML = "";
    p.people.forEach(function (x) {
      var li = document.createElement("li");
      li.textContent = x.name + " — " + (x.following ? d.labelFollowing : d.labelNotfollowing);
      ul.appendChild(li);
    });
  }

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + d.ws;
    ws = new WebSocket(url);
    ws.onopen = function () { retry = 0; $("conn-status").textContent = d.labelConnected; root.dataset.connected = "1";
      if (!following) send({ type: "follow", following: false }); };
    ws.onmessage = function (ev) {
      var m = JSON.parse(ev.data);
      if (m.type === "state") onState(m);
      else if (m.type === "presence") onPresence(m);
      else if (m.type === "error") { $("live-status").textContent = m.message; }
    };
    ws.onclose = function (ev) {
      root.dataset.connected = "";
      if (ev.code >= 4400 && ev.code < 4500) { $("conn-status").textContent = ""; return; }
      $("conn-status").textContent = d.labelDisconnected;
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * retry);
    };
  }

  if (live) {
    $("return-btn").addEventListener("click", function () {
      following = true; send({ type: "follow", following: true });
      if (presenterState) { lastSeq = -1; onState(presenterState); }
    });
    if (canPresent) {
      $("present-btn").addEventListener("click", function () {
        var m = materials[$("present-material").value];
        if (!m) return;
        following = true; iPresent = true;
        send({ type: "goto", version: m.version, page: 1 });
      });
      $("stop-btn").addEventListener("click", function () { iPresent = false; send({ type: "stop" }); });
    }
    setInterval(function () { send({ type: "ping" }); }, 25000);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && (!ws || ws.readyState > 1)) connect();
    });
    connect();
    var first = Object.keys(materials)[0];
    if (first) loadMaterial(first, materials[first].version, materials[first].pages, 1, true);
  } else {
    buildThumbs();
    showPage(parseInt(new URLSearchParams(location.search).get("page") || "1", 10), true);
  }
})();
