/* crisiscomm service worker: push notifications with an acknowledge button, and offline copies of the
   signed-in person's playbooks, spokesperson card and open incidents (kept per person, cleared at sign-out). */
"use strict";
var PREFIX = "crisiscomm-user-";
var STATIC = "crisiscomm-static-v1";

var ASSETS = ["/static/js/app.js", "/static/css/app.css", "/static/favicon.svg", "/static/icons/icon-192.png"];

self.addEventListener("install", function (event) {
  // The page's script and styles must be there offline too (they fill in the offline banner).
  event.waitUntil(caches.open(STATIC).then(function (c) { return c.addAll(ASSETS); }).catch(function () {})
    .then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

// --- push --------------------------------------------------------------------------------------------
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: "crisiscomm", body: event.data ? event.data.text() : "" }; }
  var actions = [];
  if (data.action_url) actions.push({ action: "ack", title: data.ack_label || "OK" });
  if (data.url) actions.push({ action: "open", title: data.open_label || "Open" });
  event.waitUntil(self.registration.showNotification(data.title || "crisiscomm", {
    body: data.body || "", tag: data.tag || ("n" + (data.id || "")), renotify: true,
    requireInteraction: !!data.require_interaction, icon: "/static/icons/icon-192.png",
    badge: "/static/icons/icon-192.png", vibrate: [300, 100, 300, 100, 300],
    data: { url: data.url || "/", action_url: data.action_url || null }, actions: actions
  }));
});

function openUrl(url) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
    for (var i = 0; i < list.length; i++) {
      if ("focus" in list[i]) { list[i].navigate(url); return list[i].focus(); }
    }
    return self.clients.openWindow(url);
  });
}

self.addEventListener("notificationclick", function (event) {
  var data = event.notification.data || {};
  event.notification.close();
  if (event.action === "ack" && data.action_url) {
    // Acknowledge without opening the app: the link is signed and works once, for this person only.
    event.waitUntil(fetch(data.action_url, { method: "POST", credentials: "omit",
      headers: { "X-Crisiscomm-Action": "1", "Accept": "application/json" } })
      .then(function (r) {
        if (r.ok || r.status === 409) {
          return r.json().catch(function () { return {}; }).then(function (body) {
            return self.registration.showNotification(body.title || "crisiscomm", { body: body.message || "✓", tag: "ack-done" });
          });
        }
        return openUrl(data.url || "/");
      }).catch(function () { return openUrl(data.url || "/"); }));
    return;
  }
  if (!event.action && data.action_url && !data.url) {
    // A channel's test notification: tapping it confirms the channel.
    event.waitUntil(fetch(data.action_url, { method: "POST", credentials: "omit", headers: { "X-Crisiscomm-Action": "1" } })
      .then(function () { return openUrl("/account#channels"); }));
    return;
  }
  event.waitUntil(openUrl(data.url || "/"));
});

// --- offline copies -------------------------------------------------------------------------------------
function userCache(id) { return PREFIX + id; }

function dropCaches(keep) {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf(PREFIX) === 0 && n !== keep; })
      .map(function (n) { return caches.delete(n); }));
  });
}

function stamp(response) {
  // Remember when the copy was made: the page says how old it is when it is shown offline.
  return response.text().then(function (html) {
    return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8",
      "X-Saved-At": new Date().toISOString() } });
  });
}

function refresh(id, urls) {
  var name = userCache(id);
  return dropCaches(name).then(function () { return caches.open(name); }).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      // Marked so the server never writes the session cookie from it (see security.SessionInterface).
      return fetch(url, { credentials: "same-origin", redirect: "manual",
                          headers: { "X-Crisiscomm-Offline": "1" } }).then(function (r) {
        if (r.ok && r.type === "basic") return stamp(r).then(function (copy) { return cache.put(url, copy); });
      }).catch(function () { /* offline now: keep the older copy */ });
    }));
  });
}

self.addEventListener("message", function (event) {
  var msg = event.data || {};
  if (msg.type === "signed-out") event.waitUntil(dropCaches(null));
  if (msg.type === "refresh" && msg.user && Array.isArray(msg.urls)) event.waitUntil(refresh(msg.user, msg.urls));
});

function offlineCopy(request) {
  return caches.keys().then(function (names) {
    var mine = names.filter(function (n) { return n.indexOf(PREFIX) === 0; });
    if (!mine.length) return null;
    return caches.open(mine[0]).then(function (cache) { return cache.match(request, { ignoreSearch: false }); });
  }).then(function (hit) {
    if (!hit) return null;
    var saved = hit.headers.get("X-Saved-At") || "";
    return hit.text().then(function (html) {
      html = html.replace("data-offline-banner hidden", 'data-offline-banner data-saved-at="' + saved + '"');
      return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var req = event.request;
  var url = new URL(req.url);
  if (req.method === "GET" && url.origin === self.location.origin && url.pathname.indexOf("/static/") === 0) {
    // Static files: live when possible (and kept fresh in the cache), the cached copy without signal.
    event.respondWith(fetch(req).then(function (r) {
      if (r.ok) { var copy = r.clone(); caches.open(STATIC).then(function (c) { c.put(req, copy); }); }
      return r;
    }).catch(function () {
      return caches.open(STATIC).then(function (c) { return c.match(req, { ignoreSearch: true }); })
        .then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  if (req.method !== "GET" || req.mode !== "navigate" || new URL(req.url).origin !== self.location.origin) return;
  // Network first: a live page is always preferred; the copy is for weak signal at an exam site.
  event.respondWith(fetch(req).then(function (r) {
    if (!r.ok && r.status >= 500) return offlineCopy(req).then(function (c) { return c || r; });
    return r;
  }).catch(function () {
    return offlineCopy(req).then(function (c) {
      return c || new Response("<!doctype html><meta charset=utf-8><title>crisiscomm</title><p>Không có kết nối mạng và chưa có bản lưu của trang này. / Offline: no saved copy of this page.</p>",
        { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  }));
});
