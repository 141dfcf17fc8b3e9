/* Overview (wall) clientside callbacks: the "saved since launch" estimate, kept current in the browser. */
let lastTicker = "";  // the estimate as last written: an unchanged one is not re-rendered

window.dash_clientside = Object.assign({}, window.dash_clientside, {
  overview: {
    // The shell owns #data-as-of; the overview hands it the latest receipt through a store.
    // (A function in this file rather than an inline string: the CSP forbids inline script.)
    asOf: function (text) {
      return text || window.dash_clientside.no_update;
    },
    // segments: [{rate: bn VND per year, from: epoch ms, to: epoch ms | null}], from the server.
    ticker: function (_n, segments, lang) {
      if (!segments || !segments.length) {
        return window.dash_clientside.no_update;
      }
      const yearMs = 365.2425 * 86400000;
      const now = Date.now();
      let total = 0;
      for (const seg of segments) {
        const end = seg.to === null || seg.to === undefined ? now : Math.min(seg.to, now);
        if (end > seg.from) {
          total += seg.rate * (end - seg.from) / yearMs;
        }
      }
      // An extrapolation of yearly estimates published years ago: shown in tens of billions
      // (as callbacks/overview.py ticker_parts), so it moves every few hours and never ticks
      // like a measured figure. Same grouping as Babel on the server: 68.390 (vi) / 68,390 (en).
      const step = 10;
      const text = (Math.round(total / step) * step).toLocaleString(
        lang === "en" ? "en-US" : "vi-VN", { maximumFractionDigits: 0 });
      if (text === lastTicker) {
        return window.dash_clientside.no_update;
      }
      lastTicker = text;
      return [{ namespace: "dash_html_components", type: "Span",
                props: { children: text, className: "tick-whole" } }];
    }
  }
});
