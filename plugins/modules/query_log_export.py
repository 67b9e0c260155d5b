#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: query_log_export
short_description: Export an organisation's DNS query log for a time window to a CSV or JSON Lines file
version_added: 0.1.0
description:
  - Reads C(/v1/traffic_reports/query_logs) page by page and appends each page to the file as it arrives, so memory
    stays bounded however long the window is.
  - An interrupted export resumes where it stopped when run again with the same options (a C(.progress.json) file
    beside the destination records the last page written); the file appears under its final name only when complete.
  - Returns the row count and the SHA-256 of the file. A complete export with the same options is not repeated, so a
    second run changes nothing.
  - DNSFilter keeps query logs for a short time (the window depends on the plan) and pages through them at most
    100 rows a call within the API rate limit; export first at a customer exit, and prefer the Data Export add-on for
    large volumes.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.files
  - msp.dnsfilter.window
options:
  organization_id:
    description: The organisation whose query log to export.
    type: int
    required: true
  dest:
    description: The file to write. Its directory must exist.
    type: path
    required: true
  format:
    description: V(csv) (one column per field of the API's query log rows, lists joined with C(;)) or V(jsonl) (one JSON object per line).
    type: str
    choices: [csv, jsonl]
    default: csv
  result:
    description: Only allowed or blocked queries, or all.
    type: str
    choices: [all, allowed, blocked]
    default: all
  network_ids:
    description: Only queries from these sites.
    type: list
    elements: int
  agent_ids:
    description: Only queries from these Roaming Clients.
    type: list
    elements: str
  page_size:
    description: Rows per API call (DNSFilter allows at most 100).
    type: int
    default: 100
  force:
    description: Export again even if a complete export with the same options exists.
    type: bool
    default: false
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Query log of a window, into the evidence folder
  msp.dnsfilter.query_log_export:
    organization_id: 4000101
    start: "2026-11-20T00:00:00Z"
    end: "2026-11-27T00:00:00Z"
    dest: "{{ evidence_dir }}/query-log.csv"
  register: query_log

- name: The last 7 whole days (UTC), the window the exit playbooks export
  msp.dnsfilter.query_log_export:
    organization_id: 4000101
    days: 7
    dest: "{{ evidence_dir }}/before/query-log.csv"
'''

RETURN = r'''
dest:
  description: The file written.
  returned: always
  type: str
rows:
  description: The number of query log rows in the file (in check mode, of an existing complete export, else 0).
  returned: always
  type: int
sha256:
  description: SHA-256 of the file.
  returned: when the file exists
  type: str
pages:
  description: The number of API pages read by this run.
  returned: always
  type: int
resumed_from_page:
  description: The page this run started from when it resumed an interrupted export.
  returned: when an export was resumed
  type: int
'''

import csv
import io
import json
import os

from ansible_collections.msp.dnsfilter.plugins.module_utils._files import complete_export, read_json, sha256_of, write_json
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._reports import WINDOW_SPEC, report_window

# The fields of TrafficReportsQueryLogsResult in DNSFilter's API description, in its order.
COLUMNS = (
    'time', 'fqdn', 'networkid', 'request_address', 'domain', 'result', 'threat', 'categories', 'server_id',
    'server_address', 'method', 'responsetime', 'agentid', 'agentname', 'agenttype', 'agent_type_raw',
    'local_ipv4_address', 'local_ipv6_address', 'local_user_id', 'local_user_remote_id', 'local_user_login',
    'local_user_name', 'lan_device_name', 'network_name', 'server_name', 'method_name', 'categories_names', 'policy_id',
    'policy_name', 'scheduled_policy_id', 'scheduled_policy_name', 'collection_id', 'collection_name', 'collections',
    'collections_names', 'mac_address', 'application_id', 'application_name', 'application_category_id',
    'application_category_name', 'protocol', 'question_type', 'response_ips', 'region')


def cell(value):
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (list, tuple)):
        return ';'.join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def encode(rows, fmt):
    buf = io.StringIO()
    if fmt == 'csv':
        writer = csv.writer(buf, lineterminator='\n')
        for row in rows:
            writer.writerow([cell(row.get(c)) for c in COLUMNS])
    else:
        for row in rows:
            buf.write(json.dumps(row, sort_keys=True) + '\n')
    return buf.getvalue().encode('utf-8')


def header(fmt):
    if fmt != 'csv':
        return b''
    buf = io.StringIO()
    csv.writer(buf, lineterminator='\n').writerow(COLUMNS)
    return buf.getvalue().encode('utf-8')


def main_logic(mod):
    p = mod.params
    dest = p['dest']
    if not os.path.isdir(os.path.dirname(os.path.abspath(dest))):
        mod.fail('The directory of dest %s does not exist.' % dest)
    if p['page_size'] < 1 or p['page_size'] > 100:
        mod.fail('page_size must be between 1 and 100 (the API maximum).')
    try:
        start, end = report_window(p['start'], p['end'], p['days'])
    except ValueError as exc:
        mod.fail('%s Nothing was read.' % exc)
    fingerprint = {
        'organization_id': p['organization_id'], 'from': start, 'to': end, 'format': p['format'],
        'result': p['result'], 'network_ids': sorted(p['network_ids'] or []), 'agent_ids': sorted(p['agent_ids'] or []),
    }
    meta_path, part, progress_path = dest + '.meta.json', dest + '.part', dest + '.progress.json'
    meta = None if p['force'] else complete_export(dest, fingerprint)
    if meta:
        mod.exit(dest=dest, rows=meta['rows'], sha256=meta['sha256'], pages=0)
    mod.changed = True
    if mod.check_mode:
        mod.exit(dest=dest, rows=0, pages=0)

    progress = read_json(progress_path)
    resumed = progress if progress and progress.get('options') == fingerprint and os.path.exists(part) else None
    number = resumed['next_page'] if resumed else 1
    rows = resumed['rows'] if resumed else 0
    with open(part, 'r+b' if resumed else 'wb') as out:
        if resumed:
            out.truncate(resumed['offset'])  # drop a page half-written when the run stopped
            out.seek(resumed['offset'])
        else:
            out.write(header(p['format']))
        query = {'organization_id': p['organization_id'], 'from': fingerprint['from'], 'to': fingerprint['to']}
        if p['result'] != 'all':
            query['result'] = p['result']
        if p['network_ids']:
            query['network_ids'] = ','.join(str(i) for i in p['network_ids'])
        if p['agent_ids']:
            query['agent_ids'] = ','.join(p['agent_ids'])
        pages = 0
        while True:
            query['page'] = {'number': number, 'size': p['page_size']}
            body = mod.client.get('/v1/traffic_reports/query_logs', params=query) or {}
            values = ((body.get('data') or {}).get('values')) or []
            out.write(encode(values, p['format']))
            out.flush()
            os.fsync(out.fileno())
            rows += len(values)
            pages += 1
            number += 1
            write_json(progress_path, {'options': fingerprint, 'next_page': number, 'rows': rows, 'offset': out.tell()})
            if len(values) < p['page_size']:
                break
    os.replace(part, dest)
    digest = sha256_of(dest)
    write_json(meta_path, {'options': fingerprint, 'rows': rows, 'sha256': digest})
    os.remove(progress_path)
    result = dict(dest=dest, rows=rows, sha256=digest, pages=pages)
    if resumed:
        result['resumed_from_page'] = resumed['next_page']
    mod.exit(**result)


def main():
    DNSFilterModule(argument_spec=dict(
        WINDOW_SPEC,
        organization_id=dict(type='int', required=True),
        dest=dict(type='path', required=True),
        format=dict(type='str', choices=['csv', 'jsonl'], default='csv'),
        result=dict(type='str', choices=['all', 'allowed', 'blocked'], default='all'),
        network_ids=dict(type='list', elements='int'),
        agent_ids=dict(type='list', elements='str'),
        page_size=dict(type='int', default=100),
        force=dict(type='bool', default=False),
    )).run(main_logic)


if __name__ == '__main__':
    main()
