# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Kandji (Iru): library items (profiles) are scoped to blueprints, not to devices.

POST /api/v1/blueprints/{id}/remove-library-item would take the profile from every device on the blueprint,
so one device leaves the profile by moving to another blueprint: PATCH /api/v1/devices/{id} {"blueprint_id": ...}
(target_blueprint_id, a blueprint without the DNSFilter profiles). Not exercised against a simulator.
"""

from __future__ import annotations

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.msp.dnsfilter.plugins.module_utils.mdm._base import MdmError, MdmProvider


class KandjiProvider(MdmProvider):
    name = 'kandji'

    def find_device(self, serial):
        found = self.request('GET', '/api/v1/devices?serial_number=%s' % quote(serial, safe=''))
        if len(found) != 1:
            raise MdmError('kandji: %d devices with serial %s' % (len(found), serial))
        return {'id': found[0]['device_id'], 'name': found[0].get('device_name'), 'blueprint_id': found[0].get('blueprint_id')}

    def device_profiles(self, device):
        # The device gets whatever its blueprint carries; the blueprint stands for each profile here.
        return [{'id': device['blueprint_id'], 'name': 'blueprint %s' % device['blueprint_id'], 'identifier': None}]

    def plan(self, device, profile):
        target = self.options.get('target_blueprint_id')
        if not target:
            raise MdmError('kandji needs target_blueprint_id: a blueprint without the DNSFilter profiles')
        if device['blueprint_id'] == target:
            return None
        return {'description': 'move device %s from blueprint %s to %s' % (device['id'], device['blueprint_id'], target),
                'path': '/api/v1/devices/%s' % quote(device['id'], safe=''), 'body': {'blueprint_id': target}}

    def apply(self, plan):
        self.request('PATCH', plan['path'], body=plan['body'])
