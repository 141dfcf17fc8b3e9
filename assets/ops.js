/* Clientside callbacks: cheap UI that must not cost a server round trip. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  ops: {
    clock: function (_n, lang) {
      const now = new Date();
      const vi = lang !== "en";
      // The centre keeps Viet Nam time whatever the browser's zone.
      const opts = { timeZone: "Asia/Ho_Chi_Minh" };
      const time = now.toLocaleTimeString(vi ? "vi-VN" : "en-GB",
        Object.assign({ hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }, opts));
      const date = now.toLocaleDateString(vi ? "vi-VN" : "en-GB",
        Object.assign({ weekday: "long", day: "2-digit", month: "2-digit", year: "numeric" }, opts));
      return [time, date];
    },
    rememberLang: function (lang) {
      // The server-rendered pages (sign-in, admin console, errors) cannot read localStorage:
      // they read the same choice from this cookie (web/pages.py LANG_COOKIE).
      const chosen = lang === "en" ? "en" : "vi";
      document.cookie = "ops_lang=" + chosen + "; path=/; max-age=34560000; SameSite=Lax";
    },
    kiosk: function (search) {
      // Kiosk is a mode of the screen, not of one URL: pages rewrite their query strings as
      // controls change, so the flag is kept for the tab until ?kiosk=0 turns it off.
      const params = new URLSearchParams(search || "");
      const flag = params.get("kiosk");
      if (flag === "1" || flag === "true") {
        window.sessionStorage.setItem("ops-kiosk", "1");
      } else if (flag === "0" || flag === "false") {
        window.sessionStorage.removeItem("ops-kiosk");
      }
      return window.sessionStorage.getItem("ops-kiosk") === "1" ? "shell kiosk" : "shell";
    }
  }
});

/* An expired or revoked session answers callbacks with 401: reload, so the server can send the
   screen to the login page instead of leaving it silently frozen. */
(function () {
  const original = window.fetch;
  window.fetch = function (resource, init) {
    return original.call(this, resource, init).then(function (response) {
      // (A registered display goes to its "link revoked" page instead: assets/50-displays.js.)
      const display = window.opsDisplay && window.opsDisplay.config;
      if (response.status === 401 && !display &&
          String(resource).indexOf("_dash-update-component") !== -1) {
        window.location.reload();
      }
      return response;
    });
  };
})();
