#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: roaming_client
short_description: Uninstall DNSFilter Roaming Clients remotely and delete their records, in the safe order
version_added: 0.1.0
description:
  - O(state=uninstalled) queues DNSFilter's remote uninstall ("Delete & Uninstall") for every chosen agent that can
    uninstall itself; the agent acts on it at its next check-in. Agents that cannot are left alone and listed in
    RV(outstanding), to be removed on the device (roles C(msp.dnsfilter.roaming_client_windows) and
    C(msp.dnsfilter.roaming_client_macos)). With O(wait_uninstalled), the module waits for the queued agents to report
    themselves uninstalled; agents already queued (by an earlier run or the dashboard) are waited for too.
  - Where an agent stands is read only from what DNSFilter documents - the C(status) values C(uninstalled) and
    C(uninstalled_from_client), and the list filters C(status=uninstall_queued) and C(status=uninstalling) - never from
    other attributes (C(uninstall_queued_at)) or status codes, whose behaviour DNSFilter does not publish. An agent
    counts as uninstalled only once its status says so.
  - O(state=absent) deletes the records. A record is deleted only when DNSFilter shows the agent uninstalled, or when
    its device is listed in O(confirmed_gone); deleting the record of an agent that is still installed does not remove
    the agent, which checks in with its site key and recreates the record. Such agents fail the task before any write
    (O(on_installed=fail)) or are listed in RV(outstanding) (O(on_installed=skip)).
  - O(state=dequeued) takes back uninstalls that are queued and not yet picked up.
  - Many records are deleted with one bulk job (O(bulk_threshold)), which the module waits for and then verifies agent
    by agent; a failed job, or an agent that did not end where it should, fails the task.
  - Uninstalls are queued with one call per agent, never with the bulk job. DNSFilter's bulk delete with
    C(queue_uninstall) deletes the records of the agents it counts as unable to uninstall remotely (its C(counts) call
    calls them C(delete)) instead of queueing them, and such a live agent then re-registers. Which agents those are
    DNSFilter does not publish, so the bulk job is not trusted with a record the run may not delete yet.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.actions
  - msp.dnsfilter.agents
options:
  state:
    description: What to do with the chosen agents.
    type: str
    choices: [uninstalled, absent, dequeued]
    required: true
  all:
    description:
      - Act on every agent of the organisation(s). Without it, at least one selector (O(ids), O(hostnames), O(devices),
        O(network_ids), O(tags), O(agent_types), O(last_sync_before)) is required, so that a missing variable cannot
        select everything.
      - The same option as O(msp.dnsfilter.scheduled_report#module:all) and the other removal modules' C(all).
    type: bool
    default: false
    aliases: [all_agents]
  confirmed_gone:
    description:
      - The devices confirmed retired, wiped or destroyed, named like O(devices) (an agent id, a hostname, or a dict).
        Their records may be deleted although DNSFilter does not show them uninstalled.
      - A hostname that more than one record of the organisation(s) has (a re-imaged device's old and new record) is
        refused before any write; name the record by its agent id.
    type: list
    elements: raw
    default: []
  after_uninstall_of:
    description:
      - With O(state=absent), in check mode only - the agents this run uninstalls before it deletes records, so that
        the plan says what the real run will do. Registered results of this module with O(state=uninstalled), lists
        of agents (dicts with C(id) or C(agent_id), such as the device roles' results; one with an
        C(outstanding_reason) or C(in_scope=false) does not count) or of agent ids, in any mix.
      - Such an agent still installed is planned as C(delete_when_uninstalled) - deleted once its uninstall is
        confirmed, else kept and outstanding - instead of kept. A real run ignores it and reads where each agent stands.
    type: raw
  on_installed:
    description: With O(state=absent), what to do about agents still installed and not in O(confirmed_gone).
    type: str
    choices: [fail, skip]
    default: fail
  clear_registry:
    description:
      - With O(state=uninstalled), ask the agent to clear its local configuration and registry as it uninstalls.
    type: bool
    default: false
  bulk_threshold:
    description:
      - With O(state=absent), delete the records with one bulk job when there are at least this many; fewer get one
        call each. Uninstalls are always queued one call per agent.
    type: int
    default: 2
  wait_timeout:
    description: Seconds to wait for a bulk job to complete.
    type: int
    default: 300
  wait_uninstalled:
    description:
      - With O(state=uninstalled), seconds to wait for the queued agents to report themselves uninstalled (0 - do not wait).
      - Agents uninstall at their next check-in; those still queued at the end are listed in RV(outstanding).
    type: int
    default: 0
  poll_interval:
    description: Seconds between checks while waiting.
    type: float
    default: 5
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Queue the uninstall of every agent of the exiting customer
  msp.dnsfilter.roaming_client:
    organization_id: 4000101
    all: true
    state: uninstalled
    wait_uninstalled: 1800
  register: uninstall

- name: Delete the records of the agents that are uninstalled; list the rest
  msp.dnsfilter.roaming_client:
    organization_id: 4000101
    all: true
    state: absent
    on_installed: skip

- name: A laptop was destroyed - its record may go although the agent never uninstalled
  msp.dnsfilter.roaming_client:
    organization_id: 4000101
    hostnames: [LAPTOP-13]
    confirmed_gone: [LAPTOP-13]
    state: absent
'''

RETURN = r'''
roaming_clients:
  description: Every chosen agent with what the module did (C(action)) and where it stands now (C(removal_state)).
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0198a454-7812-77a6-8207-b96b1ffcab7b
      hostname: DESK-01
      action: queued
      removal_state: queued
outstanding:
  description: The agents the module could not finish, each with a C(reason) an engineer can act on.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 3c1d2b8e-0b8b-4a53-9d61-0a4c6a1c7d10
      hostname: FRONTDESK-OLD
      reason: Remote uninstall is not supported by windows agent 1.9.4; uninstall it on the device.
job:
  description: The bulk job, when one was used.
  returned: when a bulk job ran
  type: dict
'''

import time

from ansible_collections.msp.dnsfilter.plugins.module_utils._agents import (
    AGENT_SELECT_RULES, AGENT_SELECT_SPEC, list_agents, removal_state, resolve_devices, summary)
from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterError
from ansible_collections.msp.dnsfilter.plugins.module_utils._jobs import job_fields, wait_for_job
from ansible_collections.msp.dnsfilter.plugins.module_utils._journal import gone as verify_gone, subject
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._removal import CONDITIONAL, OUTSTANDING, REMOVE, Removal

SELECTORS = ('ids', 'hostnames', 'devices', 'network_ids', 'tags', 'agent_types', 'last_sync_before')


class Plan:
    """What to do with each chosen agent, decided the same way in check mode and for real."""

    def __init__(self, agents):
        self.rows = {str(a['id']): dict(summary(a), action='none') for a in agents}
        self.outstanding = {}

    def act(self, agent, action):
        self.rows[str(agent['id'])]['action'] = action

    def later(self, agent, reason):
        self.outstanding[str(agent['id'])] = {'id': agent['id'], 'hostname': agent.get('hostname'), 'reason': reason}

    def result(self):
        return {'roaming_clients': list(self.rows.values()), 'outstanding': list(self.outstanding.values())}


QUEUE = 'queue remote uninstall'
DELETE = 'delete Roaming Client record'
DEQUEUE = 'take back a queued remote uninstall'
QUEUE_WHY = "in the exit's scope, and the agent can uninstall remotely"


def agent_path(agent):
    return '/v1/user_agents/%s' % agent['id']


def agent_subjects(agents):
    return [subject('roaming_client', a['id'], a.get('hostname')) for a in agents]


def queued(agents):
    """Verify a queued uninstall: the agent shows it queued (or has gone further: its record gone). A record that
    does not show it proves nothing either way (DNSFilter does not publish what a queued record shows): unknown."""
    return {'path': agent_path(agents[0]), 'each': [agent_path(a) for a in agents], 'field': 'uninstall_queued_at',
            'set': True, 'gone': True, 'otherwise': 'unknown'}


def delete_why(agents):
    """The rule that lets each record go: its uninstall confirmed, or its device confirmed gone."""
    confirmed = [a.get('hostname') or str(a['id']) for a in agents if removal_state(a) == 'uninstalled']
    missing = [a.get('hostname') or str(a['id']) for a in agents if removal_state(a) != 'uninstalled']
    why = []
    if confirmed:
        why.append('uninstall confirmed (DNSFilter shows it uninstalled)' + (': %s' % ', '.join(confirmed) if len(agents) > 1 else ''))
    if missing:
        why.append('device confirmed gone' + (': %s' % ', '.join(missing) if len(agents) > 1 else ''))
    return '; '.join(why)


def run_bulk(mod, agents):
    """One bulk delete job for the agents' records (the body's ids override every filter); returns the finished job."""
    ids = [str(a['id']) for a in agents]
    # The body's ids override every filter; one organisation is named when there is just one.
    params = {'organization_id': mod.params['organization_id']}
    body = mod.write('POST', '/v1/user_agent_bulk_deletes', body={'ids': ids}, params=params, action=DELETE,
                     subjects=agent_subjects(agents), why=delete_why(agents),
                     verify=verify_gone(agent_path(agents[0]), [agent_path(a) for a in agents]))
    job = job_fields(body)
    if job.get('id') is None:
        raise DNSFilterError('DNSFilter accepted the bulk job for %d agents but returned no job id: %s' % (len(ids), body))
    return wait_for_job(mod.client, '/v1/user_agent_bulk_deletes/%s' % job['id'], timeout=mod.params['wait_timeout'],
                        interval=mod.params['poll_interval'], what='bulk job for %d Roaming Clients' % len(ids))


def said(agent):
    """What the agent's record says about itself, for a reason an engineer reads (never parsed: it is not documented)."""
    return ' DNSFilter shows: %s.' % agent['status_message'] if agent.get('status_message') else ''


def uninstall(mod, agents, plan, everything):  # pylint: disable=unused-argument
    to_queue, waiting_before = [], []
    for agent in agents:
        state = removal_state(agent)
        if state != 'installed':
            plan.act(agent, 'already_%s' % state)
            if state in ('queued', 'uninstalling') and agent['remote_uninstall_supported']:
                waiting_before.append(str(agent['id']))
            if state == 'queued' and not agent['remote_uninstall_supported']:
                plan.later(agent, 'Queued, but remote uninstall is not supported by %s agent %s; uninstall it on the device.%s'
                           % (agent.get('agent_type'), agent.get('agent_version'), said(agent)))
        elif agent['remote_uninstall_supported']:
            plan.act(agent, 'queued')
            to_queue.append(agent)
        else:
            plan.later(agent, 'Remote uninstall is not supported by %s agent %s; uninstall it on the device.'
                       % (agent.get('agent_type'), agent.get('agent_version')))
    extra = {}
    ids = [str(a['id']) for a in to_queue]
    # One call per agent: a bulk delete with queue_uninstall deletes, instead of queueing, the records of agents DNSFilter
    # counts as unable to uninstall remotely - and which those are is not published.
    for agent in to_queue:
        mod.write('DELETE', agent_path(agent),
                  params={'queue_uninstall': True, 'clear_registry': mod.params['clear_registry'] or None},
                  action=QUEUE, subjects=agent_subjects([agent]), why=QUEUE_WHY, verify=queued([agent]))
    if mod.check_mode or not (ids or (waiting_before and mod.params['wait_uninstalled'])):
        return extra
    # Verified by what the documented statuses and filters show, whatever else the records say or do not say: a queued
    # agent must be found queued, picked up or uninstalled; it counts as done only once its status says uninstalled.
    watched = ids + [i for i in waiting_before if i not in ids]
    deadline = time.monotonic() + mod.params['wait_uninstalled']
    while True:
        now = {str(a['id']): a for a in list_agents(mod)[1]}
        lost = [i for i in ids if i not in now]
        if lost:
            raise DNSFilterError(
                'DNSFilter deleted the record of %s instead of queueing its uninstall, so the agent is still installed and '
                'will re-register at its next check-in. Uninstall it on the device, or lower remote_uninstall_min_versions '
                'only if DNSFilter confirms the version can uninstall remotely.' % ', '.join(lost))
        waiting = [i for i in watched if i in now and removal_state(now[i]) != 'uninstalled']
        if not waiting or time.monotonic() >= deadline:
            break
        time.sleep(mod.params['poll_interval'])
    for ident in watched:
        row = now.get(ident)
        if row is None:
            continue  # queued before this run and deleted since: the records step decides about it
        plan.rows[ident].update(removal_state=removal_state(row), status=row.get('status'), uninstalled_at=row.get('uninstalled_at'))
        if removal_state(row) != 'uninstalled' and mod.params['wait_uninstalled'] and ident not in plan.outstanding:
            plan.later(row, 'Queued, but the agent has not reported itself uninstalled within %d s (it may be offline, or '
                       'unable to uninstall remotely).%s' % (mod.params['wait_uninstalled'], said(row)))
    return extra


def pending_uninstalls(value):
    """Agent ids a run uninstalls before it deletes records: from registered roaming_client results, lists of them,
    agent dicts, or plain ids (see O(after_uninstall_of))."""
    found, stack = set(), [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            if isinstance(item.get('results'), list):
                stack.extend(item['results'])
            elif isinstance(item.get('roaming_clients'), list):
                stack.extend(r for r in item['roaming_clients'] if r.get('action') in ('queued', 'already_queued', 'already_uninstalling'))
            elif item.get('outstanding_reason') or item.get('in_scope') is False:
                # A device the run cannot reach, or may not touch, is not uninstalled by it.
                continue
            elif item.get('id') is not None or item.get('agent_id') is not None:
                found.add(str(item.get('id') or item.get('agent_id')))
        elif item not in (None, ''):
            found.add(str(item).strip())
    return found


def no_live_record_deleted(removal):
    """A record is deleted only for an agent shown uninstalled or a device confirmed gone (else it would come back)."""
    live = [a for a in removal.planned(REMOVE) if removal_state(a) != 'uninstalled' and not a.get('_confirmed_gone')]
    return ['%s is still %s and not confirmed gone' % (a.get('hostname') or a['id'], removal_state(a)) for a in live]


def delete_records(mod, agents, plan, everything):
    # A device confirmed gone is named like any device: by agent id, or by a hostname that only one record has.
    gone = {str(a['id']) for a in resolve_devices(mod, everything, mod.params['confirmed_gone'], what='confirmed_gone')}
    pending = pending_uninstalls(mod.params['after_uninstall_of']) if mod.check_mode else set()
    for agent in agents:
        agent['_confirmed_gone'] = str(agent['id']) in gone

    def decide(agent):
        if removal_state(agent) == 'uninstalled' or agent['_confirmed_gone']:
            return REMOVE, None
        if str(agent['id']) in pending:
            # Check mode: the run uninstalls it first; whether that is confirmed in time only the run can tell.
            return CONDITIONAL, None, ('deleted once its uninstall is confirmed; else the record is kept and outstanding '
                                       '(it would come back)')
        return OUTSTANDING, 'Still %s and not confirmed gone: record kept, it would come back.' % removal_state(agent)

    removal = Removal(mod, 'Roaming Client', everything, label=lambda a: a.get('hostname') or str(a['id']))
    removal.choose(agents)
    removal.plan(decide)
    installed = removal.planned(OUTSTANDING)
    if installed and mod.params['on_installed'] == 'fail':
        mod.fail('Refusing to delete any record: %d agent(s) are not shown uninstalled and their devices are not confirmed '
                 'gone (%s). Their records would come back: a live agent checks in with its site key and re-registers. '
                 'Uninstall them first (state=uninstalled, or the device roles), list retired devices in confirmed_gone, '
                 'or set on_installed=skip.' % (len(installed), ', '.join(sorted(a.get('hostname') or a['id'] for a in installed))),
                 outstanding=[{'id': a['id'], 'hostname': a.get('hostname'), 'removal_state': removal_state(a)} for a in installed])
    removal.check(no_live_record_deleted)
    for step in removal.steps.values():
        if step.action == OUTSTANDING:
            plan.later(step.obj, step.reason)
        elif step.action == CONDITIONAL:
            plan.act(step.obj, 'delete_when_uninstalled')
            plan.rows[str(step.obj['id'])]['condition'] = step.condition
        else:
            plan.act(step.obj, 'deleted')
    extra = {}
    if mod.check_mode and removal.planned(CONDITIONAL):
        mod.changed = True
    extra['job'] = removal.apply(one=lambda a: mod.write('DELETE', agent_path(a), missing_ok=True, action=DELETE,
                                                         subjects=agent_subjects([a]), why=delete_why([a]),
                                                         verify=verify_gone(agent_path(a))),
                                 bulk=lambda objs: run_bulk(mod, objs),
                                 bulk_threshold=mod.params['bulk_threshold'])
    if extra['job'] is None:
        del extra['job']
    removal.verify(lambda: list_agents(mod)[1])
    return extra


def dequeue(mod, agents, plan, everything):  # pylint: disable=unused-argument
    for agent in agents:
        if removal_state(agent) == 'queued':
            try:
                mod.write('POST', '/v1/user_agents/dequeue_uninstall', params={'id': agent['id']}, action=DEQUEUE,
                          subjects=agent_subjects([agent]), why='the uninstall is still queued: the agent has not picked it up',
                          verify={'path': agent_path(agent), 'field': 'uninstall_queued_at', 'empty': True, 'otherwise': 'unknown'})
            except DNSFilterError as exc:
                if exc.status != 422:
                    raise
                # Listed as queued, yet DNSFilter will not take it back: the agent has picked it up (where DNSFilter
                # shows no uninstalling phase, a picked-up uninstall still reads as queued).
                plan.later(agent, 'DNSFilter refused to take the uninstall back (%s); the agent has probably picked it up.'
                           % exc.message)
                continue
            plan.act(agent, 'dequeued')
        elif removal_state(agent) == 'uninstalling':
            plan.later(agent, 'The agent already picked up its uninstall; it cannot be taken back.')
    return {}


def state_after(row):
    """Where an agent ends up (in check mode: would end up) after its action."""
    if row['action'] == 'deleted':
        return 'deleted'
    if row['action'] == 'delete_when_uninstalled':
        return 'deleted_when_uninstalled'
    if row['action'] == 'queued' and row['removal_state'] == 'installed':
        return 'queued'
    if row['action'] == 'dequeued':
        return 'installed'
    return row['removal_state']


def main_logic(mod):
    params = mod.params
    if not params['all'] and not any(params.get(name) for name in SELECTORS):
        mod.fail('Choose the agents (%s) or set all=true. Nothing was changed.' % ', '.join(SELECTORS))
    agents, everything = list_agents(mod)
    plan = Plan(agents)
    action = {'uninstalled': uninstall, 'absent': delete_records, 'dequeued': dequeue}[params['state']]
    extra = action(mod, agents, plan, everything)
    result = plan.result()
    result.update(extra)
    before = [{'id': a['id'], 'hostname': a.get('hostname'), 'removal_state': removal_state(a)} for a in agents]
    after = [{'id': r['id'], 'hostname': r['hostname'], 'removal_state': state_after(r)} for r in result['roaming_clients']]
    mod.exit(diff={'before': {'roaming_clients': before}, 'after': {'roaming_clients': after}}, **result)


def main():
    spec = dict(AGENT_SELECT_SPEC)
    spec.update(
        state=dict(type='str', choices=['uninstalled', 'absent', 'dequeued'], required=True),
        all=dict(type='bool', default=False, aliases=['all_agents']),
        confirmed_gone=dict(type='list', elements='raw', default=[]),
        after_uninstall_of=dict(type='raw'),
        on_installed=dict(type='str', choices=['fail', 'skip'], default='fail'),
        clear_registry=dict(type='bool', default=False),
        bulk_threshold=dict(type='int', default=2),
        wait_timeout=dict(type='int', default=300),
        wait_uninstalled=dict(type='int', default=0),
        poll_interval=dict(type='float', default=5),
    )
    DNSFilterModule(argument_spec=spec, **AGENT_SELECT_RULES).run(main_logic)


if __name__ == '__main__':
    main()
