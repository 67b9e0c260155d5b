# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: roaming_clients
short_description: DNSFilter Roaming Clients as Ansible hosts
version_added: 0.1.0
description:
  - One host per DNSFilter Roaming Client (user agent) of the chosen organisations, for customers without a static
    inventory of their devices.
  - Hosts are grouped by operating system (V(windows), V(macos)), organisation (C(org_<id>)), site
    (C(site_<network id>)), agent state (C(state_<agent_state>)) and tag (C(tag_<tag>)); O(keyed_groups),
    O(groups) and O(compose) add more.
  - Uninstalled and soft-deleted agents are left out unless O(include_uninstalled=true).
  - The inventory file must end in C(dnsfilter.yml) or C(dnsfilter.yaml).
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin.
    required: true
    type: str
    choices:
      - msp.dnsfilter.roaming_clients
  api_key:
    description:
      - The DNSFilter API key. Prefer the E(DNSFILTER_API_KEY) environment variable (an AWX credential sets it) to
        writing the key in the inventory file.
    type: str
    required: true
    env:
      - name: DNSFILTER_API_KEY
  api_url:
    description: Base URL of the DNSFilter API.
    type: str
    default: https://api.dnsfilter.com
    env:
      - name: DNSFILTER_API_URL
  ca_path:
    description: A CA bundle to verify the API's certificate with.
    type: path
    env:
      - name: DNSFILTER_CA_PATH
  validate_certs:
    description: Whether to verify the API's TLS certificate.
    type: bool
    default: true
  organization_ids:
    description:
      - The organisations whose Roaming Clients become hosts.
      - If empty, every organisation the key's user can see.
    type: list
    elements: int
    default: []
  agent_types:
    description: Only Roaming Clients of these types.
    type: list
    elements: str
    default: [windows, macos]
  include_uninstalled:
    description: Also list agents whose status is C(uninstalled) or C(uninstalled_from_client).
    type: bool
    default: false
  domain_suffix:
    description:
      - Appended to the agent's hostname to form C(ansible_host), for example V(corp.contoso.example).
      - If not set, C(ansible_host) is not set and the inventory host name (the hostname) is used to connect.
    type: str
  hostname_source:
    description: Which attribute names the host.
    type: str
    choices: [hostname, friendly_name]
    default: hostname
notes:
  - Two agents with the same hostname (a reinstalled device, say) both become hosts; the second is named
    C(<hostname>_<first 8 characters of its id>) and a warning says so.
  - Host variables are prefixed C(dnsfilter_), for example C(dnsfilter_agent_id), C(dnsfilter_organization_id),
    C(dnsfilter_last_sync).
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
# contoso.dnsfilter.yml
plugin: msp.dnsfilter.roaming_clients
organization_ids: [4000101]
domain_suffix: corp.contoso.example
keyed_groups:
  - key: dnsfilter_network_name
    prefix: site
compose:
  ansible_connection: "'winrm' if dnsfilter_agent_type == 'windows' else 'ssh'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/dnsfilter-inventory
cache_timeout: 300
'''

import re

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterClient, DNSFilterError

UNINSTALLED = frozenset(('uninstalled', 'uninstalled_from_client'))


def _slug(value):
    return re.sub(r'[^A-Za-z0-9_]', '_', str(value)).strip('_').lower()


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = 'msp.dnsfilter.roaming_clients'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(('dnsfilter.yml', 'dnsfilter.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        agents = None
        if use_cache:
            try:
                agents = self._cache[cache_key]
            except KeyError:
                agents = None
        if agents is None:
            agents = self._fetch()
            if self.get_option('cache'):
                self._cache[cache_key] = agents
        self._populate(agents)

    def _fetch(self):
        try:
            client = DNSFilterClient(
                api_key=self.get_option('api_key'), api_url=self.get_option('api_url'),
                validate_certs=self.get_option('validate_certs'), ca_path=self.get_option('ca_path'))
            orgs = self.get_option('organization_ids')
            names = {}
            if not orgs:
                for org in client.paginate('/v1/organizations'):
                    names[str(org['id'])] = (org.get('attributes') or {}).get('name')
                orgs = sorted(names, key=int)
            agents = []
            for org_id in orgs:
                if str(org_id) not in names:
                    body = client.get('/v1/organizations/%s' % org_id) or {}
                    names[str(org_id)] = ((body.get('data') or {}).get('attributes') or {}).get('name')
                for agent in client.paginate('/v1/user_agents', params={'organization_ids': [org_id]}):
                    attrs = dict(agent.get('attributes') or {})
                    attrs['id'] = agent.get('id')
                    attrs['organization_id'] = str(org_id)
                    attrs['organization_name'] = names[str(org_id)]
                    agents.append(attrs)
            return agents
        except DNSFilterError as exc:
            raise AnsibleError('msp.dnsfilter.roaming_clients: %s' % exc.message) from None

    def _populate(self, agents):
        types = set(self.get_option('agent_types'))
        suffix = self.get_option('domain_suffix')
        strict = self.get_option('strict')
        seen = set()
        for agent in agents:
            if agent.get('agent_type') not in types:
                continue
            if agent.get('status') in UNINSTALLED and not self.get_option('include_uninstalled'):
                continue
            name = agent.get(self.get_option('hostname_source')) or agent.get('hostname') or agent['id']
            if name in seen:
                unique = '%s_%s' % (name, str(agent['id'])[:8])
                self.display.warning('Two Roaming Clients are named %s; the one with id %s is host %s.' % (name, agent['id'], unique))
                name = unique
            seen.add(name)
            host = self.inventory.add_host(name)
            hostvars = {
                'dnsfilter_agent_id': agent['id'],
                'dnsfilter_agent_type': agent.get('agent_type'),
                'dnsfilter_agent_version': agent.get('agent_version'),
                'dnsfilter_hostname': agent.get('hostname'),
                'dnsfilter_friendly_name': agent.get('friendly_name'),
                'dnsfilter_status': agent.get('status'),
                'dnsfilter_agent_state': agent.get('agent_state'),
                'dnsfilter_last_sync': agent.get('last_sync'),
                'dnsfilter_network_id': agent.get('network_id'),
                'dnsfilter_network_name': agent.get('network_name'),
                'dnsfilter_organization_id': agent['organization_id'],
                'dnsfilter_organization_name': agent.get('organization_name'),
                'dnsfilter_tags': agent.get('tags') or [],
            }
            if suffix:
                hostvars['ansible_host'] = '%s.%s' % (agent.get('hostname'), suffix.lstrip('.'))
            for key, value in hostvars.items():
                self.inventory.set_variable(host, key, value)
            for group in self._default_groups(hostvars):
                self.inventory.add_group(group)
                self.inventory.add_child(group, host)
            self._set_composite_vars(self.get_option('compose'), hostvars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), hostvars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), hostvars, host, strict=strict)

    @staticmethod
    def _default_groups(hostvars):
        groups = []
        if hostvars['dnsfilter_agent_type']:
            groups.append(_slug(hostvars['dnsfilter_agent_type']))
        groups.append('org_%s' % _slug(hostvars['dnsfilter_organization_id']))
        if hostvars['dnsfilter_network_id'] is not None:
            groups.append('site_%s' % _slug(hostvars['dnsfilter_network_id']))
        if hostvars['dnsfilter_agent_state']:
            groups.append('state_%s' % _slug(hostvars['dnsfilter_agent_state']))
        groups.extend('tag_%s' % _slug(tag) for tag in hostvars['dnsfilter_tags'] if _slug(tag))
        return groups
