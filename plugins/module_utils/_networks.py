# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Networks (sites): listing per organisation, without ever exposing a site's secret key."""

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import flatten
from ansible_collections.msp.dnsfilter.plugins.module_utils._selection import choose

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


def read_sites(mod):
    """Every network (site) of the module's organisation."""
    org_id = mod.params['organization_id']
    return [site(n, org_id) for n in mod.client.paginate('/v1/networks/msp', params={'organization_id': org_id})]


def list_sites(mod, missing_ok=False, sites=None):
    """The organisation's networks that match O(ids) and O(names) (exact names, _selection.choose); all without either.

    An unknown id or name fails, unless missing_ok (state=absent: already gone is done; a warning names it).
    sites: the networks when read already.
    """
    params = mod.params
    sites = read_sites(mod) if sites is None else sites
    return choose(mod, sites, params.get('ids'), params.get('names'), what='site',
                  where='of organisation %s' % params['organization_id'], missing_ok=missing_ok)
