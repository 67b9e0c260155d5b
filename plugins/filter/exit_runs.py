# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: exit_runs
short_description: Merge the results of every run of one exit into one account
version_added: 0.1.0
description:
  - An exit that was interrupted, or left items outstanding, is finished by running the same playbook with the same
    ticket again; each run records what it did in the evidence folder (C(runs/*.json)).
  - This filter merges those records, oldest first, so the report lists everything the exit did across its runs,
    and what is outstanding after the last one.
options:
  _input:
    description: The run records, each the C(dnsfilter_report) a run wrote.
    type: list
    elements: dict
    required: true
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Everything this exit did
  ansible.builtin.set_fact:
    exit_account: "{{ query('ansible.builtin.file', *run_files) | map('from_json') | msp.dnsfilter.exit_runs }}"
  vars:
    run_files: "{{ query('ansible.builtin.fileglob', evidence_dir ~ '/runs/*.json') | sort }}"
'''

RETURN = r'''
_value:
  description:
    - C(runs) (when each run finished and how many items it left), C(roaming_clients) (each agent once, with the action that
      removed it in any run and its latest state), C(devices) (each agent once, latest result), C(site_keys_revoked),
      C(users_removed), C(memberships_removed), C(sso_removed), C(scheduled_reports_removed), and C(outstanding) (the
      last run's).
  type: dict
'''

NO_ACTION = ('none', None, '')


def _rows(run, *path):
    node = run
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, list) else []


def exit_runs(runs):
    """One account of an exit from the records of its runs (oldest first)."""
    agents, devices = {}, {}
    merged = {'runs': [], 'site_keys_revoked': [], 'users_removed': [], 'memberships_removed': [],
              'sso_removed': [], 'scheduled_reports_removed': [], 'outstanding': []}
    for run in runs or []:
        phases = run.get('phases') or {}
        merged['runs'].append({'finished_at': run.get('finished_at'), 'check_mode': (run.get('run') or {}).get('check_mode'),
                               'outstanding': len(run.get('outstanding') or [])})
        for row in _rows(phases, 'remove_roaming_clients', 'uninstall', 'roaming_clients') + \
                _rows(phases, 'remove_roaming_clients', 'records', 'roaming_clients'):
            known = agents.get(row.get('id'), {})
            action = row.get('action') if row.get('action') not in NO_ACTION else known.get('action', 'none')
            agents[row.get('id')] = dict(row, action=action)
        for device in run.get('devices') or []:
            # One row per agent in scope (device_scope_rows); a run recorded before then has one per host.
            devices[device.get('agent_id') or device.get('host')] = device
        site_keys = (phases.get('remove_roaming_clients') or {}).get('site_keys') or {}
        merged['site_keys_revoked'] += [i for i in site_keys.get('changed_ids') or [] if i not in merged['site_keys_revoked']]
        merged['users_removed'] += _rows(phases, 'clean_users', 'removed')
        merged['memberships_removed'] += _rows(phases, 'close_access', 'dashboard_users', 'changes')
        merged['sso_removed'] += _rows(phases, 'close_access', 'sso', 'enterprise_connections')
        merged['scheduled_reports_removed'] += _rows(phases, 'review_lists', 'scheduled_reports', 'deleted')
        merged['outstanding'] = list(run.get('outstanding') or [])
    merged['roaming_clients'] = sorted(agents.values(), key=lambda a: (str(a.get('hostname')), str(a.get('id'))))
    merged['devices'] = sorted(devices.values(), key=lambda d: (str(d.get('host')), str(d.get('agent_id'))))
    return merged


class FilterModule:
    def filters(self):
        return {'exit_runs': exit_runs}
