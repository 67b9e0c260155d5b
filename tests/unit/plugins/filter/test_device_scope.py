# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The device scope: which devices a run may touch comes from DNSFilter, and every look-alike is left alone."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.msp.dnsfilter.plugins.filter.device_scope import (
    FilterModule, NOT_REACHED, UNPROVEN, device_scope, device_scope_gate, device_scope_host, device_scope_rows, device_scope_run)

FRONT_ID = 'c0a70c50-0000-4000-8000-000000000001'
DESK_ID = 'c0a70c50-0000-4000-8000-000000000002'
STALE_ID = 'c0a70c50-0000-4000-8000-0000000000aa'
FAB_ID = 'fab0c0de-0000-4000-8000-000000000001'
LIMIT_WORDS = ("this run's limit leaves out localhost, where the inputs are checked and the evidence is captured; "
               "run without -l: the devices in scope come from DNSFilter")


def agent(ident, hostname, agent_type='windows', org=810101):
    return {'id': ident, 'hostname': hostname, 'agent_type': agent_type, 'organization_id': org, 'network_id': 940101,
            'status': 'active', 'last_sync': '2026-11-27T10:00:00Z', 'agent_version': '2.2.0'}


def scope(*agents, description='Contoso Dental (810101): every Roaming Client'):
    return device_scope(list(agents), description)


def windows(products=1, services=None, keys=None):
    """What the Windows role's discovery returns: products, services and the agent's registry keys."""
    return {'products': [{'display_name': 'DNS Agent', 'product_code': '{X}'}] * products,
            'services': services if services is not None else [{'name': 'DNS Agent'}] * products,
            'agent': [{'key': key, 'values': values} for key, values in (keys or {}).items()]}


def mac(*entries):
    base = {'app_present': True, 'plist_present': True, 'daemon_loaded': True, 'receipt': 'io.netalerts.agent.macos', 'leftovers': [],
            'agent_id': None}
    return {'agents': [dict(base, **entry) for entry in entries]}


AGENT_KEY = 'HKLM:\\SOFTWARE\\DNSAgent\\Agent'
RETAIL_KEY = 'HKLM:\\SOFTWARE\\DNSFilter\\Agent'
VALUE_NAMES = ['AgentId', 'UserAgentId', 'Id']


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {'device_scope', 'device_scope_run', 'device_scope_host', 'device_scope_gate', 'device_scope_rows'}


# --- device_scope ---------------------------------------------------------------------------------------------------

def test_scope_keeps_the_agents_as_dnsfilter_listed_them():
    desk, front = agent(DESK_ID, 'DESK-07'), agent(FRONT_ID, 'FRONTDESK-01')
    built = device_scope([desk, front, dict(desk)], 'Contoso Dental')
    assert built == {'agents': [desk, front], 'description': 'Contoso Dental'}
    assert device_scope([], 'no device') == {'agents': [], 'description': 'no device'}


@pytest.mark.parametrize('agents, description, words', [
    ('DESK-07', 'x', 'a list'),
    ([{'hostname': 'DESK-07'}], 'x', 'without an id'),
    ([{'id': '', 'hostname': 'DESK-07'}], 'x', 'without an id'),
    (['DESK-07'], 'x', 'not a Roaming Client'),
    ([agent(DESK_ID, 'DESK-07')], None, 'description'),
    (None, 'x', 'a list'),
])
def test_scope_refuses_what_is_not_a_list_of_agents(agents, description, words):
    with pytest.raises(AnsibleFilterError, match=words):
        device_scope(agents, description)


# --- device_scope_run -------------------------------------------------------------------------------------------------

def test_a_limit_that_leaves_out_localhost_is_refused_with_the_reason():
    verdict = device_scope_run(None, evidence_verified=False, limit='DESK-07')
    assert verdict['proceed'] is False
    assert LIMIT_WORDS in verdict['message'] and 'DESK-07' in verdict['message']


def test_without_the_first_play_no_device_is_touched():
    verdict = device_scope_run(None, evidence_verified=True, limit=None)
    assert verdict['proceed'] is False and 'dnsfilter_device_scope' in verdict['message'] and 'limit' not in verdict['message']


def test_unverified_evidence_stops_the_device_plays():
    verdict = device_scope_run(scope(agent(DESK_ID, 'DESK-07')), evidence_verified=False, limit='localhost,DESK-07')
    assert verdict == {'proceed': False, 'message': 'The evidence of this run did not verify; no device is touched.'}


def test_scope_any_is_not_for_an_exit_run():
    verdict = device_scope_run(scope(agent(DESK_ID, 'DESK-07')), evidence_verified=True, scope_any=True)
    assert verdict['proceed'] is False and 'scope_any' in verdict['message']


def test_a_run_with_its_scope_and_evidence_goes_on():
    assert device_scope_run(scope(), evidence_verified=True, limit='all,localhost') == {'proceed': True, 'message': ''}


# --- device_scope_host ------------------------------------------------------------------------------------------------

def test_inventory_agent_id_selects_its_agent_case_insensitively():
    matched = device_scope_host(scope(agent(DESK_ID, 'DESK-07'), agent(FRONT_ID, 'FRONTDESK-01')), 'desk-07', agent_id=DESK_ID.upper())
    assert matched['in_scope'] is True and matched['agent_ids'] == [DESK_ID]
    assert matched['identity'] == {'by': 'agent_id', 'value': DESK_ID.upper()}
    assert [a['hostname'] for a in matched['agents']] == ['DESK-07']


def test_an_inventory_agent_id_outside_the_scope_wins_over_a_matching_hostname():
    matched = device_scope_host(scope(agent(DESK_ID, 'DESK-07')), 'DESK-07', agent_id=FAB_ID)
    assert matched['in_scope'] is False and matched['agent_ids'] == []
    assert FAB_ID in matched['reason'] and 'Contoso Dental' in matched['reason']


@pytest.mark.parametrize('inventory_hostname, hostname', [
    ('DESK-07', None),
    ('desk-07', None),
    ('desk-07.corp.contoso.example', None),
    ('pc-4711', 'Desk-07'),
    ('DESK-07', ''),
])
def test_the_hostname_matches_case_insensitively_and_by_short_name(inventory_hostname, hostname):
    matched = device_scope_host(scope(agent(DESK_ID, 'DESK-07'), agent(FRONT_ID, 'FRONTDESK-01')), inventory_hostname,
                                agent_id=None, hostname=hostname)
    assert matched['in_scope'] is True and matched['agent_ids'] == [DESK_ID]
    assert matched['identity']['by'] == 'hostname'


def test_an_agent_listed_by_its_full_name_matches_the_short_inventory_name():
    matched = device_scope_host(scope(agent(DESK_ID, 'desk-07.corp.contoso.example')), 'DESK-07')
    assert matched['agent_ids'] == [DESK_ID]


@pytest.mark.parametrize('inventory_hostname, listed', [
    ('DESK-07 ', 'DESK-07'),            # trailing space in the inventory
    ('DESK-07', 'DESK-07 '),            # trailing space in DNSFilter
    ('D\u0415SK-07', 'DESK-07'),         # Cyrillic capital IE for the E
    ('DESK-O7', 'DESK-07'),             # letter O for the zero
    ('O\ufb03CE-01', 'OFFICE-01'),        # the ffi ligature
    ('STRA\u00dfE-PC', 'STRASSE-PC'),      # sharp s
    ('DESK-077', 'DESK-07'),
    ('DESK', 'DESK-07'),
    ('10.0.0.7', '10'),                 # an address is not shortened to its first octet
    ('desk-07.fabrikam.example', 'desk-07.contoso.example'),
])
def test_look_alikes_are_out_of_scope(inventory_hostname, listed):
    matched = device_scope_host(scope(agent(DESK_ID, listed)), inventory_hostname)
    assert matched['in_scope'] is False and matched['agent_ids'] == [] and matched['agents'] == []
    assert 'matches no agent' in matched['reason']


def test_two_records_of_one_hostname_both_stay_candidates_for_the_device_to_decide():
    matched = device_scope_host(scope(agent(STALE_ID, 'DESK-07'), agent(DESK_ID, 'DESK-07')), 'DESK-07')
    assert matched['in_scope'] is True and sorted(matched['agent_ids']) == sorted([STALE_ID, DESK_ID])


def test_an_empty_scope_leaves_every_host_out():
    matched = device_scope_host(scope(description='technician leaver: no device'), 'DESK-07', agent_id=DESK_ID)
    assert matched['in_scope'] is False and 'technician leaver: no device' in matched['reason']


def test_matching_without_a_scope_is_an_error():
    with pytest.raises(AnsibleFilterError, match='dnsfilter_device_scope'):
        device_scope_host(None, 'DESK-07')


# --- device_scope_gate, Windows ---------------------------------------------------------------------------------------

def gate(discovered, ids, **kwargs):
    kwargs.setdefault('platform', 'windows')
    if kwargs['platform'] == 'windows':
        kwargs.setdefault('agent_id_values', VALUE_NAMES)
    return device_scope_gate(discovered, ids, **kwargs)


def test_a_device_whose_agent_id_is_in_scope_goes_on():
    verdict = gate(windows(keys={AGENT_KEY: {'AgentId': DESK_ID.upper(), 'Version': '2.2.0'}}), [DESK_ID])
    assert verdict['proceed'] is True and verdict['decision'] == 'in_scope' and verdict['out_of_scope'] is False
    assert verdict['agent_ids'] == [DESK_ID.upper()] and verdict['outstanding_reason'] is None and verdict['installed'] is True


def test_a_reimaged_device_answering_with_another_agent_id_is_out_of_scope():
    new_id = '11111111-2222-4333-8444-555555555555'
    verdict = gate(windows(keys={AGENT_KEY: {'AgentId': new_id}}), [STALE_ID])
    assert verdict['proceed'] is False and verdict['out_of_scope'] is True and verdict['decision'] == 'out_of_scope'
    assert verdict['outstanding_reason'] is None
    assert new_id in verdict['reason'] and STALE_ID in verdict['reason']
    # What the role records for the device.
    assert verdict['result'] == {'agent_id': new_id, 'out_of_scope': True, 'scope_reason': verdict['reason'], 'outstanding_reason': None}


def test_one_foreign_agent_id_among_several_is_enough_to_refuse():
    keys = {AGENT_KEY: {'AgentId': DESK_ID}, RETAIL_KEY: {'AgentId': FAB_ID}}
    verdict = gate(windows(keys=keys), [DESK_ID])
    assert verdict['proceed'] is False and verdict['out_of_scope'] is True and FAB_ID in verdict['reason']


def test_the_first_listed_value_name_of_a_key_is_its_agent_id():
    verdict = gate(windows(keys={AGENT_KEY: {'Id': '42', 'AgentId': DESK_ID}}), [DESK_ID])
    assert verdict['proceed'] is True and verdict['agent_ids'] == [DESK_ID]
    verdict = gate(windows(keys={AGENT_KEY: {'Id': DESK_ID, 'AgentId': '  '}}), [DESK_ID])
    assert verdict['proceed'] is True and verdict['agent_ids'] == [DESK_ID]


@pytest.mark.parametrize('discovered', [
    windows(keys={}),
    windows(keys={AGENT_KEY: {'Version': '2.2.0'}}),
    windows(keys={AGENT_KEY: {'AgentId': ''}}),
    windows(products=0, services=[{'name': 'DNS Agent'}]),
])
def test_an_installed_agent_whose_id_cannot_be_read_is_outstanding_and_untouched(discovered):
    verdict = gate(discovered, [DESK_ID])
    assert verdict['proceed'] is False and verdict['out_of_scope'] is False and verdict['decision'] == 'unproven'
    assert verdict['outstanding_reason'] == UNPROVEN == 'agent id not readable, not proven in scope'
    assert verdict['result'] == {'agent_id': None, 'out_of_scope': False, 'scope_reason': UNPROVEN, 'outstanding_reason': UNPROVEN}


def test_a_device_with_nothing_installed_and_no_id_goes_on_to_clean_up_and_verify():
    verdict = gate(windows(products=0), [DESK_ID])
    assert verdict['proceed'] is True and verdict['installed'] is False and verdict['agent_ids'] == []


def test_left_over_settings_of_a_foreign_agent_are_out_of_scope_too():
    verdict = gate(windows(products=0, keys={AGENT_KEY: {'AgentId': FAB_ID}}), [DESK_ID])
    assert verdict['proceed'] is False and verdict['out_of_scope'] is True


def test_an_empty_scope_refuses_every_agent():
    verdict = gate(windows(keys={AGENT_KEY: {'AgentId': DESK_ID}}), [])
    assert verdict['proceed'] is False and verdict['out_of_scope'] is True


def test_scope_any_is_explicit_and_lets_any_device_go_on():
    verdict = gate(windows(keys={AGENT_KEY: {'AgentId': FAB_ID}}), None, scope_any=True)
    assert verdict['proceed'] is True and verdict['decision'] == 'any' and verdict['agent_ids'] == [FAB_ID]


@pytest.mark.parametrize('ids', [None, 'c0a70c50-0000-4000-8000-000000000002'])
def test_without_the_scope_ids_the_gate_refuses_to_decide(ids):
    with pytest.raises(AnsibleFilterError, match='scope_agent_ids'):
        gate(windows(keys={AGENT_KEY: {'AgentId': DESK_ID}}), ids)


# --- device_scope_gate, macOS -----------------------------------------------------------------------------------------

def test_a_mac_whose_agent_id_is_in_scope_goes_on():
    verdict = gate(mac({'agent_id': DESK_ID}), [DESK_ID], platform='macos')
    assert verdict['proceed'] is True and verdict['agent_ids'] == [DESK_ID]


def test_a_mac_of_another_customer_with_a_colliding_name_is_out_of_scope():
    verdict = gate(mac({'agent_id': FAB_ID}), [DESK_ID], platform='macos')
    assert verdict['proceed'] is False and verdict['out_of_scope'] is True and FAB_ID in verdict['reason']


def test_a_mac_with_an_installed_agent_and_no_daemon_info_is_outstanding():
    verdict = gate(mac({'agent_id': None}), [DESK_ID], platform='macos')
    assert verdict['proceed'] is False and verdict['outstanding_reason'] == UNPROVEN


def test_a_mac_with_only_leftovers_goes_on():
    entry = {'app_present': False, 'plist_present': False, 'daemon_loaded': False, 'receipt': None,
             'leftovers': ['/var/log/io.netalerts.agent.macos.helper']}
    verdict = gate(mac(entry), [DESK_ID], platform='macos')
    assert verdict['proceed'] is True and verdict['installed'] is False


def test_an_unknown_platform_is_an_error():
    with pytest.raises(AnsibleFilterError, match='platform'):
        gate(windows(), [DESK_ID], platform='linux')


# --- device_scope_rows ------------------------------------------------------------------------------------------------

def result(host, agent_id, verified=True, outstanding=None, **extra):
    return dict({'host': host, 'agent_id': agent_id, 'verified': verified, 'outstanding_reason': outstanding, 'out_of_scope': False,
                 'scope_reason': None, 'check_mode': False}, **extra)


def matched(the_scope, host, **identity):
    return device_scope_host(the_scope, host, **identity)


def test_one_row_per_scope_agent_and_the_out_of_scope_hosts_apart():
    new_id = '11111111-2222-4333-8444-555555555555'
    the_scope = scope(agent(DESK_ID, 'DESK-07'), agent(FRONT_ID, 'FRONTDESK-01'), agent(STALE_ID, 'BACKOFFICE-02'),
                      agent('c0a70c50-0000-4000-8000-000000000005', 'DR-PARK-MBP', 'macos'))
    hostvars = {
        'DESK-07': {'dnsfilter_device_match': matched(the_scope, 'DESK-07', agent_id=DESK_ID),
                    'roaming_client_windows_result': result('DESK-07', DESK_ID)},
        'FAB-WS-01': {'dnsfilter_device_match': matched(the_scope, 'FAB-WS-01', agent_id=FAB_ID)},
        'BACKOFFICE-02': {'dnsfilter_device_match': matched(the_scope, 'BACKOFFICE-02'),
                          'roaming_client_windows_result': result('BACKOFFICE-02', new_id, verified=None, out_of_scope=True,
                                                                  scope_reason='agent id %s is not one of this run' % new_id)},
        'DR-PARK-MBP': {'dnsfilter_device_match': matched(the_scope, 'DR-PARK-MBP'),
                        'roaming_client_macos_result': result('DR-PARK-MBP', None, verified=None, outstanding='unreachable: timed out')},
        'NOT-IN-RUN': {},
    }
    rows = device_scope_rows(the_scope, hostvars, ['DESK-07', 'FAB-WS-01', 'BACKOFFICE-02', 'NOT-IN-RUN', 'DR-PARK-MBP', 'MISSING'])
    by_id = {row['agent_id']: row for row in rows['agents']}
    assert [row['hostname'] for row in rows['agents']] == ['BACKOFFICE-02', 'DESK-07', 'DR-PARK-MBP', 'FRONTDESK-01']

    desk = by_id[DESK_ID]
    assert (desk['host'], desk['served_by'], desk['verified'], desk['outstanding_reason']) == ('DESK-07', 'DESK-07', True, None)
    assert desk['result'] == hostvars['DESK-07']['roaming_client_windows_result'] and desk['agent_type'] == 'windows'

    front = by_id[FRONT_ID]
    assert (front['host'], front['served_by'], front['verified'], front['result']) == ('FRONTDESK-01', None, False, None)
    assert front['outstanding_reason'] == NOT_REACHED

    reimaged = by_id[STALE_ID]
    assert reimaged['served_by'] is None and reimaged['verified'] is False
    assert reimaged['outstanding_reason'].startswith(NOT_REACHED) and 'BACKOFFICE-02' in reimaged['outstanding_reason']

    park = by_id['c0a70c50-0000-4000-8000-000000000005']
    assert park['served_by'] == 'DR-PARK-MBP' and park['outstanding_reason'] == 'unreachable: timed out' and park['verified'] is None

    assert rows['out_of_scope'] == [
        {'host': 'BACKOFFICE-02', 'stage': 'device', 'agent_id': new_id, 'reason': 'agent id %s is not one of this run' % new_id},
        {'host': 'FAB-WS-01', 'stage': 'inventory', 'agent_id': FAB_ID, 'reason': hostvars['FAB-WS-01']['dnsfilter_device_match']['reason']},
    ]


def test_a_result_without_agent_id_is_not_credited_to_one_of_two_records_of_a_hostname():
    the_scope = scope(agent(STALE_ID, 'DESK-07'), agent(DESK_ID, 'DESK-07'))
    hostvars = {'DESK-07': {'dnsfilter_device_match': matched(the_scope, 'DESK-07'),
                            'roaming_client_windows_result': result('DESK-07', None, verified=None, outstanding=UNPROVEN)}}
    rows = device_scope_rows(the_scope, hostvars, ['DESK-07'])
    assert [row['served_by'] for row in rows['agents']] == [None, None]
    for row in rows['agents']:
        assert row['outstanding_reason'].startswith(NOT_REACHED) and UNPROVEN in row['outstanding_reason']
    assert rows['out_of_scope'] == []


def test_the_agent_id_the_device_answered_decides_which_record_it_served():
    the_scope = scope(agent(STALE_ID, 'DESK-07'), agent(DESK_ID, 'DESK-07'))
    hostvars = {'DESK-07': {'dnsfilter_device_match': matched(the_scope, 'DESK-07'),
                            'roaming_client_windows_result': result('DESK-07', DESK_ID.upper())}}
    rows = {row['agent_id']: row for row in device_scope_rows(the_scope, hostvars, ['DESK-07'])['agents']}
    assert rows[DESK_ID]['served_by'] == 'DESK-07' and rows[DESK_ID]['verified'] is True
    assert rows[STALE_ID]['served_by'] is None and rows[STALE_ID]['outstanding_reason'] == NOT_REACHED


def test_two_hosts_answering_with_one_agent_id_are_outstanding():
    the_scope = scope(agent(DESK_ID, 'DESK-07'))
    hostvars = {name: {'dnsfilter_device_match': matched(the_scope, name, agent_id=DESK_ID),
                       'roaming_client_windows_result': result(name, DESK_ID)} for name in ('DESK-07', 'DESK-07-CLONE')}
    [row] = device_scope_rows(the_scope, hostvars, ['DESK-07', 'DESK-07-CLONE'])['agents']
    assert row['served_by'] == 'DESK-07' and 'DESK-07-CLONE' in row['outstanding_reason']


def test_rows_of_an_empty_scope_and_no_hosts():
    assert device_scope_rows(scope(), {}, []) == {'agents': [], 'out_of_scope': []}


def test_an_agent_no_host_served_is_outstanding_unless_dnsfilter_removed_it():
    the_scope = scope(agent(FRONT_ID, 'FRONTDESK-01'), agent(DESK_ID, 'DESK-07'), agent(STALE_ID, 'XRAY-WS01'),
                      agent(FAB_ID, 'DR-PARK-MBP', 'macos'))
    hostvars = {'DR-PARK-MBP': {'dnsfilter_device_match': matched(the_scope, 'DR-PARK-MBP'),
                                'roaming_client_macos_result': result('DR-PARK-MBP', None, verified=None, outstanding='unreachable: x')}}
    records = [  # roaming_client state=uninstalled, then state=absent, as remove_roaming_clients.yml registers them
        {'id': FRONT_ID, 'action': 'queued', 'removal_state': 'queued'}, {'id': DESK_ID, 'action': 'queued', 'removal_state': 'queued'},
        {'id': STALE_ID, 'action': 'none', 'removal_state': 'uninstalled'}, {'id': FAB_ID, 'action': 'queued', 'removal_state': 'queued'},
        {'id': FRONT_ID.upper(), 'action': 'deleted', 'removal_state': 'uninstalled'}, {'id': DESK_ID, 'action': 'none', 'removal_state': 'queued'},
        {'id': FAB_ID, 'action': 'deleted', 'removal_state': 'uninstalled'}]
    rows = {row['hostname']: row for row in device_scope_rows(the_scope, hostvars, ['DR-PARK-MBP'], records)['agents']}
    assert rows['FRONTDESK-01']['outstanding_reason'] is None and rows['FRONTDESK-01']['verified'] is False
    assert 'deleted through DNSFilter' in rows['FRONTDESK-01']['notes'][0]
    assert rows['XRAY-WS01']['outstanding_reason'] is None and 'uninstalled' in rows['XRAY-WS01']['notes'][0]
    assert rows['DESK-07']['outstanding_reason'] == NOT_REACHED and rows['DESK-07']['notes'] == []
    # What the device play found on a host it reached stands: the device itself was not verified.
    assert rows['DR-PARK-MBP']['outstanding_reason'] == 'unreachable: x' and rows['DR-PARK-MBP']['served_by'] == 'DR-PARK-MBP'


def test_in_check_mode_an_agent_whose_record_is_planned_to_go_once_uninstalled_is_planned_not_outstanding():
    # The plan says what the run will do: removed through DNSFilter once the uninstall is confirmed, else outstanding.
    the_scope = scope(agent(FRONT_ID, 'FRONTDESK-01'))
    records = [{'id': FRONT_ID, 'action': 'queued', 'removal_state': 'installed'},
               {'id': FRONT_ID, 'action': 'delete_when_uninstalled', 'removal_state': 'installed'}]
    [row] = device_scope_rows(the_scope, {}, [], records)['agents']
    assert row['outstanding_reason'] is None and 'once the uninstall is confirmed' in row['notes'][0]
    # Queued alone (the real run, the agent not yet uninstalled) is still outstanding.
    [row] = device_scope_rows(the_scope, {}, [], records[:1])['agents']
    assert row['outstanding_reason'] == NOT_REACHED


def test_notes_say_which_host_was_left_alone_also_when_dnsfilter_removed_the_record():
    the_scope = scope(agent(STALE_ID, 'DESK-07'))
    hostvars = {'DESK-07': {'dnsfilter_device_match': matched(the_scope, 'DESK-07'),
                            'roaming_client_windows_result': result('DESK-07', FAB_ID, verified=None, out_of_scope=True, scope_reason='foreign')}}
    [row] = device_scope_rows(the_scope, hostvars, ['DESK-07'], [{'id': STALE_ID, 'action': 'deleted', 'removal_state': 'uninstalled'}])['agents']
    assert row['served_by'] is None and row['outstanding_reason'] is None
    assert row['notes'][0] == 'Host DESK-07 answered with another agent id (%s) and was left alone.' % FAB_ID


def test_a_tenant_hostname_makes_a_safe_short_file_name():
    hostile = "PC-$(touch /tmp/x) `id` '; {{ 7*7 }} <script>" + 'A' * 300
    [row] = device_scope_rows(scope(agent(FRONT_ID, hostile)), {}, [])['agents']
    assert len(row['file']) < 120 and row['file'].endswith(FRONT_ID) and '/' not in row['file']
    assert set(row['file']) <= set('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-')
