#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: network_secret_key
short_description: Revoke or rotate the site secret keys of DNSFilter networks
version_added: 0.1.0
description:
  - A Roaming Client installs with its site's secret key and re-registers with it; a live agent whose record was
    deleted comes back for as long as the key is valid. Revoking the key stops new deployments and re-registration.
  - Revoke after the site's agents are uninstalled (or confirmed gone), as the last step of the Roaming Client phase.
  - The key is never returned or logged.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.actions
options:
  organization_id:
    description: The organisation whose sites to act on.
    type: int
    required: true
  ids:
    description: The sites, by id. One of O(ids), O(names) and O(all=true) is required.
    type: list
    elements: int
  names:
    description:
      - The sites, by name (each must match exactly one site, exactly - surrounding spaces aside, letter case
        significant; a case twin or a look-alike is refused).
    type: list
    elements: str
  all:
    description: Every site of the organisation.
    type: bool
    default: false
  state:
    description:
      - V(absent) revokes the key of each site that has one (a site without a key is left alone).
      - V(present) creates a key for each site that has none.
      - V(rotated) replaces each site's key with a new one. This changes every time it runs, by design.
      - Required, so that a task never revokes because an option was left out.
    type: str
    choices: [absent, present, rotated]
    required: true
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Stop new deployments and re-registration for the whole customer
  msp.dnsfilter.network_secret_key:
    organization_id: 4000101
    all: true
    state: absent
'''

RETURN = r'''
networks:
  description: The sites acted on, after the change (in check mode, as they would be).
  returned: always
  type: list
  elements: dict
  sample:
    - id: "6000201"
      name: Contoso Dental - Main Office
      has_secret_key: false
changed_ids:
  description: The ids of the sites whose key was (or would be) revoked, created or rotated.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterError
from ansible_collections.msp.dnsfilter.plugins.module_utils._journal import subject
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._networks import SITE_FILTER_SPEC, list_sites, read_sites
from ansible_collections.msp.dnsfilter.plugins.module_utils._removal import KEEP, REMOVE, Removal, check_selection

METHOD = {'absent': 'DELETE', 'present': 'POST', 'rotated': 'PATCH'}
ACTION = {'absent': 'revoke site key', 'present': 'create site key', 'rotated': 'rotate site key'}
WHY = {'absent': 'stop new deployments and re-registration on the site: it has a key',
       'present': 'the site has no key', 'rotated': 'asked to replace the site key (state=rotated)'}


def verify_key(state, site_id):
    """How to tell on resume: a revoked key is gone, a created one is there; a rotation cannot be told from its answer."""
    if state == 'rotated':
        return None
    return {'path': '/v1/networks/%s' % site_id, 'field': 'secret_key', ('empty' if state == 'absent' else 'set'): True}


def summary(site):
    return {'id': site['id'], 'name': site.get('name'), 'has_secret_key': site['has_secret_key']}


def main_logic(mod):
    params = mod.params
    state = params['state']
    check_selection(mod, 'site', params['ids'], params['names'], params['all'], options='ids, names')
    # The "removal" is of the sites' keys: a site leaves the set when its key changes.
    removal = Removal(mod, 'network', read_sites(mod), label=lambda s: '%s (%s)' % (s.get('name'), s['id']))
    removal.choose(list_sites(mod, sites=removal.before) if not params['all'] else removal.before)

    def decide(s):
        if (state == 'absent' and not s['has_secret_key']) or (state == 'present' and s['has_secret_key']):
            return KEEP, 'nothing to do'
        return REMOVE, None
    removal.plan(decide)

    def change(s):
        try:
            mod.write(METHOD[state], '/v1/networks/%s/secret_key' % s['id'], action=ACTION[state],
                      subjects=[subject('site', s['id'], s.get('name')), subject('organization', params['organization_id'])],
                      why=WHY[state], verify=verify_key(state, s['id']), already=(422,) if state == 'absent' else ())
        except DNSFilterError as exc:
            # A revoke whose answer was lost and that was sent again finds no key: it is revoked, as asked. The
            # re-read below confirms it.
            if not (state == 'absent' and exc.status == 422):
                raise
            mod.changed = True
    removal.apply(one=change)
    changed = removal.removed
    after = []
    for s in removal.before:
        new = dict(s)
        if any(c['id'] == s['id'] for c in changed):
            new['has_secret_key'] = state != 'absent'
        after.append(new)
    if state == 'absent' and changed and not mod.check_mode:
        still = [s for s in read_sites(mod) if s['has_secret_key'] and any(c['id'] == s['id'] for c in changed)]
        if still:
            raise DNSFilterError('DNSFilter answered the revoke, but these sites still have a key: %s'
                                 % ', '.join('%s (%s)' % (s.get('name'), s['id']) for s in still))
    chosen_ids = {str(s['id']) for s in removal.chosen}
    mod.exit(diff={'before': {'networks': [summary(s) for s in removal.before if str(s['id']) in chosen_ids]},
                   'after': {'networks': [summary(s) for s in after if str(s['id']) in chosen_ids]}},
             networks=[summary(s) for s in after if str(s['id']) in chosen_ids],
             changed_ids=[str(s['id']) for s in changed])


def main():
    spec = dict(SITE_FILTER_SPEC)
    spec.update(
        all=dict(type='bool', default=False),
        state=dict(type='str', choices=['absent', 'present', 'rotated'], required=True),
    )
    DNSFilterModule(argument_spec=spec).run(main_logic)


if __name__ == '__main__':
    main()
