# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

# One file, several filters: each one's documentation is in the YAML file of its name beside this one.

import ipaddress
import re

from ansible.errors import AnsibleFilterError

UNPROVEN = 'agent id not readable, not proven in scope'
NOT_REACHED = 'The run did not reach this device (unreachable, offline or not in this run).'
RESULT_KEYS = ('roaming_client_windows_result', 'roaming_client_macos_result')
MATCH_KEY = 'dnsfilter_device_match'
LIMIT_MESSAGE = (
    "No device was touched: this run's limit leaves out localhost, where the inputs are checked and the evidence is captured; "
    "run without -l: the devices in scope come from DNSFilter. (The limit was: {limit})")
NO_SCOPE_MESSAGE = (
    'No device was touched: the device plays run only after the first play of an exit playbook has checked the inputs, '
    'captured the evidence and set the device scope (dnsfilter_device_scope) on localhost.')
UNVERIFIED_MESSAGE = 'The evidence of this run did not verify; no device is touched.'
SCOPE_ANY_MESSAGE = (
    'No device was touched: roaming_client_*_scope_any is for using a role on its own; in an exit run the devices in scope '
    'come from DNSFilter. Remove it from the inventory or the extra vars.')


def _id(value):
    """An agent id compared as machine data: surrounding blanks and case do not count."""
    return str(value).strip().lower() if value is not None else ''


def _name(value):
    """A hostname compared as a human-typed name: only case does not count (blanks and look-alikes do).

    lower(), not casefold(): casefold() also folds ligatures and sharp s (office with an ffi ligature would match OFFICE).
    """
    return str(value).lower() if value is not None else ''


def _is_address(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _short(name):
    """The host part of a DNS name; an IP address stays whole."""
    text = str(name or '')
    return text if _is_address(text) else text.split('.', 1)[0]


def _same_host(name, listed):
    """Two full DNS names must be the same; otherwise the host parts are compared (DESK-07 is desk-07.corp.example)."""
    name, listed = str(name), str(listed)
    if all('.' in text and not _is_address(text) for text in (name, listed)):
        return _name(name) == _name(listed)
    return _name(_short(name)) == _name(_short(listed))


def _check_scope(scope, what):
    if not isinstance(scope, dict) or not isinstance(scope.get('agents'), list):
        raise AnsibleFilterError('%s needs the device scope (dnsfilter_device_scope, set by tasks/device_scope.yml); got %r.'
                                 % (what, type(scope).__name__))
    return scope['agents']


def device_scope(agents, description):
    """The run's device scope: ``{'agents': [...], 'description': str}``."""
    if not isinstance(agents, list):
        raise AnsibleFilterError('device_scope needs a list of Roaming Clients (roaming_client_info roaming_clients), not %s.'
                                 % type(agents).__name__)
    if not isinstance(description, str):
        raise AnsibleFilterError('device_scope needs a description of the scope (a string).')
    kept, seen = [], set()
    for agent in agents:
        if not isinstance(agent, dict):
            raise AnsibleFilterError('device_scope: %r is not a Roaming Client (a dict from roaming_client_info).' % (agent,))
        if not _id(agent.get('id')):
            raise AnsibleFilterError('device_scope: a Roaming Client without an id cannot be in scope: %r.' % (agent,))
        if _id(agent['id']) not in seen:
            seen.add(_id(agent['id']))
            kept.append(agent)
    return {'agents': kept, 'description': description}


def device_scope_run(scope, evidence_verified=False, limit=None, scope_any=False):
    """May the device plays start: ``{'proceed': bool, 'message': str}``."""
    if not isinstance(scope, dict):
        if limit not in (None, ''):
            return {'proceed': False, 'message': LIMIT_MESSAGE.format(limit=limit)}
        return {'proceed': False, 'message': NO_SCOPE_MESSAGE}
    if not evidence_verified:
        return {'proceed': False, 'message': UNVERIFIED_MESSAGE}
    if scope_any:
        return {'proceed': False, 'message': SCOPE_ANY_MESSAGE}
    return {'proceed': True, 'message': ''}


def device_scope_host(scope, inventory_hostname, agent_id=None, hostname=None):
    """Which scope agents a host's inventory identity names; decided before any connection."""
    agents = _check_scope(scope, 'device_scope_host')
    if agent_id not in (None, ''):
        identity = {'by': 'agent_id', 'value': str(agent_id)}
        found = [a for a in agents if _id(a.get('id')) == _id(agent_id)]
    else:
        name = hostname if hostname not in (None, '') else inventory_hostname
        identity = {'by': 'hostname', 'value': str(name)}
        found = [a for a in agents if a.get('hostname') not in (None, '') and _same_host(name, a['hostname'])]
    by = identity['by'].replace('_', ' ')
    if found:
        named = ', '.join('%s (%s)' % (a.get('hostname'), a['id']) for a in found)
        reason = 'matches %s by its %s %s' % (named, by, identity['value'])
    else:
        reason = 'matches no agent of this run (%s) by its %s %r; left alone, never contacted' % (
            scope.get('description') or 'no description', by, identity['value'])
    return {'host': inventory_hostname, 'in_scope': bool(found), 'identity': identity, 'reason': reason,
            'agents': [{'id': a['id'], 'hostname': a.get('hostname')} for a in found], 'agent_ids': [a['id'] for a in found]}


def _windows_ids(discovered, value_names):
    """One id per agent registry key: the first of ``value_names`` that holds a value."""
    ids = []
    for entry in discovered.get('agent') or []:
        values = (entry or {}).get('values') or {}
        for name in value_names or []:
            if str(values.get(name) or '').strip():
                ids.append(str(values[name]).strip())
                break
    return ids


def _windows_installed(discovered):
    return bool(discovered.get('products') or discovered.get('services'))


def _macos_ids(discovered):
    return [str(a['agent_id']).strip() for a in discovered.get('agents') or [] if str(a.get('agent_id') or '').strip()]


def _macos_installed(discovered):
    return any(a.get('app_present') or a.get('plist_present') or a.get('daemon_loaded') or a.get('receipt')
               for a in discovered.get('agents') or [])


PLATFORMS = {'windows': (_windows_ids, _windows_installed), 'macos': (lambda d, _names: _macos_ids(d), _macos_installed)}


def _verdict(base, **decided):
    verdict = dict(base, **decided)
    # What the role records for the device: the keys of its result this decision sets.
    verdict['result'] = {'agent_id': (verdict['agent_ids'] or [None])[0], 'out_of_scope': verdict['out_of_scope'],
                         'scope_reason': verdict['reason'], 'outstanding_reason': verdict['outstanding_reason']}
    return verdict


def device_scope_gate(discovered, scope_agent_ids, scope_any=False, platform='windows', agent_id_values=None):
    """Is the agent the device reports one of the run's: decided on what the role read, before it changes anything."""
    if platform not in PLATFORMS:
        raise AnsibleFilterError('device_scope_gate: platform must be windows or macos, not %r.' % (platform,))
    if not isinstance(discovered, dict):
        raise AnsibleFilterError('device_scope_gate needs the role\'s discovery (a dict).')
    read_ids, installed = PLATFORMS[platform]
    ids = list(dict.fromkeys(read_ids(discovered, agent_id_values)))
    unique = sorted({_id(i) for i in ids})
    verdict = {'agent_ids': ids, 'installed': installed(discovered), 'out_of_scope': False, 'outstanding_reason': None}
    if scope_any:
        return _verdict(verdict, decision='any', proceed=True, reason='any device (scope_any is set)')
    if not isinstance(scope_agent_ids, list):
        raise AnsibleFilterError('device_scope_gate: the role needs roaming_client_%s_scope_agent_ids (a list of agent ids) or '
                                 'scope_any set explicitly; nothing was changed.' % platform)
    wanted = {_id(i) for i in scope_agent_ids}
    foreign = [i for i in ids if _id(i) not in wanted]
    expected = ', '.join(str(i) for i in scope_agent_ids) or 'none'
    if foreign:
        reason = ('the agent on the device (id %s) is not one of this run\'s agents (%s); left alone, nothing changed'
                  % (', '.join(foreign), expected))
        return _verdict(verdict, decision='out_of_scope', proceed=False, out_of_scope=True, reason=reason)
    if not unique and verdict['installed']:
        return _verdict(verdict, decision='unproven', proceed=False, outstanding_reason=UNPROVEN, reason=UNPROVEN)
    if not unique:
        return _verdict(verdict, decision='in_scope', proceed=True, reason='no agent installed and no agent id left on the device')
    return _verdict(verdict, decision='in_scope', proceed=True, reason='agent id %s is in scope' % ', '.join(ids))


def _host_vars(hostvars, name):
    try:
        found = hostvars[name]
    except KeyError:
        return {}
    return found if found is not None else {}


def _result_of(host_vars):
    for key in RESULT_KEYS:
        value = host_vars.get(key)
        if isinstance(value, dict):
            return value
    return None


def _sort_hosts(by_id, hostvars, hosts):
    """Which host served which agent (by the agent id its device answered), notes per agent, and the hosts left alone."""
    served, notes, out_of_scope = {}, {}, []
    for name in dict.fromkeys(hosts or []):
        host_vars = _host_vars(hostvars, name)
        match = host_vars.get(MATCH_KEY)
        if not isinstance(match, dict):
            continue  # no device play decided on this host in this run
        result = _result_of(host_vars)
        if not match.get('in_scope'):
            identity = match.get('identity') or {}
            out_of_scope.append({'host': name, 'stage': 'inventory', 'reason': match.get('reason'),
                                 'agent_id': identity.get('value') if identity.get('by') == 'agent_id' else None})
            continue
        candidates = [_id(i) for i in match.get('agent_ids') or []]
        if result and result.get('out_of_scope'):
            out_of_scope.append({'host': name, 'stage': 'device', 'agent_id': result.get('agent_id'), 'reason': result.get('scope_reason')})
            for key in candidates:
                notes.setdefault(key, []).append('Host %s answered with another agent id (%s) and was left alone.'
                                                 % (name, result.get('agent_id')))
        elif result is None:
            continue
        elif _id(result.get('agent_id')) in by_id:
            served.setdefault(_id(result['agent_id']), []).append((name, result))
        elif len(candidates) == 1:
            served.setdefault(candidates[0], []).append((name, result))
        else:
            for key in candidates:
                notes.setdefault(key, []).append('Host %s matched %d agents by its hostname and its agent id was not read (%s).'
                                                 % (name, len(candidates), result.get('outstanding_reason') or 'no agent id'))
    return served, notes, out_of_scope


def _removed_through_dnsfilter(records, key):
    """What DNSFilter's side of this run says of an agent no host served: deleted or uninstalled, else None."""
    found = [r for r in records or [] if isinstance(r, dict) and _id(r.get('id')) == key]
    if not found:
        return None
    last = found[-1]
    if any(r.get('action') == 'deleted' for r in found):
        return 'Not reached on the device; its record was deleted through DNSFilter, uninstalled or confirmed gone.'
    if last.get('removal_state') == 'uninstalled':
        return 'Not reached on the device; DNSFilter shows its agent uninstalled.'
    if any(r.get('action') == 'delete_when_uninstalled' for r in found):
        # Check mode: the run queues DNSFilter's remote uninstall; whether it is confirmed only the run can tell.
        return ('Not reached on the device; DNSFilter\'s remote uninstall would remove it: its record is deleted once the '
                'uninstall is confirmed, else the device stays outstanding.')
    return None


def evidence_file_name(hostname, agent_id):
    """devices/<this>.json: the hostname made safe and short (a tenant controls it), then the agent id, which is unique."""
    safe = re.sub(r'[^A-Za-z0-9._-]+', '_', str(hostname or 'unknown')).strip('._')[:40] or 'unknown'
    return '%s-%s' % (safe, re.sub(r'[^A-Za-z0-9-]+', '_', str(agent_id))[:64])


def device_scope_rows(scope, hostvars, hosts, records=None):
    """One row per scope agent (agent id, hostname, the host that served it, its on-device result), and the hosts left alone."""
    agents = _check_scope(scope, 'device_scope_rows')
    served, notes, out_of_scope = _sort_hosts({_id(a['id']): a for a in agents}, hostvars, hosts)
    rows = []
    for agent in sorted(agents, key=lambda a: (str(a.get('hostname')), str(a['id']))):
        key = _id(agent['id'])
        row = {'agent_id': agent['id'], 'hostname': agent.get('hostname'), 'agent_type': agent.get('agent_type'),
               'organization_id': agent.get('organization_id'), 'network_id': agent.get('network_id'), 'notes': list(notes.get(key, [])),
               'file': evidence_file_name(agent.get('hostname'), agent['id'])}
        if key in served:
            (host, result), others = served[key][0], served[key][1:]
            reason = result.get('outstanding_reason')
            if others:
                reason = ' '.join(filter(None, [reason, 'Several hosts answered with this agent id: %s; check which device the record '
                                                'belongs to.' % ', '.join([host] + [o[0] for o in others])]))
            row.update(host=host, served_by=host, verified=result.get('verified'), outstanding_reason=reason, result=result)
        else:
            removed = _removed_through_dnsfilter(records, key)
            row['notes'] += [removed] if removed else []
            row.update(host=agent.get('hostname') or str(agent['id']), served_by=None, verified=False, result=None,
                       outstanding_reason=None if removed else ' '.join([NOT_REACHED] + row['notes']))
        rows.append(row)
    return {'agents': rows, 'out_of_scope': sorted(out_of_scope, key=lambda e: str(e['host']))}


class FilterModule:
    def filters(self):
        return {'device_scope': device_scope, 'device_scope_run': device_scope_run, 'device_scope_host': device_scope_host,
                'device_scope_gate': device_scope_gate, 'device_scope_rows': device_scope_rows}
