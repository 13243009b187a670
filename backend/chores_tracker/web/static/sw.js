// The service worker of the installed web app: it shows the Web Push messages the worker sends
// (notifications/webpush.py; the payload is {title, body, tag, url}) and opens the app on a tap.
// Served at /sw.js so that its scope is the whole app.
"use strict";

self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Chores Tracker", {
      body: data.body || "",
      tag: data.tag,
      icon: "/static/icons/icon-192.png",
      badge: "/static/icons/icon-192.png",
      data: { url: data.url || "/notifications" },
    })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/notifications";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (open) {
      for (var i = 0; i < open.length; i++) {
        if ("focus" in open[i] && "navigate" in open[i]) {
          return open[i].navigate(url).then(function (client) { return client && client.focus(); });
        }
      }
      return self.clients.openWindow(url);
    })
  );
});
