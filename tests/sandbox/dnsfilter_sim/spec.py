"""DNSFilter's OpenAPI description: loaded once, patched with the departures, used to route and validate."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from multidict import CIMultiDict, MultiDict
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.media_types.util import plain_loads
from openapi_core.validation.request.exceptions import (
    MissingRequiredParameter, ParameterValidationError, RequestBodyValidationError, SecurityValidationError,
)

from . import spec_patches

SPEC_ENV = 'DNSFILTER_OPENAPI'


def default_description_path() -> Path:
    """``tests/sandbox/contract/dnsfilter-openapi.json`` in the repository, found from this file, not the cwd."""
    return Path(__file__).resolve().parents[1] / 'contract' / 'dnsfilter-openapi.json'


def load_description(path: str | os.PathLike | None = None) -> dict:
    path = path or os.environ.get(SPEC_ENV) or default_description_path()
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


class OpenAPIRequest:
    """A request as openapi-core reads it (its ``Request`` protocol).

    ``host_url`` is always the description's server, so that openapi-core finds the server whatever
    loopback address and port the simulator listens on.
    """

    def __init__(self, host_url: str, method: str, path: str, query: MultiDict, headers, body: bytes | None,
                 content_type: str):
        self.host_url = host_url
        self.method = method.lower()
        self.path = path
        self.parameters = RequestParameters(query=query, header=CIMultiDict(headers), cookie={})
        self.body = body
        self.content_type = content_type


class OpenAPIResponse:
    """A response as openapi-core reads it (its ``Response`` protocol)."""

    def __init__(self, status: int, body: bytes, content_type: str, headers):
        self.status_code = status
        self.data = body
        self.content_type = content_type
        self.headers = CIMultiDict(headers)


@dataclass
class Operation:
    method: str
    template: str
    entry: dict
    parameters: dict[str, dict]
    # For object-typed query parameters, the nested keys they accept (``page`` -> {number, size}).
    nested: dict[str, set[str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f'{self.method.upper()} {self.template}'

    @property
    def version(self) -> str:
        return 'v2' if self.template.startswith('/v2/') else 'v1'

    @property
    def secured(self) -> bool:
        return bool(self.entry.get('security'))

    def documents(self, status: int) -> bool:
        """Whether DNSFilter's description lists ``status`` for this operation (not a simulator addition)."""
        response = self.entry.get('responses', {}).get(str(status))
        return response is not None and not response.get(spec_patches.GENERIC_MARK)

    def response_schema(self, status: int) -> dict | None:
        response = self.entry.get('responses', {}).get(str(status), {})
        return response.get('content', {}).get('application/json', {}).get('schema')


@dataclass
class RequestCheck:
    """What openapi-core made of a request: typed parameters and body, and what was wrong with it."""
    query: dict
    path: dict
    body: object
    problems: list[str]
    # Path parameters that are not of the documented type (an id that is no UUID or integer).
    path_problems: list[str] = field(default_factory=list)


class Spec:
    def __init__(self, description: dict, patches=spec_patches.PATCHES):
        self.description = spec_patches.apply_all(description, patches)
        # Validating the description as a document costs ~3 s a process; the test suite does it once
        # (test_validation.py) instead of every start. The CSV download is text (a departure), which
        # openapi-core would otherwise read as bytes.
        config = Config(spec_validator_cls=None, extra_media_type_deserializers={'text/csv': plain_loads})
        self.api = OpenAPI.from_dict(self.description, config=config)
        self.host_url = self.description['servers'][0]['url']
        routes: list[tuple[str, re.Pattern, dict]] = []
        schemas = self.description['components']['schemas']
        for template, item in self.description['paths'].items():
            methods = {}
            for method, entry in item.items():
                if method not in spec_patches.HTTP_METHODS:
                    continue
                operation = Operation(method.upper(), template, entry, {p['name']: p for p in entry.get('parameters', [])})
                for name, parameter in operation.parameters.items():
                    if parameter.get('style') == 'deepObject':
                        schema = parameter['schema']
                        if '$ref' in schema:
                            schema = schemas[schema['$ref'].rsplit('/', 1)[1]]
                        operation.nested[name] = set(schema.get('properties', {}))
                methods[method.upper()] = operation
            pattern = re.compile(re.sub(r'\\{(\w+)\\}', r'(?P<\1>[^/]+)', re.escape(template)))
            routes.append((template, pattern, methods))
        # Literal paths win over templated ones (/v1/user_agents/counts before /v1/user_agents/{id}).
        routes.sort(key=lambda route: route[0].count('{'))
        self._routes = [(pattern, methods) for _template, pattern, methods in routes]

    def match(self, method: str, path: str) -> tuple[Operation | None, dict]:
        """The operation for ``method path`` and its raw path parameters, or (None, {}).

        Like Rails routing, the first route matching both path and method wins; a path that exists only
        for other methods is a routing miss (404), not a 405.
        """
        for pattern, methods in self._routes:
            found = pattern.fullmatch(path)
            if found and method.upper() in methods:
                return methods[method.upper()], found.groupdict()
        return None, {}

    def check_request(self, request: OpenAPIRequest) -> RequestCheck:
        result = self.api.unmarshal_request(request)
        problems, path_problems = [], []
        for error in result.errors:
            if isinstance(error, SecurityValidationError):
                continue  # auth.py decides who is authenticated, with the API's own 401
            if isinstance(error, ParameterValidationError) and error.location == 'path':
                path_problems.append(describe_request_error(error))
            else:
                problems.append(describe_request_error(error))
        parameters = result.parameters
        return RequestCheck(dict(parameters.query), dict(parameters.path), result.body, problems, path_problems)

    def check_response(self, request: OpenAPIRequest, response: OpenAPIResponse) -> list[str]:
        return [describe_response_error(error) for error in self.api.iter_response_errors(request, response)]

    @staticmethod
    def unknown_query_parameters(operation: Operation, keys) -> list[str]:
        """Query keys the operation does not declare (``pge[size]``, ``organization_ids[]``, ``page[sise]``)."""
        unknown = []
        for key in dict.fromkeys(keys):
            base, _bracket, rest = key.partition('[')
            if base not in operation.parameters:
                unknown.append(key)
            elif rest and (base not in operation.nested or rest.rstrip(']') not in operation.nested[base]):
                unknown.append(key)
        return unknown


def _schema_errors(error) -> list[str]:
    cause = error.__cause__
    details = []
    for schema_error in getattr(cause, 'schema_errors', None) or ():
        where = '.'.join(str(part) for part in schema_error.absolute_path)
        details.append(f'{where}: {schema_error.message}' if where else schema_error.message)
    if not details and cause is not None:
        details.append(str(cause))
    return details


def describe_request_error(error) -> str:
    if isinstance(error, MissingRequiredParameter):
        return f'{error.name} ({error.location} parameter) is required'
    if isinstance(error, ParameterValidationError):
        return f'{error.name} ({error.location} parameter) is invalid: ' + '; '.join(_schema_errors(error))
    if isinstance(error, RequestBodyValidationError):
        details = _schema_errors(error)
        return 'request body is invalid: ' + '; '.join(details) if details else str(error)
    return str(error)


def describe_response_error(error) -> str:
    details = _schema_errors(error)
    return f'{error.__class__.__name__}: ' + '; '.join(details) if details else str(error)
