#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: csv_export
short_description: Export Roaming Clients, Users or sites through DNSFilter's CSV export jobs
version_added: 0.1.0
description:
  - Starts DNSFilter's CSV export job for the organisation's Roaming Clients (C(/v1/user_agent_csv_exports)), Users
    (C(/v2/agent_local_users_csv_export)) or networks (C(/v2/networks_csv_export)), waits for it, and downloads the file.
  - The download URL is pre-signed; the API key is not sent with it.
  - A file already exported for the same organisation and kind is kept (its checksum is verified), so a second run
    changes nothing; O(force=true) exports again, for example for the after-snapshot of an exit.
  - When the answer to the request that starts the export is lost after it was sent (a timeout, a reset connection
    or a 5xx), the request is not sent again. DNSFilter offers no way to list the exports it made, so the one that
    request may have started cannot be found. For V(roaming_clients), the module reads the same list from DNSFilter's
    synchronous CSV (C(GET /v1/user_agents/csv), which creates nothing) and returns RV(recovered); for V(users) and
    V(networks), which have no such CSV, it fails and says so - run it again.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.files
options:
  organization_id:
    description: The organisation to export.
    type: int
    required: true
  kind:
    description: What to export.
    type: str
    choices: [roaming_clients, users, networks]
    required: true
  dest:
    description: The file to write. Its directory must exist.
    type: path
    required: true
  force:
    description: Export again even if the file exists with the same options.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for the export job.
    type: int
    default: 300
  poll_interval:
    description: Seconds between checks of the export job.
    type: float
    default: 2
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: The customer's Roaming Client list, as DNSFilter exports it
  msp.dnsfilter.csv_export:
    organization_id: 4000101
    kind: roaming_clients
    dest: "{{ evidence_dir }}/before/roaming-clients.csv"
'''

RETURN = r'''
dest:
  description: The file written.
  returned: always
  type: str
bytes:
  description: Its size.
  returned: when the file exists
  type: int
sha256:
  description: Its SHA-256.
  returned: when the file exists
  type: str
job:
  description: The export job, as DNSFilter last reported it (its download URL removed).
  returned: when an export job ran to completion
  type: dict
recovered:
  description:
    - How the file was obtained after the answer to the export's create request was lost - C(reason) (the error)
      and C(via) (the request that read the list instead).
  returned: when the create request's answer was lost and the list was read another way
  type: dict
  sample: {reason: "The connection dropped during POST /v1/user_agent_csv_exports ...", via: GET /v1/user_agents/csv}
'''

import os

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterError
from ansible_collections.msp.dnsfilter.plugins.module_utils._files import complete_export, sha256_of, write_json
from ansible_collections.msp.dnsfilter.plugins.module_utils._jobs import export_state, job_fields, wait_for_job
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule

# kind: (create path, show path, body wrapper key)
EXPORTS = {
    'roaming_clients': ('/v1/user_agent_csv_exports', '/v1/user_agent_csv_exports/%s', 'user_agent_csv_export'),
    'users': ('/v2/agent_local_users_csv_export', '/v2/agent_local_users_csv_export/%s', 'agent_local_users_csv_export'),
    'networks': ('/v2/networks_csv_export', '/v2/networks_csv_export/%s', 'networks_csv_export'),
}
# kind: DNSFilter's synchronous CSV of the same list (same columns), read when an export's create answer is lost.
SYNCHRONOUS = {'roaming_clients': '/v1/user_agents/csv'}


def answer_lost(exc):
    """True when a write may have reached DNSFilter but its answer did not come back (not a refusal, not a 429)."""
    return bool(exc.retryable) and exc.status != 429 and (exc.status is None or exc.status >= 500)


def read_synchronously(mod, kind, dest, exc):
    """The list through the synchronous CSV, written to dest; returns (size, sha256, recovered)."""
    path = SYNCHRONOUS[kind]
    body = mod.client.get(path, params={'organization_id': mod.params['organization_id']})
    data = body if isinstance(body, str) else ''
    if not data.strip():
        mod.fail('%s; reading %s instead returned no CSV (%r).' % (exc.message, path, type(body).__name__))
    part = dest + '.part'
    with open(part, 'wb') as out:
        out.write(data.encode('utf-8'))
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, dest)
    return os.path.getsize(dest), sha256_of(dest), {'reason': exc.message, 'via': 'GET %s' % path}


def main_logic(mod):
    p = mod.params
    dest = p['dest']
    if not os.path.isdir(os.path.dirname(os.path.abspath(dest))):
        mod.fail('The directory of dest %s does not exist.' % dest)
    options = {'organization_id': p['organization_id'], 'kind': p['kind']}
    meta = None if p['force'] else complete_export(dest, options)
    if meta:
        mod.exit(dest=dest, bytes=os.path.getsize(dest), sha256=meta['sha256'])
    mod.changed = True
    if mod.check_mode:
        mod.exit(dest=dest)
    create, show, wrapper = EXPORTS[p['kind']]
    try:
        body = mod.client.post(create, {wrapper: {'organization_ids': [p['organization_id']]}})
    except DNSFilterError as exc:
        if not answer_lost(exc):
            raise
        if p['kind'] not in SYNCHRONOUS:
            mod.fail('%s DNSFilter offers no list of its %s exports, so the export this request may have started cannot '
                     'be found, and no other request returns the same file; nothing was written. Run the task again '
                     '(exports are taken before anything is removed).' % (exc.message, p['kind']), status=exc.status)
        size, digest, recovered = read_synchronously(mod, p['kind'], dest, exc)
        write_json(dest + '.meta.json', {'options': options, 'sha256': digest, 'source': recovered['via']})
        mod.exit(dest=dest, bytes=size, sha256=digest, recovered=recovered)
    job = job_fields(body)
    ident = job.get('id') or job.get('uuid')
    if ident is None:
        mod.fail('DNSFilter accepted the %s export but returned no job id: %s' % (p['kind'], body))
    job = wait_for_job(mod.client, show % ident, timeout=p['wait_timeout'], interval=p['poll_interval'],
                       what='%s CSV export' % p['kind'], state_of=export_state)
    part = dest + '.part'
    with open(part, 'wb') as out:
        size, digest = mod.client.download(job.get('url') or job.get('download_url'), out)
    os.replace(part, dest)
    write_json(dest + '.meta.json', {'options': options, 'sha256': digest})
    job = {k: v for k, v in job.items() if k not in ('url', 'download_url')}
    mod.exit(dest=dest, bytes=size, sha256=digest, job=job)


def main():
    DNSFilterModule(argument_spec=dict(
        organization_id=dict(type='int', required=True),
        kind=dict(type='str', choices=sorted(EXPORTS), required=True),
        dest=dict(type='path', required=True),
        force=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=300),
        poll_interval=dict(type='float', default=2),
    )).run(main_logic)


if __name__ == '__main__':
    main()
