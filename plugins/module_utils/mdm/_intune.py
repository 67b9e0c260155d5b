# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Microsoft Intune through Graph: profile assignments target Entra groups only.

The profile must already exclude a group (deviceConfigurationGroupAssignment with excludeGroup, or an
exclusionGroupAssignmentTarget); the device leaves the profile by joining that group:
POST /v1.0/groups/{exclusion_group_id}/members/$ref. Not exercised against a simulator.
"""

from __future__ import annotations

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.msp.dnsfilter.plugins.module_utils.mdm._base import MdmError, MdmProvider

GRAPH_OBJECT = 'https://graph.microsoft.com/v1.0/directoryObjects/%s'


class IntuneProvider(MdmProvider):
    name = 'intune'
    default_url = 'https://graph.microsoft.com'

    def find_device(self, serial):
        query = quote("serialNumber eq '%s'" % serial.replace("'", "''"), safe='')
        managed = self.request('GET', '/v1.0/deviceManagement/managedDevices?$filter=%s' % query).get('value') or []
        if len(managed) != 1:
            raise MdmError('intune: %d managed devices with serial %s' % (len(managed), serial))
        entra_id = managed[0].get('azureADDeviceId')
        query = quote("deviceId eq '%s'" % entra_id, safe='')
        objects = self.request('GET', '/v1.0/devices?$filter=%s' % query).get('value') or []
        if len(objects) != 1:
            raise MdmError('intune: the Entra device object for %s was not found' % serial)
        return {'id': managed[0]['id'], 'name': managed[0].get('deviceName'), 'object_id': objects[0]['id']}

    def device_profiles(self, device):
        group = self._group()
        found = []
        for profile in self.request('GET', '/v1.0/deviceManagement/deviceConfigurations?$select=id,displayName').get('value') or []:
            assignments = self.request('GET', '/v1.0/deviceManagement/deviceConfigurations/%s/assignments' % profile['id']).get('value') or []
            excludes = any((a.get('target') or {}).get('groupId') == group and 'exclusion' in (a.get('target') or {}).get('@odata.type', '')
                           for a in assignments)
            found.append({'id': profile['id'], 'name': profile.get('displayName'), 'identifier': None, 'excludes_group': excludes})
        return found

    def _group(self):
        group = self.options.get('exclusion_group_id')
        if not group:
            raise MdmError('intune needs exclusion_group_id: the Entra group the DNSFilter profiles exclude')
        return group

    def plan(self, device, profile):
        group = self._group()
        if not profile['excludes_group']:
            raise MdmError('intune: profile %s does not exclude group %s; add the exclusion assignment first' % (profile['name'], group))
        members = self.request('GET', '/v1.0/groups/%s/members?$select=id' % quote(group, safe='')).get('value') or []
        if any(m.get('id') == device['object_id'] for m in members):
            return None
        return {'description': 'add device %s to exclusion group %s' % (device['object_id'], group),
                'path': '/v1.0/groups/%s/members/$ref' % quote(group, safe=''), 'body': {'@odata.id': GRAPH_OBJECT % device['object_id']}}

    def apply(self, plan):
        self.request('POST', plan['path'], body=plan['body'])
