/* Camera wall: reopen a stalled MJPEG <img> (server or relay restarted) without a page reload. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  cameras: {
    // The mosaic that fills this screen: the relay snaps ?w= (device pixels) to its nearest size.
    // Only the first URL is applied: a refreshed one (signed URLs expire) waits for a reconnect.
    fit: function (base) {
      const img = document.getElementById("cam-mosaic");
      if (img && img.getAttribute("src")) { return window.dash_clientside.no_update; }
      return window.dash_clientside.cameras.sized(base);
    },
    sized: function (base) {
      const img = document.getElementById("cam-mosaic");
      const px = Math.min(4096, Math.round((img ? img.clientWidth : 0) * (window.devicePixelRatio || 1)));
      return px > 0 ? base + "&w=" + px : base;
    },
    // Called every status tick with the <img> id: samples the picture into a tiny canvas; after
    // STALL_TICKS identical (or undrawable) samples the src gets a new ?k= and the browser reconnects.
    watchdog: function (_n, id, fresh) {
      const nu = window.dash_clientside.no_update;
      const img = document.getElementById(id);
      // An <img> without a src is the focus view's unused MJPEG fallback (MSE is playing): leave it.
      if (!img || !img.getAttribute("src")) { return nu; }
      const STALL_TICKS = 4;
      const w = window.__camWatch = window.__camWatch || {};
      const st = w[id] = w[id] || { sig: null, same: 0, k: 0 };
      let sig = "x";
      try {
        const c = st.canvas = st.canvas || document.createElement("canvas");
        c.width = 48; c.height = 27;
        const ctx = c.getContext("2d", { willReadFrequently: true });
        ctx.drawImage(img, 0, 0, c.width, c.height);
        const px = ctx.getImageData(0, 0, c.width, c.height).data;
        let h = 0;
        for (let i = 0; i < px.length; i += 4) { h = (h * 31 + px[i] + px[i + 1] * 7 + px[i + 2] * 13) | 0; }
        sig = String(h);
      } catch (e) {
        sig = "broken";  // not decodable yet, or the stream failed
      }
      st.same = (sig === st.sig) ? st.same + 1 : 0;
      st.sig = sig;
      if (st.same < STALL_TICKS) { return nu; }
      st.same = 0;
      st.k += 1;
      const base = fresh ? (id === "cam-mosaic" ? window.dash_clientside.cameras.sized(fresh) : fresh)
        : (img.getAttribute("src") || "").replace(/([?&])k=\d+/, "").replace(/[?&]$/, "");
      return base + (base.indexOf("?") >= 0 ? "&" : "?") + "k=" + st.k;
    }
  }
});
