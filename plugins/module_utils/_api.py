# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""The one DNSFilter API client every module, the inventory plugin and the tests use.

What it guarantees:
- the API key travels only in the Authorization header and never appears in an error message;
- a 429 is waited out as its Retry-After says, for every method (the API did not process it);
- 5xx and connection errors are retried with exponential backoff and jitter only for idempotent
  methods; a POST or PATCH is re-sent only when the API cannot have received it (the connection was
  never established), so a write is never applied twice by the client;
- every retry fits in one deadline (seconds) per call;
- pagination follows to the last page and never drops or repeats an item.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import random
import re
import time

from urllib.parse import urljoin, urlsplit

try:
    import requests
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the modules' missing_required_lib path
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible.module_utils.basic import env_fallback

DEFAULT_API_URL = 'https://api.dnsfilter.com'
USER_AGENT = 'msp.dnsfilter-ansible/0.1.0'

# Methods whose repetition cannot change the outcome (RFC 9110 9.2.2).
IDEMPOTENT_METHODS = frozenset(('GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'))
RETRY_STATUSES = frozenset((500, 502, 503, 504))

API_ARGUMENT_SPEC = dict(
    api_url=dict(type='str', fallback=(env_fallback, ['DNSFILTER_API_URL'])),
    api_key=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['DNSFILTER_API_KEY'])),
    validate_certs=dict(type='bool', default=True),
    ca_path=dict(type='path', fallback=(env_fallback, ['DNSFILTER_CA_PATH'])),
    request_timeout=dict(type='float', default=30.0),
    api_deadline=dict(type='float', default=300.0),
    journal=dict(type='dict', options=dict(path=dict(type='path', required=True), run=dict(type='str'))),
)


class DNSFilterError(Exception):
    """An API call that did not succeed; the message is written for the engineer running the job."""

    def __init__(self, message, status=None, method=None, path=None, body=None, retryable=False):
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.body = body
        self.retryable = retryable


class Response:
    """What a call returned: status, headers and the decoded JSON body (None when there is none)."""

    def __init__(self, status, headers, data):
        self.status = status
        self.headers = headers
        self.data = data


def _api_reason(body):
    """The API's own reason from a v1 ({"error": "..."}) or v2 ({"error": {"message": "..."}}) body."""
    if isinstance(body, dict):
        err = body.get('error', body.get('errors'))
        if isinstance(err, dict):
            return err.get('message') or json.dumps(err, sort_keys=True)
        if isinstance(err, list):
            return '; '.join(e.get('detail') or e.get('title') or json.dumps(e, sort_keys=True) if isinstance(e, dict) else str(e) for e in err)
        if err:
            return str(err)
        if body.get('message'):
            return str(body['message'])
    if body:
        return str(body)[:500]
    return ''


def _org_of(path, params):
    """The organisation a request is about, for error messages."""
    match = re.search(r'/organizations/(\d+)', path)
    if match:
        return match.group(1)
    params = params or {}
    for name in ('organization_id', 'organization_ids', 'msp_id'):
        value = params.get(name)
        if value not in (None, '', []):
            return ','.join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
    return None


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def flatten_params(params):
    """Query parameters as the API expects them: nested objects as key[sub]=v, lists as repeated keys."""
    flat = []
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, dict):
            for sub, subvalue in value.items():
                if subvalue is not None:
                    flat.append(('%s[%s]' % (key, sub), _scalar(subvalue)))
        elif isinstance(value, (list, tuple, set)):
            for item in value:
                flat.append((key, _scalar(item)))
        else:
            flat.append((key, _scalar(value)))
    return flat


def _scalar(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


class RetryBudget:
    """One call's time: backoff with full jitter, Retry-After waits for 429, and never past the deadline.

    Shared by the DNSFilter client and the PSA transport, which differ only in what they may repeat.
    """

    def __init__(self, deadline, sleep, clock, rng, base, cap):
        self.deadline = deadline
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self._base = base
        self._cap = cap
        self.started = clock()
        self.attempt = 0

    def remaining(self):
        return self.deadline - (self._clock() - self.started)

    def backoff(self):
        return self._rng.uniform(0, min(self._cap, self._base * (2 ** self.attempt)))

    def after_429(self, headers):
        """How long a 429 asks us to wait (its Retry-After, else backoff), with a little jitter on top."""
        retry_after = parse_retry_after(headers.get('Retry-After'))
        wait = retry_after if retry_after is not None else self.backoff()
        # Jitter, so parallel forks do not return in lock-step.
        return wait + self._rng.uniform(0, min(1.0, wait * 0.1 + 0.05))

    def wait(self, seconds):
        """Sleep and return True if the wait fits in the deadline; else return False at once."""
        if self._clock() - self.started + seconds < self.deadline:
            self._sleep(seconds)
            return True
        return False


class DNSFilterClient:
    """A DNSFilter API session with retries, a per-call deadline and pagination."""

    def __init__(self, api_key, api_url=None, validate_certs=True, ca_path=None, request_timeout=30.0,
                 api_deadline=300.0, session=None, sleep=time.sleep, clock=time.monotonic, rng=None,
                 backoff_base=0.5, backoff_cap=30.0):
        if not HAS_REQUESTS:
            raise DNSFilterError('The Python library "requests" is required on the host that talks to the DNSFilter API.')
        if not api_key:
            raise DNSFilterError('No DNSFilter API key: set api_key or the DNSFILTER_API_KEY environment variable.')
        self.api_url = (api_url or DEFAULT_API_URL).rstrip('/') + '/'
        self._key = api_key
        self.timeout = request_timeout
        self.deadline = api_deadline
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self.calls = 0
        self.session = session or requests.Session()
        # No transport-level retries: this class decides what may be repeated.
        self.session.mount('https://', HTTPAdapter(max_retries=0))
        self.session.mount('http://', HTTPAdapter(max_retries=0))
        self.session.headers.update({
            'Authorization': api_key,
            'Accept': 'application/json',
            'User-Agent': USER_AGENT,
        })
        # Passed with every request: requests lets REQUESTS_CA_BUNDLE override a session's own setting.
        self.verify = (ca_path or True) if validate_certs else False

    @classmethod
    def from_module(cls, module):
        """A client configured from the common options (see the msp.dnsfilter.api doc fragment)."""
        params = module.params
        return cls(
            api_key=params['api_key'],
            api_url=params.get('api_url'),
            validate_certs=params.get('validate_certs', True),
            ca_path=params.get('ca_path'),
            request_timeout=params.get('request_timeout') or 30.0,
            api_deadline=params.get('api_deadline') or 300.0,
        )

    def _redact(self, text):
        """Belt and braces: an API key must never reach a message, even if a server echoes it."""
        text = '' if text is None else str(text)
        return text.replace(self._key, '<redacted>') if self._key else text

    def url(self, path):
        if path.startswith('http://') or path.startswith('https://'):
            return path
        return urljoin(self.api_url, path.lstrip('/'))

    def budget(self):
        return RetryBudget(self.deadline, self._sleep, self._clock, self._rng, self._backoff_base, self._backoff_cap)

    def request(self, method, path, params=None, json_body=None, expected=(200, 201, 202, 204), missing_ok=False):
        """One API call with retries. Returns a Response; raises DNSFilterError.

        missing_ok: a 404 is an answer, not an error (e.g. absent state, or a DELETE retried after a
        lost response that had already deleted the object).
        """
        method = method.upper()
        url = self.url(path)
        display_path = urlsplit(url).path
        query = flatten_params(params)
        budget = self.budget()
        while True:
            budget.attempt += 1
            try:
                self.calls += 1
                resp = self.session.request(method, url, params=query, json=json_body, verify=self.verify,
                                            timeout=max(1.0, min(self.timeout, budget.remaining())))
            except requests.exceptions.RequestException as exc:
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or (
                    isinstance(exc, requests.exceptions.ConnectionError) and _is_connect_failure(exc))
                if isinstance(exc, requests.exceptions.SSLError):
                    raise DNSFilterError(
                        'TLS verification of %s failed: %s. Set ca_path to the CA bundle that signs the API '
                        'certificate (validate_certs=false only for a lab).' % (self.api_url, self._redact(exc)),
                        method=method, path=display_path)
                if method in IDEMPOTENT_METHODS or never_sent:
                    if budget.wait(budget.backoff()):
                        continue
                    raise DNSFilterError(
                        'Could not reach the DNSFilter API at %s within the %.0f s deadline (%d attempts): %s'
                        % (self.api_url, self.deadline, budget.attempt, self._redact(exc)),
                        method=method, path=display_path, retryable=True)
                raise DNSFilterError(
                    'The connection dropped during %s %s, after the request may have reached DNSFilter. It was not '
                    'sent again, so that the change is not applied twice; run the task again: it reads the current '
                    'state first. (%s)' % (method, display_path, self._redact(exc)),
                    method=method, path=display_path, retryable=True)

            status = resp.status_code
            if status == 429:
                if budget.wait(budget.after_429(resp.headers)):
                    continue
                raise DNSFilterError(
                    'DNSFilter rate limit (HTTP 429) on %s %s: the API asked to wait %s s, beyond the %.0f s deadline '
                    '(api_deadline). The limit is per organisation; run fewer jobs against it at once or raise '
                    'api_deadline.' % (method, display_path, resp.headers.get('Retry-After', '?'), self.deadline),
                    status=429, method=method, path=display_path, retryable=True)
            if status in RETRY_STATUSES and method in IDEMPOTENT_METHODS and budget.wait(budget.backoff()):
                continue
            return self._finish(resp, method, display_path, params, expected, missing_ok)

    def _finish(self, resp, method, path, params, expected, missing_ok):
        status = resp.status_code
        data = None
        if resp.content:
            try:
                data = resp.json()
            except ValueError:
                data = resp.text
        if status in expected or (missing_ok and status == 404):
            return Response(status, resp.headers, data)
        reason = self._redact(_api_reason(data))
        org = _org_of(path, params)
        where = '%s %s' % (method, path)
        if status == 401:
            msg = ('DNSFilter rejected the API key (HTTP 401) on %s: the key is invalid, expired or revoked. '
                   'Check api_key or DNSFILTER_API_KEY.' % where)
        elif status == 403:
            msg = ("The API key's user lacks permission for %s%s (HTTP 403)%s. A read-only key cannot write; a "
                   "technician sees only the organisations they are a member of."
                   % (where, ' on organisation %s' % org if org else '', ': %s' % reason if reason else ''))
        elif status == 404:
            msg = 'Not found (HTTP 404): %s%s.' % (where, ': %s' % reason if reason else '')
        elif status == 409:
            msg = 'DNSFilter refused %s because of a conflict (HTTP 409): %s' % (where, reason)
        elif status == 422:
            msg = 'DNSFilter refused %s (HTTP 422): %s' % (where, reason or 'unprocessable request')
        elif status == 400:
            msg = 'DNSFilter rejected the request %s as invalid (HTTP 400): %s' % (where, reason)
        elif status >= 500:
            msg = ('DNSFilter failed on %s (HTTP %d)%s%s' % (
                where, status, ': %s' % reason if reason else '',
                '' if method in IDEMPOTENT_METHODS else '. The write was not retried, so it is not applied twice; '
                'run the task again: it reads the current state first.'))
        else:
            msg = 'Unexpected HTTP %d from DNSFilter on %s: %s' % (status, where, reason)
        raise DNSFilterError(msg, status=status, method=method, path=path, body=data, retryable=status >= 500)

    def get(self, path, params=None, missing_ok=False):
        """GET one resource; returns the decoded body (None for a 404 when missing_ok)."""
        resp = self.request('GET', path, params=params, missing_ok=missing_ok)
        return None if resp.status == 404 else resp.data

    def post(self, path, body=None, params=None):
        return self.request('POST', path, params=params, json_body=body).data

    def patch(self, path, body=None, params=None):
        return self.request('PATCH', path, params=params, json_body=body).data

    def put(self, path, body=None, params=None):
        return self.request('PUT', path, params=params, json_body=body).data

    def delete(self, path, params=None, missing_ok=True):
        """DELETE; a 404 counts as done (absent is absent, also after a retried DELETE)."""
        return self.request('DELETE', path, params=params, missing_ok=missing_ok).status != 404

    def paginate(self, path, params=None, page_size=100, key='data'):
        """Yield every item of a paginated v1 list, page by page, in bounded memory.

        Pages are requested by number until one comes back short or empty. An item seen twice (the
        server ignored the page number, or the list shifted under us) is an error, never silently
        repeated or dropped.
        """
        params = dict(params or {})
        number = 1
        seen = set()
        while True:
            query = dict(params)
            query['page'] = {'number': number, 'size': page_size}
            body = self.get(path, params=query) or {}
            items = body.get(key) if isinstance(body, dict) else body
            items = items or []
            for item in items:
                ident = _identity(item)
                if ident is not None:
                    if ident in seen:
                        raise DNSFilterError(
                            'Pagination of %s returned item %s twice (page %d); the list changed while it was read '
                            'or the page parameters were ignored. Run again.' % (path, ident, number),
                            method='GET', path=path)
                    seen.add(ident)
                yield item
            if len(items) < page_size or not _has_next(body, number):
                return
            number += 1

    def list(self, path, params=None, page_size=100, key='data'):
        return list(self.paginate(path, params=params, page_size=page_size, key=key))

    def download(self, url, fileobj, chunk_size=65536):
        """Stream a finished export's file into fileobj; returns (bytes written, SHA-256 hex).

        Export URLs are pre-signed and may point at another host: the API key is never sent with them.
        """
        digest = hashlib.sha256()
        size = 0
        with requests.Session() as plain:
            plain.headers['User-Agent'] = USER_AGENT
            try:
                with plain.get(url, stream=True, timeout=self.timeout, verify=self.verify) as resp:
                    if resp.status_code != 200:
                        raise DNSFilterError('Downloading the export failed (HTTP %d).' % resp.status_code, status=resp.status_code)
                    for block in resp.iter_content(chunk_size):
                        fileobj.write(block)
                        digest.update(block)
                        size += len(block)
            except requests.exceptions.RequestException as exc:
                raise DNSFilterError('Downloading the export failed: %s' % self._redact(exc), retryable=True) from None
        return size, digest.hexdigest()


def _identity(item):
    if isinstance(item, dict):
        ident = item.get('id', item.get('uuid'))
        return None if ident is None else '%s:%s' % (item.get('type', ''), ident)
    return None


def _has_next(body, number):
    """False only when the API says this was the last page; absent links mean 'ask for the next one'."""
    if not isinstance(body, dict):
        return True
    links = body.get('links')
    if isinstance(links, dict) and 'next' in links:
        return bool(links.get('next'))
    meta = body.get('meta')
    if isinstance(meta, dict):
        pages = meta.get('total_pages') or meta.get('pages')
        if isinstance(pages, int):
            return number < pages
    return True


def _is_connect_failure(exc):
    """True when the TCP/TLS connection was never established, so the server cannot have seen the request."""
    text = repr(exc)
    return any(marker in text for marker in (
        'NewConnectionError', 'Failed to establish a new connection', 'Connection refused',
        'Name or service not known', 'nodename nor servname', 'Temporary failure in name resolution'))
