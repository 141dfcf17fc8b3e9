"""The JSON API's one shape of refusal: {"error": "..."} with its status (and any headers)."""
from __future__ import annotations

from flask import Response, jsonify


def error(message: str, status: int, **headers: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    response.headers.update(headers)
    return response
