#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: scheduled_report_info
short_description: List an organisation's DNSFilter scheduled reports and who receives them
version_added: 0.1.0
description:
  - Returns the scheduled (e-mailed) reports of one organisation, with their frequency and recipients.
  - With O(internal_domains), flags the recipients outside those e-mail domains, so that an exit can show that no
    outside party keeps receiving the customer's reports.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.info
options:
  organization_id:
    description: The organisation whose scheduled reports to list.
    type: int
    required: true
  ids:
    description: Only these reports. Scheduled reports have no name; the id is how to choose one.
    type: list
    elements: int
  internal_domains:
    description:
      - The e-mail domains whose recipients are expected, for example the MSP's and the customer's.
      - A recipient is internal when the domain of the address is one of these or a subdomain of one, compared without
        regard to case.
    type: list
    elements: str
notes:
  - A report with C(send_to_dashboard_users) also goes to every dashboard user of the organisation; those are not listed
    as recipients. See M(msp.dnsfilter.org_user_info) for who they are.
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Who receives the exiting customer's reports
  msp.dnsfilter.scheduled_report_info:
    organization_id: 4000101
    internal_domains: [northwind-msp.example, contosodental.example]
  register: reports

- name: Record the outside recipients for the exit ticket
  ansible.builtin.debug:
    msg: "Outside recipients: {{ reports.external_recipients }}"
'''

RETURN = r'''
scheduled_reports:
  description: The scheduled reports found, sorted by id.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The report id.
      type: str
    organization_id:
      description: The organisation that owns the report.
      type: int
    frequency:
      description: How often it is sent - V(weekly), V(bi_weekly) or V(monthly).
      type: str
    send_to_dashboard_users:
      description: Whether every dashboard user of the organisation receives it too.
      type: bool
    recipients:
      description: The recipients' e-mail addresses, sorted.
      type: list
      elements: str
    external_recipients:
      description: The recipients outside O(internal_domains), sorted.
      type: list
      elements: str
      returned: when O(internal_domains) is set
    scheduled_report_recipients:
      description: The recipients as DNSFilter returns them (address and organisation), sorted by address.
      type: list
      elements: dict
  sample:
    - id: "950101"
      organization_id: 4000101
      frequency: weekly
      day_of_week: monday
      send_to_dashboard_users: false
      recipients: [audit@outside-cpa.example, office.manager@contosodental.example]
      external_recipients: [audit@outside-cpa.example]
      selected_sub_orgs: []
external_recipients:
  description: Every recipient outside O(internal_domains), over all the reports found, sorted.
  returned: when O(internal_domains) is set
  type: list
  elements: str
  sample: [audit@outside-cpa.example]
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._policies import select
from ansible_collections.msp.dnsfilter.plugins.module_utils._reports import list_reports


def main_logic(mod):
    params = mod.params
    org_id = params['organization_id']
    reports = list_reports(mod, org_id, params['internal_domains'])
    reports = select(mod, reports, org_id, params['ids'], what='scheduled report')
    result = {'scheduled_reports': reports}
    if params['internal_domains'] is not None:
        result['external_recipients'] = sorted({e for r in reports for e in r['external_recipients']}, key=str.lower)
    mod.exit(**result)


def main():
    DNSFilterModule(argument_spec=dict(
        organization_id=dict(type='int', required=True),
        ids=dict(type='list', elements='int'),
        internal_domains=dict(type='list', elements='str'),
    )).run(main_logic)


if __name__ == '__main__':
    main()
