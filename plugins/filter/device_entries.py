# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: device_entries
short_description: The devices an operator named, with asset ids resolved through the inventory
version_added: 0.1.0
description:
  - An exit names devices the way the O(msp.dnsfilter.roaming_client#module:devices) option takes them - an agent id,
    a hostname, or a dict - and may also name one by its asset id from the MSP's RMM or asset register.
  - DNSFilter has no asset ids. This filter finds the one inventory host whose C(dnsfilter_asset_id) hostvar is the
    asset id given and replaces the entry by that host's C(dnsfilter_agent_id) (or, without one, its
    C(dnsfilter_hostname), else its inventory name), keeping the asset id for the evidence.
  - An asset id that no host, or more than one host, carries is an error that names the hosts, so a typo or a
    duplicated asset tag never selects a device.
  - Plain strings are split from one-per-line text (an AWX survey's textarea) and stripped; empty lines are dropped.
options:
  _input:
    description: The devices as named (a list, or text with one device per line).
    type: raw
    required: true
  hostvars:
    description: The inventory's C(hostvars).
    type: raw
    required: true
  hosts:
    description: The inventory hosts to search (usually C(groups['all'])).
    type: list
    elements: str
    required: true
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: The devices that retire, asset ids resolved
  ansible.builtin.set_fact:
    devices: "{{ dnsfilter_devices | msp.dnsfilter.device_entries(hostvars, groups['all']) }}"
'''

RETURN = r'''
_value:
  description: The entries, each a string or a dict with C(agent_id) or C(hostname) (and C(asset_id) where one was given).
  type: list
  elements: raw
'''

from ansible.errors import AnsibleFilterError


def _listed(entries):
    if entries is None:
        return []
    if isinstance(entries, str):
        return [line.strip() for line in entries.splitlines() if line.strip()]
    if isinstance(entries, (list, tuple)):
        return [e.strip() if isinstance(e, str) else e for e in entries if not (isinstance(e, str) and not e.strip())]
    raise AnsibleFilterError('device_entries: expected a list of devices or one device per line, got %s' % type(entries).__name__)


def device_entries(entries, hostvars, hosts):
    out = []
    for index, entry in enumerate(_listed(entries)):
        if not (isinstance(entry, dict) and entry.get('asset_id') and not (entry.get('agent_id') or entry.get('hostname'))):
            out.append(entry)
            continue
        asset = str(entry['asset_id']).strip()
        owners = [h for h in hosts or [] if str((hostvars[h] or {}).get('dnsfilter_asset_id') or '').strip() == asset]
        if len(owners) != 1:
            raise AnsibleFilterError(
                'devices[%d]: asset id %r is carried by %s in the inventory (hostvar dnsfilter_asset_id); it must be '
                'exactly one. Name the device by agent id instead.' % (
                    index, asset, ('hosts ' + ', '.join(sorted(owners))) if owners else 'no host'))
        host = hostvars[owners[0]]
        resolved = dict(entry)
        if host.get('dnsfilter_agent_id'):
            resolved['agent_id'] = str(host['dnsfilter_agent_id'])
        else:
            resolved['hostname'] = str(host.get('dnsfilter_hostname') or owners[0])
        out.append(resolved)
    return out


class FilterModule:
    def filters(self):
        return {'device_entries': device_entries}
