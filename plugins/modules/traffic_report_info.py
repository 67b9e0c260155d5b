#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: traffic_report_info
short_description: Read an organisation's DNSFilter traffic reports for a window, optionally into a JSON snapshot
version_added: 0.1.0
description:
  - Reads DNSFilter's traffic reports (C(/v1/traffic_reports/*)) for one organisation and a time window - the totals
    (requests, blocked requests and threats, per day), the top domains, the threats (threat domains, threat categories,
    blocked categories), the requests per User and per Roaming Client - the reporting snapshot the runbook asks for
    before anything of a customer is removed.
  - With O(dest), writes the snapshot as one JSON file, atomically (a reader sees the old file or the new one, never half
    of one). A file already written with the same options is kept and returned, so a second run changes nothing and a
    sealed evidence bundle stays valid; O(force=true) reads and writes it again.
  - Reads only. No API key or other secret is returned or written.
  - The figures are DNSFilter's own; DNSFilter keeps query data only for a time that depends on the plan, so take the
    snapshot early in an exit.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.files
  - msp.dnsfilter.window
options:
  organization_id:
    description: The organisation whose traffic to report.
    type: int
    required: true
  network_ids:
    description: Only the traffic of these sites (the API filters every report by network), for example a site closure.
    type: list
    elements: int
  sections:
    description:
      - What to read. V(totals) - requests, blocked requests and threats in all and per day. V(domains) - the top domains
        and the top blocked domains. V(threats) - the top threat domains, threat categories and blocked categories.
        V(users) - requests per User. V(roaming_clients) - requests per Roaming Client.
    type: list
    elements: str
    choices: [totals, domains, threats, users, roaming_clients]
    default: [totals, domains, threats, users, roaming_clients]
  top:
    description: How many entries the domain and category lists keep. Users and Roaming Clients are listed in full.
    type: int
    default: 25
  dest:
    description: A JSON file to write the snapshot to. Its directory must exist.
    type: path
  force:
    description: Read and write the snapshot again even if O(dest) holds one with the same options.
    type: bool
    default: false
notes:
  - Every DNSFilter query of a Roaming Client counts in C(total_agents); site (network) and proxy traffic in
    C(total_networks) and C(total_proxies).
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Reporting snapshot of the contract window, into the evidence bundle
  msp.dnsfilter.traffic_report_info:
    organization_id: 4000101
    days: 7
    dest: "{{ evidence_dir }}/before/reports/traffic.json"
  register: traffic

- name: One site's threats of the last day
  msp.dnsfilter.traffic_report_info:
    organization_id: 4000101
    network_ids: [9400102]
    days: 1
    sections: [threats]
  register: site_threats

- name: Show the totals
  ansible.builtin.debug:
    msg: "{{ traffic.totals.requests }} requests, {{ traffic.totals.threats }} threats"
'''

RETURN = r'''
options:
  description: What identifies the snapshot - organisation, window (C(from), C(to) in UTC), network ids, sections, top.
  returned: always
  type: dict
  sample: {format: 1, organization_id: 4000101, from: "2026-11-20T00:00:00Z", to: "2026-11-27T00:00:00Z", network_ids: [],
           sections: [totals], top: 25}
totals:
  description: Requests, blocked requests and threats in the window, in all and per day (C(days), buckets in UTC).
  returned: when V(totals) is in O(sections)
  type: dict
  sample: {requests: 3920, blocked: 1180, threats: 402, days: [{bucket: "2026-11-26 00:00:00", requests: 560, blocked: 170, threats: 58}]}
top_domains:
  description: The most requested domains, as DNSFilter lists them (C(domain), C(total), C(allowed_names), C(blocked_names), ...).
  returned: when V(domains) is in O(sections)
  type: list
  elements: dict
blocked_domains:
  description: The most blocked domains.
  returned: when V(domains) is in O(sections)
  type: list
  elements: dict
threat_domains:
  description: The domains with the most threat requests.
  returned: when V(threats) is in O(sections)
  type: list
  elements: dict
threat_categories:
  description: The threat categories with the most requests (C(category_name), C(total), ...).
  returned: when V(threats) is in O(sections)
  type: list
  elements: dict
blocked_categories:
  description: The categories with the most blocked requests.
  returned: when V(threats) is in O(sections)
  type: list
  elements: dict
users:
  description: Requests per User (C(user_id), C(user_name), C(user_login), C(total), ...), most first.
  returned: when V(users) is in O(sections)
  type: list
  elements: dict
roaming_clients:
  description: Requests per Roaming Client (C(agent_id), C(agent_name), C(agent_type), C(total), ...), most first.
  returned: when V(roaming_clients) is in O(sections)
  type: list
  elements: dict
dest:
  description: The file written or kept.
  returned: when O(dest) is set
  type: str
sha256:
  description: SHA-256 of the file.
  returned: when O(dest) is set and the file exists
  type: str
'''

import hashlib
import json
import os

from ansible_collections.msp.dnsfilter.plugins.module_utils._evidence import write_atomic
from ansible_collections.msp.dnsfilter.plugins.module_utils._files import read_json, sha256_of
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._reports import SECTIONS, WINDOW_SPEC, report_window, snapshot_options, traffic_snapshot


def main_logic(mod):
    p = mod.params
    if p['top'] < 1:
        mod.fail('top must be at least 1.')
    try:
        window = report_window(p['start'], p['end'], p['days'])
    except ValueError as exc:
        mod.fail('%s Nothing was read.' % exc)
    dest = p['dest']
    if dest and not os.path.isdir(os.path.dirname(os.path.abspath(dest))):
        mod.fail('The directory of dest %s does not exist.' % dest)
    options = snapshot_options(p['organization_id'], window, p['network_ids'], p['sections'], p['top'])
    kept = read_json(dest) if dest and not p['force'] else None
    if isinstance(kept, dict) and kept.get('options') == options:
        mod.exit(dest=dest, sha256=sha256_of(dest), **kept)
    snapshot = traffic_snapshot(mod.client, options)
    if not dest:
        mod.exit(**snapshot)
    data = (json.dumps(snapshot, indent=2, sort_keys=True) + '\n').encode('utf-8')
    unchanged = os.path.exists(dest) and sha256_of(dest) == hashlib.sha256(data).hexdigest()
    mod.changed = not unchanged
    if not unchanged and not mod.check_mode:
        write_atomic(dest, data, mode=0o640)
    result = dict(snapshot, dest=dest)
    if unchanged or not mod.check_mode:
        result['sha256'] = sha256_of(dest)
    mod.exit(**result)


def main():
    DNSFilterModule(argument_spec=dict(
        WINDOW_SPEC,
        organization_id=dict(type='int', required=True),
        network_ids=dict(type='list', elements='int'),
        sections=dict(type='list', elements='str', choices=list(SECTIONS), default=list(SECTIONS)),
        top=dict(type='int', default=25),
        dest=dict(type='path'),
        force=dict(type='bool', default=False),
    )).run(main_logic)


if __name__ == '__main__':
    main()
