# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from unittest import mock

import pytest

from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
from ansible.template import trust_as_template

from ansible_collections.msp.dnsfilter.plugins.inventory.roaming_clients import InventoryModule
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse, Seam


def agent(ident, hostname, agent_type='windows', status='active', tags=None):
    return {'id': ident, 'type': 'user_agents', 'attributes': {
        'hostname': hostname, 'agent_type': agent_type, 'status': status, 'agent_state': 'protected',
        'network_id': 77, 'network_name': 'Main Office', 'tags': tags, 'last_sync': '2026-11-27T10:00:00Z'}}


@pytest.fixture(name='plugin')
def plugin_fixture(tmp_path):
    plugin = inventory_loader.get('msp.dnsfilter.roaming_clients')
    assert plugin.NAME == InventoryModule.NAME
    plugin.inventory = InventoryData()
    plugin.loader = DataLoader()
    plugin.set_options(direct={
        'plugin': 'msp.dnsfilter.roaming_clients', 'api_key': 'k', 'api_url': 'https://api.test',
        'organization_ids': [11], 'domain_suffix': 'corp.example', 'cache': False,
        'cache_connection': str(tmp_path),
        # As if read from an inventory file: templates from files are trusted.
        'keyed_groups': [{'key': trust_as_template('dnsfilter_network_name'), 'prefix': 'net'}],
    })
    return plugin


def test_hosts_groups_and_vars(plugin):
    seam = Seam([
        Call('GET', '/v1/organizations/11', FakeResponse(200, {'data': {'id': '11', 'type': 'organizations', 'attributes': {'name': 'Contoso'}}})),
        Call('GET', '/v1/user_agents', FakeResponse(200, {'data': [
            agent('a1', 'DESK-01', tags=['Front Desk']), agent('a2', 'MAC-01', 'macos'), agent('a3', 'DESK-01'),
            agent('a4', 'OLD-01', status='uninstalled'), agent('a5', 'PHONE', 'ios')]})),
    ])
    with mock.patch('ansible_collections.msp.dnsfilter.plugins.module_utils._api.requests.Session', return_value=seam):
        plugin._populate(plugin._fetch())  # pylint: disable=protected-access
    seam.assert_done()
    inv = plugin.inventory
    assert sorted(inv.hosts) == ['DESK-01', 'DESK-01_a3', 'MAC-01']
    desk = inv.get_host('DESK-01').vars
    assert desk['ansible_host'] == 'DESK-01.corp.example'
    assert desk['dnsfilter_organization_name'] == 'Contoso'
    assert [h.name for h in inv.groups['windows'].get_hosts()] == ['DESK-01', 'DESK-01_a3']
    assert [h.name for h in inv.groups['macos'].get_hosts()] == ['MAC-01']
    assert 'tag_front_desk' in inv.groups and 'org_11' in inv.groups and 'site_77' in inv.groups
    assert [g for g in inv.groups if g.startswith('net_')] == ['net_Main_Office'], sorted(inv.groups)
