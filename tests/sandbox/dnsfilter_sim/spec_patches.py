"""The departures: every place the simulator follows DNSFilter's samples or prose instead of its schemas.

Each function below patches the loaded description so that request validation and the ``--strict``
response check hold the simulator to what the real API does. Each is one ``description`` entry of
``tests/sandbox/contract/departures.yml`` (same name, same order; the entry carries the evidence), the list the fuzz
stage allows failures by. Add a departure here and there, nowhere else.
"""
from __future__ import annotations

import re

HTTP_METHODS = ('get', 'put', 'post', 'delete', 'patch', 'head', 'options')

# Statuses any operation can answer even where its entry does not list them.
GENERIC_ERROR_STATUSES = ('400', '401', '403', '404', '429', '500', '501', '502', '503', '504')

V1_ERROR = {'$ref': '#/components/schemas/Error'}
V2_ERROR = {'$ref': '#/components/schemas/SimV2Error'}
# Marks the responses generic_error_statuses added, so handlers can tell what an operation really documents.
GENERIC_MARK = 'x-simulator-generic'
ID_OR_NULL = {'$ref': '#/components/schemas/SimIdTypeOrNull'}

# (schema, property) -> why it may be null: the recorded sample showing null, or the inference made.
SAMPLE_NULLS = {
    ('Organization', 'canceled_at'): 'organizations/list',
    ('Organization', 'will_cancel_at'): 'organizations/list',
    ('UserAgent', 'cyber_sight_client'): 'user-agents/list',
    ('UserAgent', 'cyber_sight_client_setting'): 'user-agents/list',
    ('UserAgent', 'device_setting'): 'user-agents/list',
    ('UserAgent', 'filtering_client_setting'): 'user-agents/list',
    ('Network', 'block_page_id'): 'networks/show',
    ('Network', 'scheduled_policy_id'): 'networks/show',
    ('Network', 'latitude'): 'networks/show',
    ('Network', 'longitude'): 'networks/show',
    ('Network', 'billing_per_user'): 'networks/show',
    ('Network', 'billing_user_count'): 'networks/show',
    ('Network', 'network_type_units'): 'networks/show',
    ('Organization', 'trial_days'): 'organizations/list',
    ('Organization', 'billing_address'): 'organizations/list',
    ('Organization', 'summary_email_address'): 'organizations/list',
    ('Organization', 'usage_alert_cents'): 'organizations/list',
    ('Organization', 'unbounce_data'): 'organizations/list',
    ('Organization', 'plan_details'): 'organizations/list',
    ('Organization', 'external_id'): 'organizations/list',
    ('Organization', 'metadata'): 'organizations/list',
    ('Organization', 'vpn_settings_organization'): 'organizations/list',
    ('Organization', 'stripe_customer_id'): 'INFERENCE: a customer billed through its MSP has no Stripe customer',
    ('Organization', 'managed_by_msp_id'): 'organizations/list',
    ('Organization', 'owned_msp_id'): 'organizations/list',
    ('Organization', 'blocklist_updated_at'): 'organizations/list',
    ('Organization', 'allowlist_updated_at'): 'INFERENCE from blocklist_updated_at: null until the list first changes',
    ('Network', 'secret_key'): 'INFERENCE: a revoked site key (DELETE /v1/networks/{id}/secret_key)',
    ('UserAgentCsvExport', 'url'): 'INFERENCE from AgentLocalUsersCsvExport.url: "null until job completes"',
    ('NetworksCsvExport', 'url'): 'INFERENCE from AgentLocalUsersCsvExport.url: "null until job completes"',
    ('UserAgentCsvExport', 'error'): 'INFERENCE: no error while the export has not failed',
    ('NetworksCsvExport', 'error'): 'INFERENCE: no error while the export has not failed',
    ('AgentLocalUsersCsvExport', 'error'): 'INFERENCE: no error while the export has not failed',
}


def _operations(spec: dict):
    """(path template, operation) for every operation of the description."""
    for template, item in spec['paths'].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield template, operation


def _walk_schemas(node, visit) -> None:
    """Call ``visit`` on every dict that has ``properties`` anywhere below ``node``."""
    if isinstance(node, dict):
        if isinstance(node.get('properties'), dict):
            visit(node)
        for value in node.values():
            _walk_schemas(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk_schemas(value, visit)


def deep_object_query_parameters(spec: dict) -> None:
    """Object-typed query parameters (``page``, ``agent_type``, ...) are nested: ``page[number]=1``.

    The description declares them with no style (so OpenAPI would read ``page=...``), but its own
    "Pagination" prose says V1 pagination parameters are nested, ``?page%5Bnumber%5D=1&page%5Bsize%5D=10``.
    """
    schemas = spec['components']['schemas']
    for _template, operation in _operations(spec):
        for parameter in operation.get('parameters', []):
            schema = parameter.get('schema', {})
            if '$ref' in schema:
                schema = schemas[schema['$ref'].rsplit('/', 1)[1]]
            if parameter.get('in') == 'query' and schema.get('type') == 'object':
                parameter['style'] = 'deepObject'
                parameter['explode'] = True


def nullable_from_prose(spec: dict) -> None:
    """A property whose description says it may be null ("may be null", "Null if ...") is nullable.

    The description never sets ``nullable``; it says so in words on 199 properties instead.
    """
    def visit(schema: dict) -> None:
        for prop in schema['properties'].values():
            if isinstance(prop, dict) and '$ref' not in prop and re.search(r'\bnull\b', prop.get('description', ''), re.I):
                prop['nullable'] = True
    _walk_schemas(spec, visit)


def nullable_from_samples(spec: dict) -> None:
    """Properties the recorded samples show as null (see ``SAMPLE_NULLS`` for the sample of each)."""
    schemas = spec['components']['schemas']
    for name, prop in SAMPLE_NULLS:
        properties = schemas[name]['properties']
        if '$ref' in properties[prop]:
            # OpenAPI 3.0 ignores keywords beside a $ref, so a nullable copy of the target replaces it.
            properties[prop] = dict(schemas[properties[prop]['$ref'].rsplit('/', 1)[1]], nullable=True)
        properties[prop]['nullable'] = True


def empty_relationships_are_null(spec: dict) -> None:
    """An empty to-one relationship is ``{"data": null}``, as JSON:API has it and every sample shows."""
    schemas = spec['components']['schemas']
    schemas['SimIdTypeOrNull'] = dict(schemas['IdType'], nullable=True)

    def visit(schema: dict) -> None:
        relationships = schema['properties'].get('relationships')
        if not isinstance(relationships, dict):
            return
        for relation in relationships.get('properties', {}).values():
            data = relation.get('properties', {}).get('data')
            if data == {'$ref': '#/components/schemas/IdType'}:
                relation['properties']['data'] = dict(ID_OR_NULL)
    _walk_schemas(spec, visit)


def timestamps_are_date_times(spec: dict) -> None:
    """Timestamps typed ``format: date`` are ISO 8601 date-times (``2025-08-13T12:47:35.954-04:00``).

    Every sample carries a full date-time in these fields (created_at, last_sync, first_seen, ...). Only
    response-side schemas are relaxed; date-typed request parameters (usage ``from``/``to``) stay dates.
    """
    def relax(node) -> None:
        if isinstance(node, dict):
            if node.get('format') == 'date':
                del node['format']
            for value in node.values():
                relax(value)
        elif isinstance(node, list):
            for value in node:
                relax(value)
    relax(spec['components']['schemas'])
    for _template, operation in _operations(spec):
        relax(operation.get('responses', {}))


def v2_error_bodies(spec: dict) -> None:
    """V2 errors are ``{"error": {"message": ..., "type": ...}}``, as info.description says.

    The V2 operations' entries reference the V1 ``Error`` schema (``{"error": "..."}``) instead.
    """
    spec['components']['schemas']['SimV2Error'] = {
        'type': 'object',
        'required': ['error'],
        'properties': {'error': {
            'type': 'object',
            'required': ['message'],
            'properties': {'message': {'type': 'string'}, 'type': {'type': 'string'}},
        }},
    }
    for template, operation in _operations(spec):
        if not template.startswith('/v2/'):
            continue
        for response in operation.get('responses', {}).values():
            media = response.get('content', {}).get('application/json')
            if media and media.get('schema') == V1_ERROR:
                media['schema'] = dict(V2_ERROR)


def generic_error_statuses(spec: dict) -> None:
    """Any operation may answer 400, 401, 403, 404, 429, 500-504 with the error body of its version.

    The description lists these per operation and unevenly (403 nowhere, 429 once, 401 not on
    GET /v1/current_user), but info.description says "All endpoints are rate limited" and gives one error
    format per version; the simulator also answers 403 for permission denials, 501 for operations it does
    not simulate, and 5xx when a fault is injected.
    """
    for template, operation in _operations(spec):
        schema = V2_ERROR if template.startswith('/v2/') else V1_ERROR
        responses = operation.setdefault('responses', {})
        for status in GENERIC_ERROR_STATUSES:
            responses.setdefault(status, {
                'description': 'Not listed for this operation in the description',
                GENERIC_MARK: True,
                'content': {'application/json': {'schema': dict(schema)}},
            })


def uninstall_pin_is_an_object(spec: dict) -> None:
    """GET /v1/user_agents/uninstall_pin returns ``{"pin": "167757"}`` (sample), not a bare string."""
    response = spec['paths']['/v1/user_agents/uninstall_pin']['get']['responses']['200']
    response['content']['application/json']['schema'] = {
        'type': 'object', 'required': ['pin'], 'properties': {'pin': {'type': 'string'}},
    }


def agents_csv_is_text(spec: dict) -> None:
    """GET /v1/user_agents/csv returns the CSV document itself as ``text/csv`` (sample), not a JSON string."""
    response = spec['paths']['/v1/user_agents/csv']['get']['responses']['200']
    response['content'] = {'text/csv': {'schema': {'type': 'string'}}}


def block_pages_are_json_api(spec: dict) -> None:
    """Block pages come as JSON:API resources in a ``data`` envelope, lists with ``links`` (samples).

    The description has bare ``BlockPage`` objects and a bare array for the lists.
    """
    schemas = spec['components']['schemas']
    schemas['SimBlockPageSpec'] = {'allOf': [
        {'$ref': '#/components/schemas/IdType'},
        {'type': 'object', 'properties': {
            'attributes': {'$ref': '#/components/schemas/BlockPage'},
            'relationships': {'type': 'object'},
        }},
    ]}
    one = {'type': 'object', 'properties': {'data': {'$ref': '#/components/schemas/SimBlockPageSpec'}}}
    many = {'type': 'object', 'properties': {
        'data': {'type': 'array', 'items': {'$ref': '#/components/schemas/SimBlockPageSpec'}},
        'links': {'$ref': '#/components/schemas/Links'},
    }}
    for template, item in spec['paths'].items():
        if not template.startswith('/v1/block_pages'):
            continue
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            for status in ('200', '201'):
                media = operation['responses'].get(status, {}).get('content', {}).get('application/json')
                if media:
                    media['schema'] = dict(many if template in ('/v1/block_pages', '/v1/block_pages/all') else one)


def invoices_list_has_an_envelope(spec: dict) -> None:
    """GET /v1/invoices returns ``{"data": [...]}`` (sample), not a bare array of invoices."""
    media = spec['paths']['/v1/invoices']['get']['responses']['200']['content']['application/json']
    media['schema'] = {'type': 'object', 'properties': {
        'data': {'type': 'array', 'items': {'$ref': '#/components/schemas/Invoice'}},
    }}


def query_log_ids_are_integers(spec: dict) -> None:
    """Query-log ``organization_ids`` (and the other id lists) are integers (``traffic-reports/query-logs`` sample).

    The schema types their items as strings.
    """
    properties = spec['components']['schemas']['TrafficReportsQueryLogs']['properties']
    for name in ('organization_ids', 'network_ids', 'user_ids', 'collection_ids'):
        properties[name]['items'] = {'type': 'integer'}


def current_invoice_is_an_estimate(spec: dict) -> None:
    """GET /v1/invoices/current may carry null in any invoice field (its own description: "almost all
    invoice data are ``null``"; the ``invoices/current`` sample has a null id, dates and amounts).
    """
    schemas = spec['components']['schemas']
    estimate = {'type': 'object', 'properties': {
        name: dict(prop, nullable=True) for name, prop in schemas['Invoice']['properties'].items()}}
    schemas['SimInvoiceEstimate'] = estimate
    media = spec['paths']['/v1/invoices/current']['get']['responses']['200']['content']['application/json']
    media['schema'] = {'type': 'object', 'properties': {
        'month_to_date': {'$ref': '#/components/schemas/SimInvoiceEstimate'},
        'estimated': {'$ref': '#/components/schemas/SimInvoiceEstimate'},
    }}


def enterprise_role_default_is_a_role_name(spec: dict) -> None:
    """An enterprise connection's ``role_default`` is a role name, as the create and update payloads define it.

    The response schema types it ``integer`` with no mapping to the payload's role names.
    """
    prop = spec['components']['schemas']['EnterpriseConnection']['properties']['role_default']
    payload = spec['components']['schemas']['EnterpriseConnectionUpdatePayload']['properties']['role_default']
    prop.clear()
    prop.update(type='string', enum=list(payload['enum']), description=payload.get('description', ''))


# (schema, property) -> (the type the samples show, the sample).
SAMPLE_TYPES = {
    ('Organization', 'sync_tools_auto_update'): ('boolean', 'organizations/list'),
}


def types_from_samples(spec: dict) -> None:
    """Properties whose recorded values have another type than the schema's (``SAMPLE_TYPES`` names each sample)."""
    schemas = spec['components']['schemas']
    for (name, prop), (kind, _sample) in SAMPLE_TYPES.items():
        schemas[name]['properties'][prop]['type'] = kind


def policy_domain_note_is_optional(spec: dict) -> None:
    """The allow and block domain calls need no ``note``: DNSFilter's CLI declares it optional on the add calls and
    sends none on the remove calls (dnsfcli ``endpoints.py``); the description requires it."""
    schema = spec['components']['schemas']['PolicyUpdateSingleDomainSpec']
    schema['required'] = [name for name in schema.get('required', []) if name != 'note']


def new_agent_states_in_bodies(spec: dict) -> None:
    """With ``new_agent_states=true`` a Roaming Client's ``agent_state`` is one of the new states, ``offline``
    included (the parameter's prose: "assign user agents new agent states: Protected, Unprotected, Offline"); the
    ``UserAgent.agent_state`` enum has no ``offline``."""
    prop = spec['components']['schemas']['UserAgent']['properties']['agent_state']
    if 'offline' not in prop['enum']:
        prop['enum'] = list(prop['enum']) + ['offline']


def membership_endpoints_need_a_key(spec: dict) -> None:
    """/v1/organizations/{organization_id}/users* declare no security; the simulator requires a key.

    Every other organisation endpoint does, and an organisation's user list is not public.
    """
    for template, operation in _operations(spec):
        if template.startswith('/v1/organizations/{organization_id}/users') and 'security' not in operation:
            operation['security'] = [{'header_authorization': []}]


PATCHES = (
    deep_object_query_parameters,
    nullable_from_prose,
    nullable_from_samples,
    empty_relationships_are_null,
    timestamps_are_date_times,
    v2_error_bodies,
    generic_error_statuses,
    uninstall_pin_is_an_object,
    agents_csv_is_text,
    block_pages_are_json_api,
    invoices_list_has_an_envelope,
    current_invoice_is_an_estimate,
    query_log_ids_are_integers,
    enterprise_role_default_is_a_role_name,
    membership_endpoints_need_a_key,
    types_from_samples,
    policy_domain_note_is_optional,
    new_agent_states_in_bodies,
)


def apply_all(spec: dict, patches=PATCHES) -> dict:
    """Apply the departures (every one unless ``patches`` names fewer) to ``spec`` (in place) and return it."""
    for patch in patches:
        patch(spec)
    return spec
