# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""The HTTP transport the PSA providers share, with the retry rules of plugins/module_utils/_api.py.

- a 429 is waited out as its Retry-After says, for every method (the PSA did not process it);
- 5xx and connection errors are retried with backoff only for reads (and calls marked idempotent, such
  as an OAuth token request); a POST is re-sent only when the connection was never established, so a
  note or a file is never written twice by the client;
- every retry fits in one deadline per call;
- credentials travel only in headers or the token request, and every message is scrubbed of them.
"""

from __future__ import annotations

import json
import random
import time

try:
    import requests
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the module's missing_required_lib path
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import (
    IDEMPOTENT_METHODS, RETRY_STATUSES, USER_AGENT, RetryBudget, _is_connect_failure)


class PsaError(Exception):
    """A PSA call that did not succeed; the message is written for the engineer and holds no credential."""

    def __init__(self, message, status=None, retryable=False, body=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retryable = retryable
        self.body = body


class Reply:
    """What a call returned: status, headers, the decoded JSON body (None if not JSON) and the raw bytes."""

    def __init__(self, status, headers, data, content):
        self.status = status
        self.headers = headers
        self.data = data
        self.content = content


def reason_of(body):
    """The PSA's own words from an error body (ConnectWise, Autotask, HaloPSA and OAuth shapes)."""
    if isinstance(body, str):
        return body.strip()[:500]
    if isinstance(body, list):
        return '; '.join(reason_of(item) for item in body if item)
    if not isinstance(body, dict):
        return ''
    parts = []
    for key in ('message', 'Message', 'error_description', 'error'):
        if isinstance(body.get(key), str) and body[key]:
            parts.append(body[key])
            break
    errors = body.get('errors')
    if isinstance(errors, list):
        for err in errors:
            if isinstance(err, dict):
                text = err.get('message') or err.get('Message') or json.dumps(err, sort_keys=True)
                field = err.get('field')
                parts.append('%s (%s)' % (text, field) if field and field not in text else text)
            elif err:
                parts.append(str(err))
    return '; '.join(parts) if parts else json.dumps(body, sort_keys=True)[:500]


class PsaHttp:
    """One session to one PSA: retries that never repeat a write, a per-call deadline, scrubbed messages."""

    def __init__(self, base_url, product, validate_certs=True, ca_path=None, request_timeout=30.0, api_deadline=300.0,
                 session=None, sleep=None, clock=None, rng=None, backoff_base=0.5, backoff_cap=30.0):
        if not HAS_REQUESTS:
            raise PsaError('The Python library "requests" is required on the host that talks to %s.' % product)
        self.base_url = base_url.rstrip('/')
        self.product = product
        self.timeout = request_timeout
        self.deadline = api_deadline
        self.hints = {}
        self.calls = 0
        self._secrets = []
        self._sleep = sleep or time.sleep
        self._clock = clock or time.monotonic
        self._rng = rng or random.Random()
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        # Sessions are made here and only here, so unit tests can put their seam in place of requests.Session.
        self.session = session or requests.Session()
        # No transport-level retries: this class decides what may be repeated.
        self.session.mount('https://', HTTPAdapter(max_retries=0))
        self.session.mount('http://', HTTPAdapter(max_retries=0))
        self.session.headers.update({'Accept': 'application/json', 'User-Agent': USER_AGENT})
        # Passed with every request: requests lets REQUESTS_CA_BUNDLE override a session's own setting.
        self.verify = (ca_path or True) if validate_certs else False

    def add_secret(self, value):
        """A value that must never appear in a message (a key, a password, a token, an encoded login)."""
        if value:
            self._secrets.append(str(value))

    def redact(self, text):
        text = '' if text is None else str(text)
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, '<redacted>')
        return text

    def url(self, path):
        if path.startswith(('http://', 'https://')):
            return path
        return '%s/%s' % (self.base_url, path.lstrip('/'))

    def budget(self):
        return RetryBudget(self.deadline, self._sleep, self._clock, self._rng, self._backoff_base, self._backoff_cap)

    def request(self, method, path, params=None, json_body=None, data=None, files=None, headers=None,
                expected=(200, 201, 204), missing_ok=False, idempotent=None, action=None):
        """One call with retries; returns a Reply or raises PsaError.

        idempotent: override the method's own rule (an OAuth token request changes nothing, so it may be repeated).
        action: what the call does, for messages ("add the note").
        """
        method = method.upper()
        url = self.url(path)
        shown = '%s %s' % (method, url.split('?', 1)[0].replace(self.base_url, '', 1) or '/')
        repeatable = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        budget = self.budget()
        while True:
            budget.attempt += 1
            try:
                self.calls += 1
                resp = self.session.request(method, url, params=params, json=json_body, data=data, files=files, headers=headers,
                                            verify=self.verify, timeout=max(1.0, min(self.timeout, budget.remaining())))
            except requests.exceptions.RequestException as exc:
                if isinstance(exc, requests.exceptions.SSLError):
                    raise PsaError('TLS verification of %s failed: %s. Set ca_path to the CA bundle that signs its certificate '
                                   '(validate_certs=false only for a lab).' % (self.product, self.redact(exc))) from None
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or (
                    isinstance(exc, requests.exceptions.ConnectionError) and _is_connect_failure(exc))
                if repeatable or never_sent:
                    if budget.wait(budget.backoff()):
                        continue
                    raise PsaError('Could not reach %s at %s within the %.0f s deadline (%d attempts): %s'
                                   % (self.product, self.base_url, self.deadline, budget.attempt, self.redact(exc)), retryable=True) from None
                raise PsaError(
                    'The connection to %s dropped during %s%s, after the request may have reached it. It was not sent again, '
                    'so that nothing is posted twice; run the task again: it reads the ticket first and posts only what is '
                    'missing. (%s)' % (self.product, shown, ' (%s)' % action if action else '', self.redact(exc)),
                    retryable=True) from None

            status = resp.status_code
            if status == 429:
                if budget.wait(budget.after_429(resp.headers)):
                    continue
                raise PsaError('%s rate limit (HTTP 429) on %s: it asked to wait %s s, beyond the %.0f s deadline (api_deadline).'
                               % (self.product, shown, resp.headers.get('Retry-After', '?'), self.deadline), status=429, retryable=True)
            if status in RETRY_STATUSES and repeatable and budget.wait(budget.backoff()):
                continue
            return self._finish(resp, shown, expected, missing_ok, repeatable, action)

    def _finish(self, resp, shown, expected, missing_ok, repeatable, action):
        status = resp.status_code
        content = resp.content or b''
        data = None
        ctype = (resp.headers.get('Content-Type') or '').lower()
        if content and ('json' in ctype or not ctype):
            try:
                data = json.loads(content.decode('utf-8'))
            except ValueError:
                data = None
        if status in expected or (missing_ok and status == 404):
            return Reply(status, resp.headers, data, content)
        if data is None and content:
            data = content.decode('utf-8', 'replace')
        reason = self.redact(reason_of(data))
        what = '%s%s' % (shown, ' (%s)' % action if action else '')
        hint = self.hints.get(status, '')
        if status == 401:
            msg = '%s rejected the credentials (HTTP 401) on %s. %s' % (self.product, what, hint)
        elif status == 403:
            msg = '%s refused %s (HTTP 403)%s. %s' % (self.product, what, ': %s' % reason if reason else '', hint)
        elif status == 404:
            msg = '%s found nothing at %s (HTTP 404)%s. %s' % (self.product, what, ': %s' % reason if reason else '', hint)
        elif status >= 500:
            msg = '%s failed on %s (HTTP %d)%s.%s' % (
                self.product, what, status, ': %s' % reason if reason else '',
                '' if repeatable else ' The write was not retried, so it is not applied twice; run the task again: it reads '
                'the ticket first.')
        else:
            msg = '%s refused %s (HTTP %d): %s' % (self.product, what, status, reason or 'no reason given')
        raise PsaError(self.redact(msg.strip()), status=status, retryable=status >= 500, body=data)
