#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: enterprise_connection_info
short_description: List the SSO (enterprise) connections of DNSFilter organisations
version_added: 0.1.0
description:
  - Returns the single sign-on connections of one organisation, a list of organisations, or every organisation the
    API key's user can see, with the identity provider, the authorised login domains, the IdP group to role map and
    the default role, which together decide who can sign in to the dashboard through SSO.
  - Review them when a person leaves (their IdP group membership grants the role in RV(enterprise_connections[].role_map))
    and when a customer exits.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.info
options:
  organization_id:
    description:
      - The organisation.
      - One of O(organization_id), O(organization_ids) and O(all_organizations) is required.
    type: int
  organization_ids:
    description:
      - These organisations.
    type: list
    elements: int
  all_organizations:
    description:
      - Every organisation the API key's user can see (one API call each).
    type: bool
    default: false
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
seealso:
  - module: msp.dnsfilter.enterprise_connection
notes:
  - An organisation for which the API answers HTTP 404 is reported with no connection.
  - The connection's client secret is never returned.
'''

EXAMPLES = r'''
- name: Record the exiting customer's SSO set-up before the exit
  msp.dnsfilter.enterprise_connection_info:
    organization_id: 4000101
  register: contoso_sso

- name: Which organisations let people in through SSO?
  msp.dnsfilter.enterprise_connection_info:
    all_organizations: true
  register: sso
'''

RETURN = r'''
enterprise_connections:
  description: The connections found, with the API's attributes beside the id (the client secret removed).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The connection's id.
      type: str
    organization_id:
      description: The organisation it belongs to.
      type: int
    idp:
      description: The identity provider type (C(openid), C(okta), C(azure) or C(google)).
      type: str
    authorized_domains:
      description: The email domains allowed to sign in through it.
      type: list
      elements: str
    role_map:
      description: IdP groups and the dashboard role each grants.
      type: list
      elements: dict
    role_default:
      description: The role of a user whose groups match no entry of the role map.
      type: str
    display_name:
      description: The name shown on the sign-in page.
      type: str
  sample:
    - id: "4401"
      organization_id: 4000101
      name: contoso-oidc
      display_name: Contoso SSO
      idp: azure
      conn_id: con_8Xb2
      authorized_domains: [contoso.example]
      role_map:
        - {group: DNSFilter-Admins, role: administrator}
      role_default: read_only
      default_organization_id: 4000101
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._access import (
    SCOPE_EXCLUSIVE, SCOPE_SPEC, enterprise_connections)


def main_logic(mod):
    params = mod.params
    if params['all_organizations']:
        if params['organization_id'] is not None or params['organization_ids']:
            mod.fail('all_organizations=true and organization_id/organization_ids are mutually exclusive: choose one scope.')
        org_ids = [o.get('id') for o in mod.organizations()]
    elif params['organization_id'] is not None:
        org_ids = [params['organization_id']]
    elif params['organization_ids']:
        org_ids = params['organization_ids']
    else:
        mod.fail('Say which organisations: organization_id, organization_ids or all_organizations=true.')
    conns = []
    for org_id in org_ids:
        conns.extend(enterprise_connections(mod.client, org_id))
    mod.exit(enterprise_connections=conns)


def main():
    mod = DNSFilterModule(argument_spec=dict(SCOPE_SPEC), mutually_exclusive=SCOPE_EXCLUSIVE)
    mod.run(main_logic)


if __name__ == '__main__':
    main()
