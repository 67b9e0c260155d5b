"""API errors and the bodies the real API sends for them."""
from __future__ import annotations

# The message the API uses for a record it cannot (or will not) show you (sample ``invoices/show``).
NOT_FOUND = 'Unable to find the object that you requested.'


class ApiError(Exception):
    """Raised by handlers (and the request pipeline) to answer with an error status."""

    def __init__(self, status: int, message: str, error_type: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type or DEFAULT_TYPES.get(status, 'error')
        self.headers = headers or {}


DEFAULT_TYPES = {
    400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict',
    422: 'validation', 429: 'rate_limited', 501: 'not_simulated',
}


def error_body(operation, status: int, message: str, error_type: str, version: str = 'v1') -> object:
    """The body for an error, in the shape the operation (or, without one, the API version) documents.

    V1: ``{"error": message, "type": type}``; V2: ``{"error": {"message", "type"}}`` (info.description).
    Some V1 operations document their 422 as a bare list of messages; those get ``[message]``.
    """
    if operation is not None:
        version = operation.version
    if version == 'v2':
        return {'error': {'message': message, 'type': error_type}}
    schema = operation.response_schema(status) if operation is not None else None
    if schema is not None and schema.get('type') == 'array':
        return [message]
    return {'error': message, 'type': error_type}


def not_found(what: str = '') -> ApiError:
    return ApiError(404, NOT_FOUND if not what else f'{NOT_FOUND} ({what})')
