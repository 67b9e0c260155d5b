# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Jamf Pro through the Classic API: a profile's scope is edited with PUT .../osxconfigurationprofiles/id/{id}.

Jamf has no per-device "remove profile" endpoint; taking the computer out of the profile's scope (an
exclusion, or removing it from the static group the profile is scoped to) makes Jamf send RemoveProfile.
"""

from __future__ import annotations

import base64
import plistlib
import xml.etree.ElementTree as ET

from ansible.module_utils.six.moves.urllib.parse import quote
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.msp.dnsfilter.plugins.module_utils.mdm._base import MdmError, MdmProvider

XML = 'application/xml'


def _ids(element, child):
    if element is None:
        return []
    return [int(e.findtext('id')) for e in element.findall(child) if e.findtext('id')]


def _xml_ids(tag, ids):
    return ''.join('<%s><id>%d</id></%s>' % (tag, i, tag) for i in sorted(set(ids)))


class JamfProvider(MdmProvider):
    name = 'jamf'

    def auth_headers(self):
        if self.options.get('token'):
            return {'Authorization': 'Bearer %s' % self.options['token']}
        if not (self.options.get('username') and self.options.get('password')):
            raise MdmError('jamf needs token, or username and password')
        # Trade the account for a Jamf Pro API token: Basic on the Classic API is deprecated in newer releases.
        basic = base64.b64encode(to_bytes('%s:%s' % (self.options['username'], self.options['password']))).decode()
        token = self.request('POST', '/api/v1/auth/token', auth={'Authorization': 'Basic %s' % basic})['token']
        return {'Authorization': 'Bearer %s' % token}

    def _get_xml(self, path):
        try:
            return ET.fromstring(self.request('GET', path, accept=XML))
        except ET.ParseError as exc:
            raise MdmError('jamf GET %s: not XML (%s)' % (path, exc))

    def find_device(self, serial):
        root = self._get_xml('/JSSResource/computers/serialnumber/%s' % quote(serial, safe=''))
        return {'id': int(root.findtext('general/id')), 'name': root.findtext('general/name'), 'serial': root.findtext('general/serial_number'),
                'profile_ids': _ids(root.find('configuration_profiles'), 'configuration_profile')}

    def _profile(self, profile_id):
        root = self._get_xml('/JSSResource/osxconfigurationprofiles/id/%d' % profile_id)
        identifier = None
        payloads = root.findtext('general/payloads')
        if payloads:
            try:
                identifier = plistlib.loads(to_bytes(payloads)).get('PayloadIdentifier')
            except (plistlib.InvalidFileException, ValueError, AttributeError):
                identifier = None
        scope = root.find('scope')
        return {
            'id': profile_id, 'name': root.findtext('general/name'), 'identifier': identifier, 'uuid': root.findtext('general/uuid'),
            'computers': _ids(scope.find('computers'), 'computer'),
            'computer_groups': _ids(scope.find('computer_groups'), 'computer_group'),
            'excluded_computers': _ids(scope.find('exclusions/computers'), 'computer'),
        }

    def device_profiles(self, device):
        return [self._profile(profile_id) for profile_id in device['profile_ids']]

    def plan(self, device, profile):
        method = self.options.get('method') or 'exclude'
        if method == 'exclude':
            if device['id'] in profile['excluded_computers']:
                return None
            excluded = profile['excluded_computers'] + [device['id']]
            body = ('<os_x_configuration_profile><scope><exclusions><computers>%s</computers></exclusions></scope>'
                    '</os_x_configuration_profile>' % _xml_ids('computer', excluded))
            return {'description': 'exclude computer %d from profile %d' % (device['id'], profile['id']),
                    'calls': [('/JSSResource/osxconfigurationprofiles/id/%d' % profile['id'], body)]}
        calls = []
        if device['id'] in profile['computers']:
            # Scoped to the computer itself: drop it from the profile's computer list.
            body = ('<os_x_configuration_profile><scope><computers>%s</computers></scope></os_x_configuration_profile>'
                    % _xml_ids('computer', [c for c in profile['computers'] if c != device['id']]))
            calls.append(('/JSSResource/osxconfigurationprofiles/id/%d' % profile['id'], body))
        for group_id in profile['computer_groups']:
            group = self._get_xml('/JSSResource/computergroups/id/%d' % group_id)
            if device['id'] not in _ids(group.find('computers'), 'computer'):
                continue
            if group.findtext('is_smart') == 'true':
                raise MdmError('jamf: computer %d gets profile %d through smart group %d; use method=exclude' % (device['id'], profile['id'], group_id))
            body = '<computer_group><computer_deletions><computer><id>%d</id></computer></computer_deletions></computer_group>' % device['id']
            calls.append(('/JSSResource/computergroups/id/%d' % group_id, body))
        if not calls:
            return None
        return {'description': 'remove computer %d from the scope of profile %d (%d call(s))' % (device['id'], profile['id'], len(calls)),
                'calls': calls}

    def apply(self, plan):
        for path, body in plan['calls']:
            self.request('PUT', path, body=body, content_type=XML, accept=XML, expect=(200, 201))
