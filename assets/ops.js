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
    kiosk: function (search) {
      const params = new URLSearchParams(search || "");
      const on = params.get("kiosk") === "1" || params.get("kiosk") === "true";
      return on ? "shell kiosk" : "shell";
    }
  }
});

/* An expired or revoked session answers callbacks with 401: reload, so the server can send the
   screen to the login page instead of leaving it silently frozen. */
(function () {
  const original = window.fetch;
  window.fetch = function (resource, init) {
    return original.call(this, resource, init).then(function (response) {
      if (response.status === 401 && String(resource).indexOf("_dash-update-component") !== -1) {
        window.location.reload();
      }
      return response;
    });
  };
})();
