// Small enhancements only: every page works without this file.
(function () {
  "use strict";

  // The browser's zone: a new family's zone, and the zone of pages before there is a family.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("ct_tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "ct_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* an old browser: UTC it is */ }

  document.addEventListener("DOMContentLoaded", function () {
    // Copy buttons appear only where copying can work.
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) return;
      button.hidden = false;
      var label = button.querySelector("span");
      var idle = label ? label.textContent : "";
      // The page's words (data-copied), in its language.
      var done = button.getAttribute("data-copied") || "Copied";
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          if (label) label.textContent = done;
          setTimeout(function () { if (label) label.textContent = idle; }, 2000);
        });
      });
    });
  });

  // The bell's unread count, asked again every few seconds while the page is visible; on the
  // notification centre a new count brings the list up to date too. No reload, no server push.
  document.addEventListener("DOMContentLoaded", function () {
    var bell = document.querySelector("[data-unread-url]");
    if (!bell || !window.fetch) return;
    var badge = bell.querySelector("[data-unread-count]");
    var list = document.querySelector("[data-notification-list]");
    var seconds = Math.max(parseFloat(bell.getAttribute("data-poll-seconds")) || 15, 0.2);
    var shown = badge ? parseInt(badge.textContent, 10) || 0 : 0;
    function show(count) {
      if (!badge) return;
      badge.firstChild.nodeValue = String(count);
      badge.hidden = count === 0;
    }
    function refreshList() {
      return fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-notification-list]");
          if (fresh) list.innerHTML = fresh.innerHTML;
        });
    }
    function ask() {
      if (document.hidden) return schedule();
      fetch(bell.getAttribute("data-unread-url"), { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (!body || typeof body.unread_count !== "number") return;
          var changed = body.unread_count !== shown;
          shown = body.unread_count;
          show(shown);
          if (changed && list) return refreshList();
        })
        .catch(function () { /* offline for a moment: ask again later */ })
        .then(schedule);
    }
    function schedule() { window.setTimeout(ask, seconds * 1000); }
    schedule();
  });

  // Web Push: "Turn on notifications here" subscribes this browser with the server's key and posts
  // the subscription through the page's own form (its CSRF token, its redirect and message).
  document.addEventListener("DOMContentLoaded", function () {
    var card = document.querySelector("[data-push-key]");
    if (!card || !("serviceWorker" in navigator) || !("PushManager" in window) || !window.Notification) return;
    var form = card.querySelector("form");
    var status = card.querySelector("[data-push-status]");
    card.hidden = false;
    function key(text) {
      var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
      var raw = window.atob(padded);
      var bytes = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      return bytes;
    }
    form.addEventListener("submit", function (event) {
      if (form.elements.endpoint.value) return; // filled in below: let it go
      event.preventDefault();
      status.textContent = card.getAttribute("data-asking") || "Asking this browser…";
      Notification.requestPermission()
        .then(function (answer) {
          if (answer !== "granted") throw new Error(card.getAttribute("data-blocked") || "Notifications are blocked for this site in the browser's settings.");
          return navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; });
        })
        .then(function (registration) {
          return registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: key(card.getAttribute("data-push-key")),
          });
        })
        .then(function (subscription) {
          var made = subscription.toJSON();
          form.elements.endpoint.value = made.endpoint;
          form.elements.p256dh.value = made.keys.p256dh;
          form.elements.auth.value = made.keys.auth;
          form.elements.name.value = /Mobi|Android|iPhone|iPad/.test(navigator.userAgent) ? "Phone" : "Browser";
          form.submit();
        })
        .catch(function (error) {
          status.textContent = (card.getAttribute("data-failed") || "Could not turn them on:") + " " + (error && error.message ? error.message : error);
        });
    });
  });

  // A last question before deleting something.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
