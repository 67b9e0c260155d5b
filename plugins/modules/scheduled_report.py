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
  state:
    description: V(absent) deletes the reports.
    type: str
    choices: [absent]
    default: absent
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
'''

RETURN = r'''
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

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterError
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._reports import list_reports, summary


def main_logic(mod):
    params = mod.params
    org_id, ids = params['organization_id'], params['ids']
    if params['all'] and ids:
        mod.fail('Give either ids or all=true, not both.')
    if not params['all'] and not ids:
        mod.fail('Say which scheduled reports to delete: ids, or all=true for every report of organisation %s.' % org_id)
    reports = list_reports(mod, org_id)
    if params['all']:
        targets = reports
    else:
        wanted = {str(i) for i in ids}
        targets = [r for r in reports if str(r['id']) in wanted]
        for ident in sorted(wanted - {str(r['id']) for r in targets}, key=int):
            mod.warnings.append('Scheduled report %s is not (or no longer) a report of organisation %s; nothing to delete.'
                                % (ident, org_id))
    for report in targets:
        mod.write('DELETE', '/v1/scheduled_reports/%s' % report['id'], missing_ok=True)
    if targets and not mod.check_mode:
        gone = {str(r['id']) for r in targets}
        left = [str(r['id']) for r in list_reports(mod, org_id) if str(r['id']) in gone]
        if left:
            raise DNSFilterError('DNSFilter answered the delete, but these scheduled reports are still there: %s'
                                 % ', '.join(left))
    deleted = {str(r['id']) for r in targets}
    mod.exit(diff={'before': {'scheduled_reports': [summary(r) for r in reports]},
                   'after': {'scheduled_reports': [summary(r) for r in reports if str(r['id']) not in deleted]}},
             deleted=[summary(r) for r in targets])


def main():
    DNSFilterModule(argument_spec=dict(
        organization_id=dict(type='int', required=True),
        ids=dict(type='list', elements='int'),
        all=dict(type='bool'),
        state=dict(type='str', choices=['absent'], default='absent'),
    )).run(main_logic)


if __name__ == '__main__':
    main()
