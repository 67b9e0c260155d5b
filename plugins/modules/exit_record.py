#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: exit_record
short_description: Open, record into and close the evidence bundle of one exit, and write its report
version_added: 0.2.0
description:
  - Owns the life of an exit's evidence bundle, C(<root>/<ticket>-<UTC time>), so that what every run of the exit did
    survives a run that is killed at any point.
  - O(state=open) creates the ticket's bundle, or resumes it when any earlier run of the ticket made one (finished or
    not). There is never a second bundle for a ticket - also when a run died between creating the folder and marking
    it open. The bundle appears whole or not at all (a marker C(<bundle>.open) is written beside it first, then the
    folder is built under a temporary name and renamed), under a lock on the ticket. Journal intents a killed run left
    without an outcome are reconciled from DNSFilter's state (a GET each). Returns the folder and the C(journal)
    option (C(path), C(run)) for the writing modules.
  - O(state=record) writes one phase's results and outstanding items, one file per phase per run
    (C(runs/<run>/<phase>.json)), atomically; a killed run keeps every phase it recorded.
  - O(state=close) reconciles the journal again and writes C(report.md), C(report.html) and C(VERIFY.py) into the
    bundle. The report is the union of everything every run did - the journal's changes that happened, in order, and
    every run's recorded phases, each subject once - and what is outstanding, with the next step and who must act.
    Seal and archive the bundle afterwards with M(msp.dnsfilter.evidence_manifest).
  - In check mode, O(state=open) makes a plan folder of its own, C(<ticket>-plan-<UTC time>), and O(state=record) and
    O(state=close) write into it only; nothing else is written and no request but reads is made. The plan report says
    what a real run would do.
extends_documentation_fragment:
  - msp.dnsfilter.api
options:
  state:
    description:
      - V(open) the ticket's bundle, V(record) a phase into it, or V(close) it (the report and the verifier).
    type: str
    required: true
    choices: [open, record, close]
  root:
    description: The evidence root, in which each ticket has one bundle. Required with O(state=open).
    type: path
  ticket:
    description:
      - The PSA ticket of the exit (letters, digits and C(#._-)); it names the bundle. Required with O(state=open).
    type: str
  run_record:
    description:
      - The run's inputs (ticket, approver, organisation, effective date, exit shape, caller, check mode), written as
        C(run.json) when the bundle is made and as C(runs/<run>/run.json) for every run. Never pass a secret.
    type: dict
    default: {}
  path:
    description: The bundle, as O(state=open) returned it in RV(dir). Required with O(state=record) and O(state=close).
    type: path
  run:
    description:
      - The run id O(state=open) returned in RV(run). Defaults to C(run) of the O(journal) option.
    type: str
  phase:
    description: The phase recorded (lower case letters, digits and C(_)), such as C(remove_roaming_clients). Required with O(state=record).
    type: str
  results:
    description:
      - The phase's results as the playbook registered them. Secret-bearing keys (token, secret key, PIN, password) are
        dropped at any depth. For C(remove_roaming_clients), C(uninstall) and C(records) (the two
        M(msp.dnsfilter.roaming_client) results), C(site_keys), C(devices) (the rows of C(devices/)) and C(out_of_scope)
        are read for the report, and the agents they leave are added to the outstanding items.
    type: dict
    default: {}
  outstanding:
    description:
      - What the phase leaves to be done. Each item has C(subject) (what is left, as a person reads it), C(subject_type)
        (such as C(roaming_client), C(dashboard_user), C(sso), C(sso_groups), C(site), C(organization)), C(reason),
        C(next_step), and optionally C(who) (who must act) and C(id). C(next_step) and C(who) default by
        C(subject_type). For older callers, C(hostname), C(host) or C(email) stand for C(subject).
      - An item without a subject or a reason is refused, and nothing is written.
    type: list
    elements: dict
    default: []
  acceptance:
    description:
      - The customer's acceptance of the exit, from the playbook's C(dnsfilter_customer_acceptance). With
        O(state=open) it is checked before anything is written; with O(state=close) it is shown in the report.
      - Without it, an exit that needs it (see O(acceptance_required)) lists the acceptance as outstanding.
    type: dict
    suboptions:
      accepted_by:
        description: Who accepted, for the customer.
        type: str
        required: true
      accepted_at:
        description: When.
        type: str
        required: true
      reference:
        description: Where it is recorded (an e-mail, a signed form, a ticket note).
        type: str
        required: true
  acceptance_required:
    description:
      - Whether the exit needs the customer's acceptance. Default is V(true) for the C(customer_exit) shape and V(false) for the others.
    type: bool
  asset_ids:
    description:
      - Device asset ids by inventory host name (the inventory's C(dnsfilter_asset_id) host variable). Used with
        O(state=close) when DNSFilter's record has no asset id.
    type: dict
    default: {}
  evidence_for_customer:
    description:
      - The bundle's files handed to the customer; the report lists those the bundle has.
    type: list
    elements: str
    default: [report.html, report.md, VERIFY.py, before/query-log.csv, before/roaming_clients.csv]
notes:
  - The journal (C(journal.jsonl) in the bundle) is written by the modules that change DNSFilter, when their task has
    the O(journal) option; see docs/evidence.md.
  - The HTML report has print styles; a browser prints it or saves it as PDF as it is shown.
attributes:
  check_mode:
    description: Can run in check mode.
    support: full
    details: In check mode it writes into a plan folder of its own only, and changes nothing in DNSFilter or in any other bundle.
  diff_mode:
    description: Returns details on what has changed, when in diff mode.
    support: none
  idempotent:
    description: Running the module again with the same options changes nothing.
    support: partial
    details: O(state=record) and O(state=close) rewrite nothing that is unchanged; each O(state=open) starts a new run of the exit.
  action_group:
    description: Use C(group/msp.dnsfilter.all) in C(module_defaults) to set the connection options for this module.
    support: full
    membership:
      - msp.dnsfilter.all
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Open the ticket's bundle (resumed when a run of it exists)
  msp.dnsfilter.exit_record:
    state: open
    root: /srv/evidence
    ticket: PSA-1001
    run_record: "{{ dnsfilter_run }}"
  register: opened

- name: The journal for every writing module of this run
  ansible.builtin.set_fact:
    dnsfilter_journal: "{{ opened.journal }}"
  when: not ansible_check_mode

- name: Record a phase
  msp.dnsfilter.exit_record:
    state: record
    path: "{{ opened.dir }}"
    run: "{{ opened.run }}"
    phase: close_access
    results: "{{ access }}"
    outstanding:
      - subject: SSO groups
        subject_type: sso_groups
        reason: Remove bob@msp.example from the IdP group DNSFilter-Technicians.
        next_step: Remove him from the group, put a screenshot in operator/, run again.
        who: the MSP's IdP administrator

- name: The report and the verifier
  msp.dnsfilter.exit_record:
    state: close
    path: "{{ opened.dir }}"
    run: "{{ opened.run }}"
    acceptance:
      accepted_by: Dana Reyes (Contoso Dental practice manager)
      accepted_at: "2026-11-30"
      reference: PSA-1001 note 7
  register: closed
'''

RETURN = r'''
dir:
  description: The bundle (O(state=open)).
  returned: state is open
  type: str
  sample: /srv/evidence/PSA-1001-20261126T101500Z
run:
  description: This run's id; pass it to O(state=record) and O(state=close).
  returned: always
  type: str
  sample: 20261126T101500Z-5f3a9c1e
journal:
  description: The C(journal) option for the modules that write, C(path) and C(run); null in check mode (a plan writes nothing).
  returned: state is open
  type: dict
  sample: {path: /srv/evidence/PSA-1001-20261126T101500Z/journal.jsonl, run: 20261126T101500Z-5f3a9c1e}
resumed:
  description: Whether an earlier run of the ticket had made the bundle.
  returned: state is open
  type: bool
created:
  description: Whether this run made the bundle's folder.
  returned: state is open
  type: bool
reconciled:
  description: The outcomes given to journal intents a killed run left open, each with C(id) and C(result).
  returned: state is open or close
  type: list
  elements: dict
path:
  description: The phase record's file, C(runs/<run>/<phase>.json) in the bundle (O(state=record)).
  returned: state is record
  type: str
record:
  description: The phase record as written (O(state=record)).
  returned: state is record
  type: dict
outstanding:
  description:
    - What is outstanding; with O(state=record) the phase's items, with O(state=close) the exit's, across its runs.
    - Each has C(phase), C(subject), C(subject_type), C(reason), C(next_step), C(who) and optionally C(id).
  returned: state is record or close
  type: list
  elements: dict
report:
  description:
    - The report's data (O(state=close)) - C(shape), C(ticket), C(organization), C(approver), C(runs), C(phases),
      C(roaming_clients), C(journal) (C(happened)), C(acceptance), C(handover) and C(outstanding), among others.
  returned: state is close
  type: dict
files:
  description: The files O(state=close) wrote into the bundle.
  returned: state is close
  type: list
  elements: str
  sample: [VERIFY.py, report.html, report.md]
psa_note:
  description: A short note of the exit for the PSA ticket.
  returned: state is close
  type: str
'''

import os

from ansible_collections.msp.dnsfilter.plugins.module_utils import _journal, _record
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule, flatten


def reconcile(mod, bundle, run):
    """Give every journal intent without an outcome the one DNSFilter's state shows now (a GET each)."""
    path = os.path.join(bundle, _journal.JOURNAL_NAME)
    entries, dummy = _journal.read(path)
    if not _journal.pending(entries):
        return []

    def read_now(resource):
        body = mod.client.get(resource, missing_ok=True)
        if not isinstance(body, dict):
            return None
        # JSON:API answers wrap the resource in data; a membership answers {"user": ...}; anything else is the resource.
        data = body['data'] if 'data' in body else body.get('user', body)
        return flatten(data) if isinstance(data, dict) else {}

    journal = _journal.Journal(path, run=run, module='msp.dnsfilter.exit_record')
    try:
        written = _journal.reconcile(journal, entries, read_now)
    except _journal.JournalError as exc:
        mod.fail(str(exc))
    mod.changed = mod.changed or bool(written)
    return [{'id': o['id'], 'result': o['result']} for o in written]


def need(mod, *names):
    missing = [n for n in names if mod.params.get(n) in (None, '')]
    if missing:
        mod.fail('state=%s needs %s. Nothing was written.' % (mod.params['state'], ', '.join(missing)))


def run_id(mod):
    run = mod.params.get('run') or (mod.params.get('journal') or {}).get('run')
    if not run:
        mod.fail('state=%s needs run (the id state=open returned) or the journal option. Nothing was written.' % mod.params['state'])
    return run


def do_open(mod):
    need(mod, 'root', 'ticket')
    _record.check_acceptance(mod.params.get('acceptance'))
    run = _record.new_run_id()
    opened = _record.open_bundle(mod.params['root'], mod.params['ticket'], mod.params['run_record'], run, check_mode=mod.check_mode)
    mod.changed = True
    reconciled = [] if mod.check_mode else reconcile(mod, opened['dir'], run)
    journal = None if mod.check_mode else {'path': os.path.join(opened['dir'], _journal.JOURNAL_NAME), 'run': run}
    mod.exit(dir=opened['dir'], run=run, journal=journal, resumed=opened['resumed'], created=opened['created'],
             reconciled=reconciled)


def do_record(mod):
    need(mod, 'path', 'phase')
    run = run_id(mod)
    path, record, changed = _record.record_phase(mod.params['path'], run, mod.params['phase'], mod.params['results'],
                                                 mod.params['outstanding'], check_mode=mod.check_mode)
    mod.changed = changed
    mod.exit(run=run, path=path, record=record, outstanding=record['outstanding'])


def do_close(mod):
    need(mod, 'path')
    run = run_id(mod)
    reconciled = [] if mod.check_mode else reconcile(mod, mod.params['path'], run)
    acc, files, changed = _record.close_bundle(mod.params['path'], check_mode=mod.check_mode, acceptance=mod.params.get('acceptance'),
                                               acceptance_required=mod.params.get('acceptance_required'),
                                               asset_ids=mod.params['asset_ids'], handover=mod.params['evidence_for_customer'])
    mod.changed = mod.changed or changed
    report = {k: v for k, v in acc.items() if k != 'records'}
    mod.exit(run=run, reconciled=reconciled, report=report, outstanding=acc['outstanding'], files=files, psa_note=_record.psa_note(acc))


def main():
    mod = DNSFilterModule(dict(
        state=dict(type='str', required=True, choices=['open', 'record', 'close']),
        root=dict(type='path'),
        ticket=dict(type='str'),
        run_record=dict(type='dict', default={}),
        path=dict(type='path'),
        run=dict(type='str'),
        phase=dict(type='str'),
        results=dict(type='dict', default={}),
        outstanding=dict(type='list', elements='dict', default=[]),
        acceptance=dict(type='dict', options=dict(accepted_by=dict(type='str', required=True), accepted_at=dict(type='str', required=True),
                                                  reference=dict(type='str', required=True))),
        acceptance_required=dict(type='bool'),
        asset_ids=dict(type='dict', default={}),
        evidence_for_customer=dict(type='list', elements='str',
                                   default=['report.html', 'report.md', 'VERIFY.py', 'before/query-log.csv', 'before/roaming_clients.csv']),
    ), supports_check_mode=True)

    def main_of(m):
        try:
            {'open': do_open, 'record': do_record, 'close': do_close}[m.params['state']](m)
        except _record.RecordError as exc:
            m.fail(str(exc))
        except OSError as exc:
            m.fail('The evidence bundle could not be written: %s' % exc)

    mod.run(main_of)


if __name__ == '__main__':
    main()
