# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""JumpCloud: a policy (which carries the profile) is unbound from one system through the graph API.

POST /api/v2/policies/{policy_id}/associations {"op": "remove", "type": "system", "id": <system id>}
(TheJumpCloud/jcapi PoliciesApi). Not exercised against a simulator: no JumpCloud simulator exists here.
"""

from __future__ import annotations

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.msp.dnsfilter.plugins.module_utils.mdm._base import MdmError, MdmProvider


class JumpCloudProvider(MdmProvider):
    name = 'jumpcloud'
    default_url = 'https://console.jumpcloud.com'

    def auth_headers(self):
        # JumpCloud takes its API key in x-api-key, not Authorization.
        if not self.options.get('token'):
            raise MdmError('jumpcloud needs token (the API key)')
        return {'x-api-key': self.options['token']}

    def find_device(self, serial):
        found = self.request('GET', '/api/systems?filter=%s' % quote('serialNumber:$eq:%s' % serial, safe=''))
        results = found.get('results') or []
        if len(results) != 1:
            raise MdmError('jumpcloud: %d systems with serial %s' % (len(results), serial))
        return {'id': results[0]['_id'], 'name': results[0].get('displayName') or results[0].get('hostname')}

    def device_profiles(self, device):
        bound = self.request('GET', '/api/v2/systems/%s/policies' % quote(device['id'], safe=''))
        return [{'id': p['id'], 'name': p.get('name'), 'identifier': None} for p in bound]

    def plan(self, device, profile):
        return {'description': 'unbind system %s from policy %s' % (device['id'], profile['id']),
                'path': '/api/v2/policies/%s/associations' % quote(profile['id'], safe=''),
                'body': {'op': 'remove', 'type': 'system', 'id': device['id']}}

    def apply(self, plan):
        self.request('POST', plan['path'], body=plan['body'])
