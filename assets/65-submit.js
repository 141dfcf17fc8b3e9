/* /submit: a file over the upload limit is refused here, before its bytes are sent. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  submit: {
    gate: function (contents, name, limit) {
      // dcc.Upload gives a data URL; the file's size follows from the base64 text's length,
      // so nothing is decoded to measure it.
      const none = window.dash_clientside.no_update;
      if (typeof contents !== "string") {
        return [none, none];
      }
      const body = contents.length - contents.indexOf(",") - 1;
      const pad = contents.endsWith("==") ? 2 : (contents.endsWith("=") ? 1 : 0);
      const size = Math.max(0, Math.floor(body * 3 / 4) - pad);
      const over = typeof limit === "number" && size > limit;
      const info = { name: String(name || "").slice(0, 255), size: size, over: over, at: Date.now() };
      // Over the limit the contents are dropped, so the preview's request never carries them.
      return [over ? null : none, info];
    },
    confirmable: function (token) {
      return !token;
    },
  },
});
