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
  returned: when an export ran
  type: dict
'''

import os

from ansible_collections.msp.dnsfilter.plugins.module_utils._files import complete_export, write_json
from ansible_collections.msp.dnsfilter.plugins.module_utils._jobs import export_state, job_fields, wait_for_job
from ansible_collections.msp.dnsfilter.plugins.module_utils._journal import subject
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule

# kind: (create path, show path, body wrapper key)
EXPORTS = {
    'roaming_clients': ('/v1/user_agent_csv_exports', '/v1/user_agent_csv_exports/%s', 'user_agent_csv_export'),
    'users': ('/v2/agent_local_users_csv_export', '/v2/agent_local_users_csv_export/%s', 'agent_local_users_csv_export'),
    'networks': ('/v2/networks_csv_export', '/v2/networks_csv_export/%s', 'networks_csv_export'),
}


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
    # Through the one write path, so the journal shows the export job; it changes nothing of the customer's, and a
    # resumed run makes it again unless dest is complete (nothing to read back: verify is None).
    body = mod.write('POST', create, body={wrapper: {'organization_ids': [p['organization_id']]}},
                     action='start %s CSV export' % p['kind'], subjects=[subject('organization', p['organization_id'])],
                     why='evidence the customer keeps, taken before anything is removed', verify=None)
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
