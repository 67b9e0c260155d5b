# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Networks (sites): listing per organisation, without ever exposing a site's secret key."""

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import flatten

SITE_FILTER_SPEC = dict(
    organization_id=dict(type='int', required=True),
    ids=dict(type='list', elements='int'),
    names=dict(type='list', elements='str'),
)


def site(resource, org_id):
    """A network as returned to users: no secret key, but whether it has one."""
    attrs = (resource or {}).get('attributes') or {}
    flat = flatten(resource)
    flat['has_secret_key'] = bool(attrs.get('secret_key'))
    flat['organization_id'] = org_id
    return flat


def list_sites(mod, missing_ok=False):
    """The organisation's networks that match O(ids) and O(names).

    An unknown id or name fails, unless missing_ok (state=absent: already gone is done; a warning names it).
    """
    params = mod.params
    org_id = params['organization_id']
    sites = [site(n, org_id) for n in mod.client.paginate('/v1/networks/msp', params={'organization_id': org_id})]
    ids, names = params.get('ids'), params.get('names')
    if not ids and not names:
        return sites
    chosen = []
    for ident in ids or []:
        match = [s for s in sites if str(s['id']) == str(ident)]
        if not match and missing_ok:
            mod.warnings.append('Network %s is not (or no longer) a site of organisation %s.' % (ident, org_id))
        elif not match:
            mod.fail('Network %s is not a site of organisation %s.' % (ident, org_id))
        chosen.extend(match)
    for name in names or []:
        match = [s for s in sites if (s.get('name') or '').strip().casefold() == name.strip().casefold()]
        if not match and missing_ok:
            mod.warnings.append('No site of organisation %s is (or is still) named %r.' % (org_id, name))
        elif not match:
            mod.fail('No site of organisation %s is named %r.' % (org_id, name))
        elif len(match) > 1:
            mod.fail('%d sites of organisation %s are named %r; give the id.' % (len(match), org_id, name))
        chosen.extend(match)
    unique = {}
    for s in chosen:
        unique[str(s['id'])] = s
    return list(unique.values())
