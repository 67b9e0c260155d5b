# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""What every msp.dnsfilter module shares: options, the client, error handling, results and diff.

A module builds a DNSFilterModule, reads the current state, decides the changes, performs each write
through `self.write(...)` (which does nothing in check mode), and calls `exit(...)`. The same decision
code runs in check mode and for real, so both report the same `changed` and the same diff.
"""

from __future__ import annotations

import copy

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.msp.dnsfilter.plugins.module_utils._identity import clean, how_they_differ
from ansible_collections.msp.dnsfilter.plugins.module_utils._api import (
    API_ARGUMENT_SPEC, DNSFilterClient, DNSFilterError, HAS_REQUESTS, REQUESTS_IMPORT_ERROR)

# Attributes whose values are secrets or per-request noise; never put into results or diffs.
REDACTED_KEYS = frozenset(('token', 'secret_key', 'pin', 'password', 'client_secret', 'intercom_user_verification'))


def flatten(resource):
    """A JSON:API resource as one flat dict: id, its attributes, and relationship ids as <name>_id."""
    if not isinstance(resource, dict):
        return resource
    if 'attributes' not in resource:
        return redact(dict(resource))
    flat = {'id': resource.get('id')}
    flat.update(resource.get('attributes') or {})
    for name, rel in (resource.get('relationships') or {}).items():
        data = rel.get('data') if isinstance(rel, dict) else None
        if isinstance(data, dict) and '%s_id' % name not in flat:
            flat['%s_id' % name] = data.get('id')
    return redact(flat)


def redact(obj):
    """A copy of obj with secret-bearing keys removed, at any depth."""
    if isinstance(obj, dict):
        return {k: redact(v) for k, v in obj.items() if k not in REDACTED_KEYS}
    if isinstance(obj, list):
        return [redact(v) for v in obj]
    return obj


def same_id(a, b):
    """Ids compare as text: the API returns integers as strings in some places and as numbers in others."""
    return a is not None and b is not None and str(a) == str(b)


class DNSFilterModule:
    """An AnsibleModule with the DNSFilter connection options, a client, and check-mode aware writes."""

    def __init__(self, argument_spec, supports_check_mode=True, **kwargs):
        spec = copy.deepcopy(API_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=str(REQUESTS_IMPORT_ERROR))
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.changed = False
        self.warnings = []
        self._organizations = None
        try:
            self.client = DNSFilterClient.from_module(self.module)
        except DNSFilterError as exc:
            self.module.fail_json(msg=exc.message)

    def write(self, method, path, body=None, params=None, missing_ok=False):
        """Perform one write unless in check mode; marks the result changed (a refused write changes nothing)."""
        if self.check_mode:
            self.changed = True
            return None
        data = self.client.request(method, path, params=params, json_body=body, missing_ok=missing_ok).data
        self.changed = True
        return data

    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=msg, changed=self.changed, api_calls=self.client.calls, **kwargs)

    def exit(self, diff=None, **result):
        if diff is not None and self.module._diff:
            result['diff'] = redact(diff)
        if self.warnings:
            for warning in self.warnings:
                self.module.warn(warning)
        self.module.exit_json(changed=self.changed, api_calls=self.client.calls, **redact(result))

    def run(self, main):
        """Call main(self); a DNSFilterError becomes a clean failure naming what was done so far."""
        try:
            main(self)
        except DNSFilterError as exc:
            self.fail(exc.message, status=exc.status)

    # Lookups shared by several modules.

    def organizations(self, params=None):
        """Every organisation the key's user can see (an MSP user sees its sub-organisations); read once per task."""
        if params:
            return [flatten(o) for o in self.client.paginate('/v1/organizations', params=params)]
        if getattr(self, '_organizations', None) is None:
            self._organizations = [flatten(o) for o in self.client.paginate('/v1/organizations')]
        return self._organizations

    def organization(self, org_id, name=None, body=None):
        """One organisation by id; with name, the name must match exactly (a guard against a wrong id).

        Exactly: Unicode NFC, surrounding whitespace ignored, letter case significant; a case twin or a look-alike is
        refused, and the message says how the two names differ. body: the organisation's GET answer, when read already.
        """
        if body is None:
            body = self.client.get('/v1/organizations/%s' % org_id, missing_ok=True)
        if not body or not body.get('data'):
            self.fail('Organisation %s was not found, or the API key cannot see it.' % org_id)
        org = flatten(body['data'])
        if name is not None and clean(org.get('name')) != clean(name):
            differ = how_they_differ(name, org.get('name'))
            self.fail('Organisation %s is named %r, not %r%s: refusing to act on it. The name must match exactly, '
                      'letter case included; check the id and the name. Nothing was changed.'
                      % (org_id, clean(org.get('name')), clean(name), '' if differ == 'they are different names' else ' (%s)' % differ),
                      organization={'id': str(org.get('id') or org_id), 'name': org.get('name')})
        if name is not None:
            # The name must also tell this organisation apart from every other: "Globex" is the name of "Globex" and
            # of "Globex " alike once spaces are ignored, so with it a mistyped id would pass unnoticed.
            twins = [o for o in self.organizations() if clean(o.get('name')) == clean(name) and not same_id(o.get('id'), org_id)]
            if twins:
                self.fail('The name %r does not tell organisation %s apart: %s also %s it, once surrounding spaces are '
                          'ignored. Check the id; the name cannot confirm it. Nothing was changed.'
                          % (clean(name), org_id, ', '.join('%s (%r)' % (o.get('id'), o.get('name')) for o in twins),
                             'has' if len(twins) == 1 else 'have'),
                          candidates=[{'id': str(o.get('id')), 'name': o.get('name')} for o in [org] + twins])
        return org
