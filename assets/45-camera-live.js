/* Focus view: the camera's own H.264 through Media Source Extensions (fMP4 from /streams/<id>.mp4),
 * kept at the live edge. MJPEG (<img id="cam-live-img">) only when MSE cannot play the stream: no
 * MediaSource, a codec the browser lacks (H.265), or the relay says so (415/503 with a fallback).
 * One video connection at a time: the fetch is aborted when the view goes away or falls back.
 * A relay restart ends the stream: it is reopened with backoff (1, 2, 4 s), then MJPEG shows the
 * camera while MSE is tried again (2, 4, 8, then every 10 s) until it plays again. */
(function () {
  "use strict";
  const LIVE_EDGE_S = 0.3;   // where playback sits behind the newest picture
  const MAX_BEHIND_S = 1.5;  // further behind than this (a stall, a hidden tab): jump to the edge
  const KEEP_S = 30;         // seconds of played video kept in the SourceBuffer (memory stays bounded)
  const RETRY_MS = 1000;     // a stream that ended (relay restart) is reopened after this, doubling
  const MAX_RETRIES = 3;     // before falling back to MJPEG (1 + 2 + 4 s)
  const RECHECK_MS = 10000;  // on MJPEG for want of a picture: try MSE again after 2, 4, 8, then every 10 s

  function concat(chunks) {
    let size = 0;
    chunks.forEach(function (c) { size += c.byteLength; });
    const out = new Uint8Array(size);
    let at = 0;
    chunks.forEach(function (c) { out.set(c, at); at += c.byteLength; });
    return out;
  }

  function fallback(video, st, recheck) {
    stop(st);
    st.mode = "mjpeg";
    video.classList.add("is-off");
    const img = document.getElementById("cam-live-img");
    if (img && video.dataset.fallback && !img.getAttribute("src")) { img.setAttribute("src", video.dataset.fallback); }
    // A camera that was down (503) may come back with H.264: look again now and then. A codec the
    // browser cannot play (415, or not supported) stays on MJPEG.
    if (recheck) {
      st.rechecks += 1;
      st.timer = setTimeout(function () { if (document.body.contains(video)) { open(video, st); } },
                            Math.min(RECHECK_MS, RETRY_MS * Math.pow(2, st.rechecks)));
    }
  }

  function resume(video, st) {
    // MSE works (again): the MJPEG <img> lets go of its connection.
    st.mode = "mse";
    video.classList.remove("is-off");
    const img = document.getElementById("cam-live-img");
    if (img && img.getAttribute("src")) { img.removeAttribute("src"); }
  }

  function stop(st) {
    st.stopped = true;
    if (st.ctrl) { st.ctrl.abort(); }
    if (st.timer) { clearTimeout(st.timer); }
  }

  function chase(video, st) {
    const b = video.buffered;
    if (!b.length) { return; }
    const last = b.length - 1, end = b.end(last);
    if (video.currentTime < b.start(last) || end - video.currentTime > MAX_BEHIND_S) {
      video.currentTime = Math.max(b.start(last), end - LIVE_EDGE_S);
    }
    if (video.paused) { video.play().catch(function () {}); }
    if (st.firstAt === null && video.currentTime > 0) { st.firstAt = performance.now() - st.openedAt; }
  }

  function play(video, st, resp, type) {
    const ms = new MediaSource();
    video.src = URL.createObjectURL(ms);
    ms.addEventListener("sourceopen", function () {
      URL.revokeObjectURL(video.src);
      let sb;
      try { sb = ms.addSourceBuffer(type); } catch (e) { return fallback(video, st); }
      const queue = [];
      const pump = function () {
        if (st.stopped || sb.updating) { return; }
        if (queue.length) {
          const data = queue.length > 1 ? concat(queue) : queue[0];
          queue.length = 0;
          try { sb.appendBuffer(data); } catch (e) { retry(video, st); }
          return;
        }
        const b = sb.buffered;
        if (b.length && video.currentTime - b.start(0) > 2 * KEEP_S) { sb.remove(0, video.currentTime - KEEP_S); }
      };
      sb.addEventListener("updateend", function () { chase(video, st); pump(); });
      const reader = resp.body.getReader();
      const read = function () {
        reader.read().then(function (r) {
          if (st.stopped) { return; }
          if (r.done) { return retry(video, st); }
          st.bytes += r.value.byteLength;
          st.retries = 0;
          st.rechecks = 0;
          st.played = true;  // this camera plays through MSE: later refusals are passing (restarts)
          queue.push(r.value);
          pump();
          read();
        }).catch(function () { if (!st.stopped) { retry(video, st); } });
      };
      read();
    }, { once: true });
  }

  function open(video, st) {
    if (!video.dataset.live) { return fallback(video, st, false); }  // an MJPEG camera: no MSE to try
    st.stopped = false;
    st.opens += 1;  // connections opened (read by the browser test: one per focus view)
    st.ctrl = new AbortController();
    st.openedAt = performance.now();
    st.firstAt = null;
    fetch(video.dataset.live, { signal: st.ctrl.signal, credentials: "same-origin", cache: "no-store" })
      .then(function (resp) {
        const type = resp.headers.get("Content-Type") || "";
        if (!resp.ok || !window.MediaSource.isTypeSupported(type)) {
          st.ctrl.abort();
          // 503 (no picture yet), or anything from a relay that played this camera before (it is
          // starting again): MJPEG meanwhile, MSE again soon. A codec the browser lacks stays MJPEG.
          return fallback(video, st, resp.status === 503 || st.played);
        }
        resume(video, st);
        play(video, st, resp, type);
      })
      .catch(function () { if (!st.stopped) { retry(video, st); } });
  }

  function retry(video, st) {
    stop(st);
    st.retries += 1;
    if (st.retries > MAX_RETRIES) { st.retries = 0; return fallback(video, st, true); }
    st.timer = setTimeout(function () { if (document.body.contains(video)) { open(video, st); } },
                          RETRY_MS * Math.pow(2, st.retries - 1));
  }

  function start(video) {
    const st = video.__live = { mode: "mse", bytes: 0, opens: 0, retries: 0, rechecks: 0, played: false,
                                stopped: false, firstAt: null };
    const type = 'video/mp4; codecs="avc1.42e01e"';
    if (!window.MediaSource || !window.MediaSource.isTypeSupported(type) || !video.dataset.live) {
      return fallback(video, st);
    }
    open(video, st);
  }

  const active = [];
  setInterval(function () {
    const video = document.getElementById("cam-live-video");
    if (video && !video.__live) { start(video); active.push(video); }
    for (let i = active.length - 1; i >= 0; i--) {
      const v = active[i];
      if (!document.body.contains(v)) { stop(v.__live); active.splice(i, 1); }  // view left: free the connection
      else if (v.__live.mode === "mse" && !v.__live.stopped) { chase(v, v.__live); }
    }
  }, 250);
})();
