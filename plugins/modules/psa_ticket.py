#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: psa_ticket
short_description: Post an internal note and attach files (report, evidence bundle) to a PSA ticket
version_added: 0.1.0
description:
  - Records an offboarding on the MSP's ticket in ConnectWise PSA (Manage), Datto Autotask or HaloPSA. Post one note
    per phase, and a note for every failure, so that the ticket tells what happened; at the end attach the report
    and the evidence bundle.
  - The ticket must exist; the module never creates one.
  - The note is internal (hidden from the customer). It ends with a marker line C([msp.dnsfilter:<SHA-256 of the note>]);
    a note whose marker is already on the ticket is not posted again.
  - Each file is uploaded under the title O(title_prefix) followed by its file name. A file whose exact title and
    SHA-256 are already on the ticket is not uploaded again (same-titled files on the ticket are downloaded and
    hashed to tell).
  - Files are sent byte-exact, as multipart/form-data for ConnectWise PSA and as base64 for Autotask and HaloPSA.
  - A note or file upload (a POST) is never re-sent after the connection dropped once the request may have reached
    the PSA; the task fails instead and says so, and running it again posts only what is missing. Reads are retried
    with backoff within O(api_deadline); an HTTP 429 is waited out as its C(Retry-After) says.
  - "Provider paths: for each of the three providers the note and the file upload are complete and tested, in unit
    tests and against simulators of the endpoints this module calls (C(tests/sandbox/psa_sim)); none has been run
    against a live PSA tenant by this collection's tests. See docs/psa.md for what each PSA needs."
options:
  provider:
    description: The PSA that holds the ticket.
    type: str
    required: true
    choices: [connectwise, autotask, halopsa]
  ticket:
    description:
      - The ticket's numeric id (ConnectWise PSA ticket number, Autotask ticket id, HaloPSA ticket id).
      - For Autotask this is the id, not the ticket number such as C(T20250101.0001).
    type: str
    required: true
  note:
    description:
      - Text to post as an internal note. Not posted again when the same text is already on the ticket.
      - "ConnectWise PSA: an Internal Analysis note. Autotask: a ticket note with O(autotask_note_type) and
        O(autotask_publish); its title is O(title_prefix) and the note's first line. HaloPSA: an action with the outcome
        O(halo_outcome), hidden from the user."
    type: str
  attachments:
    description: Files to attach, such as the exit report and the evidence bundle (C(.tar.gz)).
    type: list
    elements: path
    default: []
  title_prefix:
    description:
      - Put before each file name to make the attachment's title (and, on HaloPSA, its file name), and before the
        title of an Autotask note.
    type: str
    default: ''
  url:
    description:
      - "ConnectWise PSA: the API site, for example V(https://api-na.myconnectwise.net) (C(/v4_6_release/apis/3.0) is
        added unless the URL already holds an C(/apis/3.0) path)."
      - "Autotask: the zone of the database, for example V(https://webservices5.autotask.net/ATServicesRest)
        (C(/V1.0) is added unless present)."
      - "HaloPSA: the tenant root, for example V(https://example.halopsa.com); the token comes from C(<url>/auth/token)
        and the API is C(<url>/api)."
      - If not set, the value of the E(PSA_URL) environment variable is used.
    type: str
  company:
    description:
      - ConnectWise PSA company id (the one used to log in). If not set, E(PSA_COMPANY) is used.
    type: str
  public_key:
    description:
      - ConnectWise PSA API member's public key. If not set, E(PSA_PUBLIC_KEY) is used.
    type: str
  private_key:
    description:
      - ConnectWise PSA API member's private key. If not set, E(PSA_PRIVATE_KEY) is used. Never logged or returned.
    type: str
  client_id:
    description:
      - "ConnectWise PSA: the integration's clientId (from developer.connectwise.com), sent as the C(clientId) header."
      - "HaloPSA: the API application's Client ID."
      - If not set, E(PSA_CLIENT_ID) is used.
    type: str
  username:
    description:
      - Autotask API-only user's username. If not set, E(PSA_USERNAME) is used.
    type: str
  secret:
    description:
      - Autotask API-only user's secret (password). If not set, E(PSA_SECRET) is used. Never logged or returned.
    type: str
  integration_code:
    description:
      - Autotask API tracking identifier (the C(ApiIntegrationCode) header) of the API-only user. If not set,
        E(PSA_INTEGRATION_CODE) is used. Never logged or returned.
    type: str
  client_secret:
    description:
      - HaloPSA API application's client secret. If not set, E(PSA_CLIENT_SECRET) is used. Never logged or returned.
    type: str
  halo_scope:
    description: HaloPSA only. The scope requested with the token.
    type: str
    default: all
  halo_outcome:
    description:
      - HaloPSA only. The id of the outcome (action type) the note is posted with.
      - Halo refuses an action without an outcome with "An Outcome must be entered for this Action". CIPP learned this
        the hard way and now falls back to outcome 7, Halo's built-in Private Note; this module sends 7 unless told
        otherwise, and fails clearly (it does not silently fall back) when the tenant refuses the outcome given.
    type: int
    default: 7
  autotask_note_type:
    description: Autotask only. The note type (C(noteType) picklist value of TicketNotes in your database).
    type: int
    default: 1
  autotask_publish:
    description:
      - Autotask only. The C(publish) picklist value of the note and the attachments. Picklist values are per database;
        read them from C(TicketNotes/entityInformation/fields) and choose the internal one.
    type: int
    default: 1
  validate_certs:
    description: Whether to verify the PSA's TLS certificate. Set V(false) only in a lab.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM) to verify the PSA's certificate with, for example behind a TLS-inspecting proxy.
      - If not set, E(PSA_CA_PATH) is used, and then the system trust store.
    type: path
  request_timeout:
    description: Seconds to wait for one HTTP response.
    type: float
    default: 30.0
  api_deadline:
    description: Seconds one call may take in total, retries included.
    type: float
    default: 300.0
notes:
  - The module is not in the C(msp.dnsfilter.all) action group (that group sets the DNSFilter connection options);
    set its options per task, through C(module_defaults) for C(msp.dnsfilter.psa_ticket), or from the E(PSA_*)
    environment variables.
requirements:
  - requests
attributes:
  check_mode:
    description: Can run in check mode and return the changed status prediction without modifying the ticket.
    support: full
    details: In check mode the module reads the ticket, its notes and its files, posts nothing, and reports what it would post.
  diff_mode:
    description: Returns details on what has changed (or would change in check mode), when in diff mode.
    support: full
    details: The diff lists the note marker and the attachment titles on the ticket before and after.
  idempotent:
    description: Running the module again with the same options changes nothing.
    support: full
    details: A note is recognised by its marker line, a file by its exact title and SHA-256.
seealso:
  - name: PSA setup
    description: What each PSA needs (API member and role, API-only user and zone, API application and outcome).
    link: https://github.com/msp-dnsfilter/msp.dnsfilter/blob/main/docs/psa.md
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Note the failed phase on the exit ticket
  msp.dnsfilter.psa_ticket:
    provider: halopsa
    url: https://example.halopsa.com
    client_id: "{{ halo_client_id }}"
    client_secret: "{{ vault_halo_client_secret }}"
    ticket: "{{ exit_ticket }}"
    note: "Roaming Client removal failed on DESK-07: {{ removal.msg }}"
  delegate_to: localhost

- name: Attach the report and the evidence bundle (credentials from PSA_* environment variables)
  msp.dnsfilter.psa_ticket:
    provider: connectwise
    ticket: "{{ exit_ticket }}"
    title_prefix: "DNSFilter exit {{ customer }} - "
    note: "DNSFilter exit of {{ customer }} complete. Report and evidence attached."
    attachments:
      - "{{ evidence_dir }}/report.html"
      - "{{ evidence_dir }}/evidence.tar.gz"
  delegate_to: localhost

- name: Autotask, publish value read from the database's picklist
  msp.dnsfilter.psa_ticket:
    provider: autotask
    url: https://webservices5.autotask.net/ATServicesRest
    username: dnsfilter-api@example.com
    secret: "{{ vault_autotask_secret }}"
    integration_code: "{{ vault_autotask_integration_code }}"
    ticket: "41234"
    autotask_publish: 1
    note: DNSFilter site Main deleted.
  delegate_to: localhost
'''

RETURN = r'''
ticket:
  description: The ticket id.
  returned: always
  type: str
  sample: "41234"
provider:
  description: The PSA.
  returned: always
  type: str
  sample: connectwise
note:
  description: What happened to the note.
  returned: when O(note) is set
  type: dict
  contains:
    marker:
      description: The marker line that identifies the note.
      type: str
      sample: "[msp.dnsfilter:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08]"
    sha256:
      description: SHA-256 of the note text as given.
      type: str
    action:
      description:
        - V(posted), V(present) (already on the ticket) or V(would_post) (check mode).
        - V(posting) only in a failed result, when posting the note failed; the message says whether it may have arrived.
      type: str
    id:
      description: The new note's id, when posted and the PSA returned one.
      type: raw
attachments:
  description: What happened to each file, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The local file.
      type: str
    title:
      description: The attachment's title on the ticket.
      type: str
    sha256:
      description: SHA-256 of the file.
      type: str
    size:
      description: Size in bytes.
      type: int
    action:
      description:
        - V(uploaded), V(present) (same title and SHA-256 already on the ticket) or V(would_upload) (check mode).
        - V(uploading) only in a failed result, for the upload that failed. Files after it have no entry.
      type: str
    id:
      description: The attachment's id on the ticket (the existing one when present).
      type: raw
api_calls:
  description: HTTP requests made to the PSA.
  returned: always
  type: int
'''

import hashlib
import os

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.msp.dnsfilter.plugins.module_utils.psa import (
    HAS_REQUESTS, PROVIDERS, REQUESTS_IMPORT_ERROR, PsaError, note_marker, sha256_file, with_marker)


def env(name):
    return (env_fallback, [name])


def argument_spec():
    return dict(
        provider=dict(type='str', required=True, choices=sorted(PROVIDERS)),
        ticket=dict(type='str', required=True),
        note=dict(type='str'),
        attachments=dict(type='list', elements='path', default=[]),
        title_prefix=dict(type='str', default=''),
        url=dict(type='str', fallback=env('PSA_URL')),
        company=dict(type='str', fallback=env('PSA_COMPANY')),
        public_key=dict(type='str', no_log=False, fallback=env('PSA_PUBLIC_KEY')),
        private_key=dict(type='str', no_log=True, fallback=env('PSA_PRIVATE_KEY')),
        client_id=dict(type='str', fallback=env('PSA_CLIENT_ID')),
        username=dict(type='str', fallback=env('PSA_USERNAME')),
        secret=dict(type='str', no_log=True, fallback=env('PSA_SECRET')),
        integration_code=dict(type='str', no_log=True, fallback=env('PSA_INTEGRATION_CODE')),
        client_secret=dict(type='str', no_log=True, fallback=env('PSA_CLIENT_SECRET')),
        halo_scope=dict(type='str', default='all'),
        halo_outcome=dict(type='int', default=7),
        autotask_note_type=dict(type='int', default=1),
        autotask_publish=dict(type='int', default=1),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path', fallback=env('PSA_CA_PATH')),
        request_timeout=dict(type='float', default=30.0),
        api_deadline=dict(type='float', default=300.0),
    )


class Run:
    """One module run: the plan, the writes, and a result that says what was done even when a later step fails."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.changed = False
        self.result = {'ticket': self.params['ticket'], 'provider': self.params['provider'], 'attachments': []}
        self.diff = {'before': {'notes': [], 'attachments': []}, 'after': {'notes': [], 'attachments': []}}
        self.client = None

    def fail(self, msg, **extra):
        calls = self.client.calls if self.client else 0
        self.module.fail_json(msg=msg, changed=self.changed, api_calls=calls, **dict(self.result, **extra))

    def files(self):
        """Every file checked and hashed before the first call, so a typo fails before anything is posted."""
        files, titles = [], {}
        for path in self.params['attachments']:
            if not os.path.isfile(path):
                self.fail('The attachment %s does not exist or is not a file.' % path)
            title = '%s%s' % (self.params['title_prefix'], os.path.basename(path))
            if title in titles:
                self.fail('%s and %s would both be attached as %r; give the files different names.' % (titles[title], path, title))
            titles[title] = path
            try:
                digest, size = sha256_file(path)
            except (IOError, OSError) as exc:
                self.fail('Cannot read the attachment %s: %s' % (path, exc))
            files.append({'path': path, 'title': title, 'sha256': digest, 'size': size})
        return files

    def run(self):
        p = self.params
        ticket = p['ticket'].strip()
        if not ticket.isdigit():
            self.fail('ticket must be the numeric id of the ticket, not %r (for Autotask: the ticket id, not its number such as '
                      'T20250101.0001).' % p['ticket'])
        self.result['ticket'] = ticket
        note = p['note'] if p['note'] and p['note'].strip() else None
        files = self.files()
        try:
            self.client = PROVIDERS[p['provider']](p)
            if not self.client.ticket_exists(ticket):
                self.fail('%s has no ticket %s, or the API user cannot see it. The module never creates tickets.'
                          % (self.client.product, ticket))
            if note is not None:
                self.post_note(ticket, note)
            if files:
                self.attach(ticket, files)
        except PsaError as exc:
            self.fail(exc.message, status=exc.status)
        if self.module._diff:
            self.result['diff'] = self.diff
        self.module.exit_json(changed=self.changed, api_calls=self.client.calls, **self.result)

    def post_note(self, ticket, note):
        marker = note_marker(note)
        entry = {'marker': marker, 'sha256': hashlib.sha256(note.encode('utf-8')).hexdigest()}
        self.result['note'] = entry
        if self.client.has_note(ticket, marker):
            entry['action'] = 'present'
            self.diff['before']['notes'].append(marker)
            self.diff['after']['notes'].append(marker)
            return
        self.diff['after']['notes'].append(marker)
        self.changed = True
        if self.module.check_mode:
            entry['action'] = 'would_post'
            return
        entry['action'] = 'posting'
        posted = self.client.add_note(ticket, with_marker(note), internal=True)
        entry.update(action='posted', id=posted.get('id'))

    def attach(self, ticket, files):
        listing = self.client.attachments(ticket)
        titles = sorted(set(item.get('title') for item in listing if item.get('title')))
        self.diff['before']['attachments'] = list(titles)
        after = set(titles)
        for item in files:
            entry = dict(item)
            self.result['attachments'].append(entry)
            found = self.client.find_attachment(ticket, item['title'], item['sha256'], item['size'], listing=listing)
            if found is not None:
                entry.update(action='present', id=found.get('id'))
                continue
            after.add(item['title'])
            self.changed = True
            if self.module.check_mode:
                entry['action'] = 'would_upload'
                continue
            entry['action'] = 'uploading'
            sent = self.client.attach(ticket, item['path'], item['title'])
            entry.update(action='uploaded', id=sent.get('id'))
            if sent.get('sha256') != item['sha256']:
                self.module.warn('%s changed between hashing and upload; the uploaded copy has SHA-256 %s.' % (item['path'], sent['sha256']))
                entry['sha256'] = sent['sha256']
        self.diff['after']['attachments'] = sorted(after)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=str(REQUESTS_IMPORT_ERROR))
    Run(module).run()


if __name__ == '__main__':
    main()
