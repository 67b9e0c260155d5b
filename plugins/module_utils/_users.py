# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Agent-local Users (Deployments > Users): listing, selecting and finding one person's duplicates."""

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import flatten
from ansible_collections.msp.dnsfilter.plugins.module_utils._selection import account_name, folded, parse_time

ALU_FILTER_SPEC = dict(
    organization_ids=dict(type='list', elements='int', required=True),
    user_logins=dict(type='list', elements='str'),
    account_names=dict(type='list', elements='str'),
    last_seen_before=dict(type='str'),
)


def list_users(mod, ids=None):
    """Every User of the chosen organisations that matches the filters the module was given."""
    params = mod.params
    logins = folded(params.get('user_logins'))
    accounts = folded(params.get('account_names'))
    before = parse_time(params.get('last_seen_before'))
    wanted_ids = {str(i) for i in ids or []}
    users = []
    for org_id in params['organization_ids']:
        for item in mod.client.paginate('/v1/agent_local_users', params={'organization_ids': [org_id]}):
            user = flatten(item)
            user['organization_id'] = org_id
            user['account_name'] = account_name(user.get('user_login'))
            if wanted_ids and str(user['id']) not in wanted_ids:
                continue
            if logins and (user.get('user_login') or '').casefold() not in logins:
                continue
            if accounts and user['account_name'] not in accounts:
                continue
            seen = parse_time(user.get('last_seen'))
            if before is not None and seen is not None and seen >= before:
                continue
            users.append(user)
    return users


def _newest_first(user):
    epoch = parse_time('1970-01-01')
    ident = str(user.get('id'))
    return (parse_time(user.get('last_seen')) or epoch, parse_time(user.get('first_seen')) or epoch,
            int(ident) if ident.isdigit() else 0, ident)


def find_duplicates(users, key='account_name'):
    """{'<org>/<person>': [records, newest last_seen first]} for every person with more than one record."""
    groups = {}
    for user in users:
        person = user.get('account_name') if key == 'account_name' else (user.get('user_name') or '').casefold()
        if person:
            groups.setdefault('%s/%s' % (user['organization_id'], person), []).append(user)
    return {name: sorted(records, key=_newest_first, reverse=True) for name, records in sorted(groups.items()) if len(records) > 1}
