/* Displays (issue 11): the screen runner of walls and bridge points, and the presenter's hook.

Runner: a display session polls /displays/live (memory on the server; the poll is also its
heartbeat and acknowledgment; in follow mode the server may hold it until the presenter changes) and shows, by mode, the presenter's page and query, its playlist
(per-item durations, provinces in turn) or its one page. A page changes by Dash's own client-side
navigation (pushState + the event dcc.Location listens to), never a reload; a frozen copy of the
old page stays on top until the new page's callbacks have answered, so the screen never blanks.
Presenter: while presenting, every change of the address bar (page, indicator, province,
camera) is handed to the server through the `present-loc` store.
*/
(function () {
  "use strict";
  const LIVE = "/displays/live";
  const READY_TIMEOUT_MS = 8000;  // reveal the new page anyway after this long
  const QUIET_MS = 150;  // no callback in flight for this long: the page has its data

  // --- Dash callback requests in flight (to know when a page has its data) ---
  let inflight = 0;
  let lastActivity = 0;
  const originalFetch = window.fetch;
  window.fetch = function (resource, init) {
    const isCallback = String(resource && resource.url || resource).indexOf("_dash-update-component") !== -1;
    if (!isCallback) { return originalFetch.call(this, resource, init); }
    inflight += 1;
    lastActivity = performance.now();
    return originalFetch.call(this, resource, init).finally(function () {
      inflight -= 1;
      lastActivity = performance.now();
    });
  };

  function here() { return window.location.pathname + window.location.search; }

  // --- presenter: publish address-bar changes while presenting ---
  let lastPublished = null;
  function publish() {
    if (!window.opsPresenting || !window.dash_clientside || !window.dash_clientside.set_props) { return; }
    const now = here();
    if (now === lastPublished) { return; }
    lastPublished = now;
    lastScroll = null;
    window.dash_clientside.set_props("present-loc", {
      data: { path: window.location.pathname, search: window.location.search, t: Date.now() }
    });
  }
  ["pushState", "replaceState"].forEach(function (name) {
    const original = window.history[name];
    window.history[name] = function () {
      const result = original.apply(this, arguments);
      setTimeout(publish, 0);
      return result;
    };
  });
  window.addEventListener("popstate", function () { setTimeout(publish, 0); });

  // The presenter's scroll, as where its screen starts in the page's content (a fraction, so a
  // follower of another size shows the same part): published at most every SCROLL_MS.
  const SCROLL_MS = 200;
  function scrollFraction() {
    const height = document.documentElement.scrollHeight;
    return height > 0 ? Math.min(1, Math.max(0, window.scrollY / height)) : 0;
  }
  let scrollTimer = null;
  let lastScroll = null;
  let lastPublishAt = -SCROLL_MS;
  function publishScroll() {
    scrollTimer = null;
    lastPublishAt = performance.now();
    if (!window.opsPresenting || !window.dash_clientside || !window.dash_clientside.set_props) { return; }
    const fraction = Math.round(scrollFraction() * 10000) / 10000;
    if (fraction === lastScroll) { return; }
    lastScroll = fraction;
    window.dash_clientside.set_props("present-loc", {
      data: { path: window.location.pathname, search: window.location.search, scroll: fraction,
              t: Date.now() }
    });
  }
  window.addEventListener("scroll", function () {
    if (!window.opsPresenting || scrollTimer) { return; }
    // At once after a pause, then at most every SCROLL_MS while the scrolling goes on.
    const wait = Math.max(0, lastPublishAt + SCROLL_MS - performance.now());
    scrollTimer = setTimeout(publishScroll, wait);
  }, { passive: true });
  window.opsPresentingChanged = function (on) {
    window.opsPresenting = !!on;
    lastPublished = null;
    publish();  // after a reload too: the followers show this page (unchanged: no new change)
  };

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    displays: {
      request: function () {
        const trig = (window.dash_clientside.callback_context.triggered || [])[0] || {};
        const takeover = String(trig.prop_id || "").indexOf("present-takeover") === 0;
        return { action: takeover ? "takeover" : "toggle", path: window.location.pathname,
                 search: window.location.search, t: Date.now() };
      },
      flag: function (on) { window.opsPresentingChanged(on); return ""; }
    }
  });

  // --- runner state ---
  const st = {
    config: null, ack: null, showing: here(), since: Date.now(), err: "",
    loadedVersion: null, plan: null, step: -1, stepTimer: null, stepEndsAt: 0, lead: 3000, loadAvg: 0,
    seq: null, ready: null, navigating: false, followLoading: false, navStartedAt: 0, failures: 0, reveals: [],
    nav: 0  // the newest navigation: an older one (a playlist step a presenter overtook) gives way
  };
  window.addEventListener("error", function (e) { st.err = String(e.message || "error").slice(0, 200); });
  window.opsDisplay = st;  // for the browser tests and a person at the console

  // --- showing a page without a blank frame ---
  function copyNode(node) {
    // A still copy: pictures and canvases are drawn, never re-requested (no second stream).
    if (node.nodeType !== 1) { return node.cloneNode(false); }
    const tag = node.tagName;
    if (tag === "IMG" || tag === "CANVAS" || tag === "VIDEO") {
      const canvas = document.createElement("canvas");
      const r = node.getBoundingClientRect();
      canvas.width = Math.max(1, Math.round(r.width));
      canvas.height = Math.max(1, Math.round(r.height));
      canvas.className = node.className && node.className.baseVal === undefined ? node.className : "";
      canvas.style.cssText = node.style.cssText;
      canvas.style.width = r.width + "px";
      canvas.style.height = r.height + "px";
      try { canvas.getContext("2d").drawImage(node, 0, 0, canvas.width, canvas.height); } catch (e) { /* not decodable yet */ }
      return canvas;
    }
    if (tag === "SCRIPT" || tag === "IFRAME") { return document.createComment(""); }
    const copy = node.cloneNode(false);
    if (copy.removeAttribute) { copy.removeAttribute("id"); }
    node.childNodes.forEach(function (child) { copy.appendChild(copyNode(child)); });
    return copy;
  }

  function freeze() {
    const page = document.getElementById("page");
    const old = document.getElementById("display-freeze");
    if (old) { return old; }
    if (!page) { return null; }
    const r = page.getBoundingClientRect();
    const cover = copyNode(page);
    cover.id = "display-freeze";
    cover.setAttribute("aria-hidden", "true");
    Object.assign(cover.style, {
      position: "fixed", left: r.left + "px", top: r.top + "px", width: r.width + "px",
      height: r.height + "px", zIndex: 900, pointerEvents: "none", overflow: "hidden", margin: 0
    });
    document.body.appendChild(cover);
    return cover;
  }

  function unfreeze() {
    const cover = document.getElementById("display-freeze");
    if (cover) { cover.remove(); }
  }

  // A page is painted when its title has its text and no graph still says "đang tải"
  // (ui.figures.loading_figure): until then the follower keeps the previous page on top.
  const LOADING_TEXTS = ["Đang tải…", "Loading…"];
  function unpainted() {
    const title = document.querySelector("#page .pg-title");
    if (title && !title.textContent.trim()) { return true; }
    const notes = document.querySelectorAll("#page .js-plotly-plot .annotation-text");
    for (let i = 0; i < notes.length; i++) {
      if (LOADING_TEXTS.indexOf(notes[i].textContent.trim()) !== -1) { return true; }
    }
    return false;
  }

  function whenReady(since) {
    // Ready: the router answered (a callback ran after the switch), nothing is in flight and
    // nothing has been for QUIET_MS, and no component says it is loading. `since`: the time of
    // the navigation, or a function giving the latest one.
    return new Promise(function (resolve) {
      function check() {
        const now = performance.now();
        const startedAt = typeof since === "function" ? since() : since;
        const quiet = inflight === 0 && lastActivity > startedAt && now - lastActivity >= QUIET_MS;
        const loading = document.querySelector("#page [data-dash-is-loading='true']") || unpainted();
        if ((quiet && !loading) || now - startedAt > READY_TIMEOUT_MS) { resolve(); return; }
        setTimeout(check, 50);
      }
      setTimeout(check, 50);
    });
  }

  function go(url) {
    // Dash's own navigation: the pages router re-renders from the new path and query.
    window.history.pushState({}, "", url);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  }

  // Load `url` under a frozen copy of the current page; resolves when it has its data. The
  // cover is lifted by reveal(), so a playlist can load early and switch on time.
  function load(url) {
    if (url === here() && !document.getElementById("display-freeze")) { return Promise.resolve(false); }
    freeze();
    const startedAt = performance.now();
    go(url);
    return whenReady(startedAt).then(function () {
      // How early the next item starts loading: the slower of the last load and the average,
      // with a margin, so a slow server still switches on time.
      const took = performance.now() - startedAt;
      st.loadAvg = st.loadAvg ? 0.7 * st.loadAvg + 0.3 * took : took;
      st.lead = Math.min(15000, Math.max(took, st.loadAvg) * 2 + 800);
      return true;
    });
  }

  function reveal(superseded) {
    // Two frames: the new page has been painted under the cover before it is lifted. If
    // `superseded()` says a newer navigation started meanwhile, the cover stays (resolves false).
    return new Promise(function (resolve) {
      requestAnimationFrame(function () {
        requestAnimationFrame(function () {
          if (superseded && superseded()) { resolve(false); return; }
          unfreeze();
          st.showing = here();
          st.since = Date.now();
          st.reveals.push({ url: st.showing, t: performance.now() });
          if (st.reveals.length > 100) { st.reveals.shift(); }  // bounded: the last 100 switches
          resolve(true);
        });
      });
    });
  }

  function show(url) {
    const nav = ++st.nav;
    st.navigating = true;
    return load(url).then(function () { return nav === st.nav && reveal(); })
      .finally(function () { if (nav === st.nav) { st.navigating = false; } });
  }

  // --- modes ---
  function withParam(url, param, value) {
    const [path, query] = url.split("?");
    const params = new URLSearchParams(query || "");
    params.set(param, value);
    return path + "?" + params.toString();
  }

  function planOf(playlist) {
    const steps = [];
    (playlist && playlist.items || []).forEach(function (item) {
      const seconds = Math.max(2, Number(item.seconds) || 10);
      if (Array.isArray(item.provinces) && item.provinces.length) {
        item.provinces.forEach(function (code) {
          steps.push({ url: withParam(item.url, item.param || "region", code), seconds: seconds });
        });
      } else {
        steps.push({ url: item.url, seconds: seconds });
      }
    });
    return steps;
  }

  function stopPlaylist() {
    if (st.stepTimer) { clearTimeout(st.stepTimer); }
    st.stepTimer = null;
    st.step = -1;
  }

  function nextStep() {
    // The playlist is read afresh at every item: an edit takes effect at the next item.
    const steps = planOf(fallbackPlaylist());
    if (!steps.length) { return; }
    st.step = (st.step + 1) % steps.length;
    const step = steps[st.step];
    const switchAt = st.stepEndsAt > performance.now() ? st.stepEndsAt : performance.now();
    const nav = ++st.nav;
    st.navigating = true;
    load(step.url).then(function () {
      const wait = Math.max(0, switchAt - performance.now());
      return new Promise(function (r) { setTimeout(r, wait); });
    }).then(function () { return nav === st.nav && reveal(); }).then(function () {
      if (nav !== st.nav) { return; }  // overtaken (the screen follows a presenter now)
      st.navigating = false;
      st.stepEndsAt = performance.now() + step.seconds * 1000;
      // Start loading the next item early enough to switch on time.
      st.stepTimer = setTimeout(runIfPlaylist, Math.max(0, step.seconds * 1000 - st.lead));
    });
  }

  function runIfPlaylist() {
    st.stepTimer = null;
    if (effectiveMode() === "playlist") { nextStep(); }
  }

  function fallbackPlaylist() { return st.config && st.config.playlist; }

  function effectiveMode() {
    const c = st.config;
    if (!c) { return null; }
    if (c.mode === "follow") { return c.presenter ? "follow" : (c.page ? "page" : "playlist"); }
    return c.mode;
  }

  function screenLang() {
    // The language this screen shows (the shell keeps it in localStorage): Vietnamese unless set.
    try { return JSON.parse(window.localStorage.getItem("lang")) === "en" ? "en" : "vi"; }
    catch (e) { return "vi"; }
  }

  function banner(text) {
    let el = document.getElementById("display-banner");
    if (!text) { if (el) { el.remove(); } return; }
    if (!el) {
      el = document.createElement("div");
      el.id = "display-banner";
      el.className = "display-banner";
      document.body.appendChild(el);
    }
    if (el.textContent !== text) { el.textContent = text; }
  }

  // The presenter's scroll on this screen: the same fraction of this page's content.
  function followScroll(loaded) {
    const p = st.config && st.config.presenter;
    if (!p || (st.followLoading && !loaded)) { return; }
    const fraction = Number(p.scroll) || 0;
    const height = document.documentElement.scrollHeight;
    const y = Math.round(fraction * height);
    if (Math.abs(window.scrollY - y) > 2) { window.scrollTo(0, y); }
    st.scroll = fraction;
  }

  // Follow: go to the presenter's state at once and acknowledge it (applied); a newer change
  // while the page loads goes straight on (the cover stays); once the newest page has its data
  // the cover lifts and a second acknowledgment says so (ready).
  function followTo(target, seq) {
    st.seq = seq;
    st.ack = seq;
    if (target === here()) {
      // Already there (the presenter scrolled, or its page wrote into its address the defaults
      // this page wrote too): going again would redraw every graph, and ask the server, for
      // nothing. A scroll is followed at once; a page still loading is scrolled once loaded.
      if (!st.followLoading) {
        st.ready = seq;
        followScroll();
      }
      poll(true);
      return;
    }
    freeze();
    st.nav += 1;  // a playlist step still loading gives way: it will not lift the cover
    st.navStartedAt = performance.now();
    go(target);
    poll(true);
    if (st.followLoading) { return; }
    st.followLoading = true;
    st.navigating = true;
    settleFollow().then(function () {
      st.followLoading = false;
      st.navigating = false;
      st.ready = st.seq;
      poll(true);
    });
  }

  // The newest followed page, revealed once it has its data. A change that arrives after the
  // page looked ready (in the frames before the cover lifts) restarts the wait under the cover
  // rather than lifting it onto a page still loading.
  function settleFollow() {
    return whenReady(function () { return st.navStartedAt; }).then(function () {
      const readyAt = performance.now();
      followScroll(true);  // under the cover: the page is revealed where the presenter is
      return reveal(function () { return st.navStartedAt > readyAt; });
    }).then(function (shown) { return shown ? undefined : settleFollow(); });
  }

  let appliedMode = null;
  let appliedPage = null;
  function apply() {
    // Called on every poll; a switch that cannot start now (a page still loading) is retried
    // at the next poll, so appliedMode only changes once the new mode has really started.
    const c = st.config;
    const mode = effectiveMode();
    if (mode === "follow") {
      stopPlaylist();
      appliedMode = "follow";
      banner((c.presenter.banner || {})[screenLang()] || c.presenter.name);
      const target = c.presenter.path + (c.presenter.search || "");
      if (c.presenter.seq !== st.seq) {
        followTo(target, c.presenter.seq);
      } else {
        followScroll();
      }
      return;
    }
    banner("");
    st.seq = null;
    if (st.navigating && appliedMode !== mode) { return; }
    if (mode === "page") {
      if (appliedMode !== "page" || appliedPage !== c.page) {
        stopPlaylist();
        appliedMode = "page";
        appliedPage = c.page;
        show(c.page);
      }
    } else if (mode === "playlist" && appliedMode !== "playlist") {
      stopPlaylist();
      appliedMode = "playlist";
      st.stepEndsAt = 0;
      nextStep();
    }
  }

  let pollTimer = null;
  function schedule(ms) {
    if (pollTimer) { clearTimeout(pollTimer); }
    pollTimer = setTimeout(function () { poll(false); }, ms);
  }

  function poll(now) {
    const params = new URLSearchParams({
      showing: st.showing || here(), since: String(st.since), w: String(window.screen.width),
      h: String(window.screen.height), v: st.loadedVersion || "", err: st.err
    });
    if (st.ack !== null) { params.set("ack", String(st.ack)); }
    if (st.ready !== null) { params.set("ready", String(st.ready)); }
    if (!now && st.config && st.config.mode === "follow") {
      // Following: the server may hold this poll until the presenter changes (web/heldpolls.py).
      params.set("hold", st.config.presenter ? String(st.config.presenter.seq) : "none");
      // ... and the scroll it has: a scroll made between two polls is answered at once.
      if (st.config.presenter) { params.set("scroll", String(Number(st.config.presenter.scroll) || 0)); }
    }
    return originalFetch(LIVE + "?" + params.toString(), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status)); })
      .then(function (data) {
        st.failures = 0;
        if (data.kind !== "display" || data.registered === false) { return; }  // a person, or an older link: no runner
        if (data.revoked) { window.location.replace("/display/revoked"); return; }
        if (st.loadedVersion === null) { st.loadedVersion = data.version; }
        else if (data.version !== st.loadedVersion) { window.location.reload(); return; }
        window.sessionStorage.setItem("ops-kiosk", "1");  // kiosk by default on displays
        if (st.config === null && window.dash_clientside && window.dash_clientside.set_props) {
          // A screen never presents: no presenter status poll from it.
          window.dash_clientside.set_props("present-tick", { disabled: true });
        }
        st.config = data;
        apply();
        if (!now) { schedule(typeof data.poll === "number" ? data.poll : 2000); }
      })
      .catch(function () {
        // Server restarting or network gone: keep the screen as it is and try again.
        st.failures += 1;
        if (!now) { schedule(Math.min(10000, 1000 * st.failures)); }
      });
  }

  // 401 on a display's callbacks means its link was revoked: say so, not the login page.
  const guardFetch = window.fetch;
  window.fetch = function (resource, init) {
    return guardFetch.call(this, resource, init).then(function (response) {
      if (response.status === 401 && st.config) { window.location.replace("/display/revoked"); }
      return response;
    });
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { poll(false); });
  } else {
    poll(false);
  }
})();
