/* Overview (wall) clientside callbacks: the "saved since launch" counter ticks in the browser. */
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
      // Same grouping as Babel on the server: 68.394,053 (vi) / 68,394.053 (en). Read at a
      // glance as whole billions; three small decimals (a million đồng) still move every few
      // seconds at ~10.000 tỷ a year, so the wall visibly counts.
      const text = total.toLocaleString(lang === "en" ? "en-US" : "vi-VN",
        { minimumFractionDigits: 3, maximumFractionDigits: 3 });
      const cut = text.length - 4;
      const span = (children, className) =>
        ({ namespace: "dash_html_components", type: "Span", props: { children, className } });
      return [span(text.slice(0, cut), "tick-whole"), span(text.slice(cut), "tick-frac")];
    }
  }
});
