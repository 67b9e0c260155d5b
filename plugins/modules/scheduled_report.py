#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: scheduled_report
short_description: Remove DNSFilter scheduled reports
version_added: 0.1.0
description:
  - Deletes scheduled (e-mailed) reports of one organisation, by id or all of them, so that nobody - in particular
    nobody outside the MSP and the customer - keeps receiving the customer's reports after an exit.
  - Scheduled reports have no name; choose them by id (see M(msp.dnsfilter.scheduled_report_info)) or with O(all).
  - Only reports of O(organization_id) are ever deleted. An id that is not (or no longer) one of its reports is already
    absent; the module warns and leaves it alone.
  - After deleting, the module lists the reports again and fails if one is still there.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.actions
options:
  organization_id:
    description: The organisation whose reports to delete.
    type: int
    required: true
  ids:
    description: The reports to delete, by id. Either O(ids) or O(all=true) is required.
    type: list
    elements: int
  all:
    description: V(true) deletes every scheduled report of the organisation.
    type: bool
    default: false
  state:
    description:
      - V(absent) deletes the reports.
      - Required, so that a task never deletes because an option was left out.
    type: str
    choices: [absent]
    required: true
seealso:
  - module: msp.dnsfilter.scheduled_report_info
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Exit - stop every scheduled report of the customer
  msp.dnsfilter.scheduled_report:
    organization_id: 4000101
    all: true
    state: absent

- name: Delete only the reports that go outside
  msp.dnsfilter.scheduled_report:
    organization_id: 4000101
    ids: "{{ reports.scheduled_reports | selectattr('external_recipients') | map(attribute='id') | map('int') | list }}"
    state: absent
'''

RETURN = r'''
outstanding:
  description: Reports the module could not delete, each with its C(reason) (none today; the key is in every removal module).
  returned: always
  type: list
  elements: dict
deleted:
  description: The reports deleted (or, in check mode, that would be), sorted by id.
  returned: always
  type: list
  elements: dict
  sample:
    - id: "950101"
      organization_id: 4000101
      frequency: weekly
      day_of_week: monday
      send_to_dashboard_users: false
      recipients: [audit@outside-cpa.example, office.manager@contosodental.example]
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._journal import gone, subject
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._removal import Removal, check_selection
from ansible_collections.msp.dnsfilter.plugins.module_utils._reports import list_reports, summary


def main_logic(mod):
    params = mod.params
    org_id = params['organization_id']
    check_selection(mod, 'scheduled report', params['ids'], None, params['all'], options='ids')
    removal = Removal(mod, 'scheduled report', list_reports(mod, org_id))
    removal.select(ids=params['ids'], everything=params['all'], where='of organisation %s' % org_id, options='ids')
    removal.plan()

    def delete(report):
        path = '/v1/scheduled_reports/%s' % report['id']
        mod.write('DELETE', path, missing_ok=True, action='stop scheduled report',
                  subjects=[subject('scheduled_report', report['id'], report.get('name')), subject('organization', org_id)],
                  why="a report of organisation %s, selected by %s" % (org_id, 'all=true' if params['all'] else 'id'),
                  verify=gone(path))
    removal.apply(one=delete)
    removal.verify(lambda: list_reports(mod, org_id))
    mod.exit(**removal.result(summary, removed_key='deleted'))


def main():
    DNSFilterModule(argument_spec=dict(
        organization_id=dict(type='int', required=True),
        ids=dict(type='list', elements='int'),
        all=dict(type='bool', default=False),
        state=dict(type='str', choices=['absent'], required=True),
    )).run(main_logic)


if __name__ == '__main__':
    main()
