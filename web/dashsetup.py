"""Dash's first-request set-up, finished when the app is built instead of racing its first requests."""
from __future__ import annotations

import dash


def finish(app: dash.Dash) -> None:
    """Run Dash's own first-request hooks now, once, in the building thread.

    Dash (4.4) sets up on the first request: before_request hooks register the script paths
    (`_setup_server`) and the pages' router callback, and each marks itself done *before* doing
    its work. In a threaded worker a second first request, a moment later, is checked against a
    half-filled registry: 500 `"dash" is registered but the path requested is not valid`, and a
    blank page after every restart or deploy. Run here, before any server accepts a request,
    the hooks find their work done when requests come.
    """
    hooks = [hook for hook in app.server.before_request_funcs.get(None, [])
             if getattr(hook, "__module__", "").partition(".")[0] == "dash"]
    if not hooks:
        raise RuntimeError("Dash registered no first-request set-up hook: check web/dashsetup.py "
                           "against this Dash version")
    with app.server.test_request_context("/"):
        for hook in hooks:
            hook()
