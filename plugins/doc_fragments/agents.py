# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """How the Roaming Client modules choose agents."""

    DOCUMENTATION = r'''
options:
  organization_id:
    description:
      - The organisation whose Roaming Clients to act on.
      - One of O(organization_id) and O(organization_ids) is required.
    type: int
  organization_ids:
    description:
      - Several organisations at once, for example every customer of an MSP. One task then handles all their agents,
        with one bulk job where it can.
    type: list
    elements: int
  ids:
    description: The agents with these ids (UUIDs).
    type: list
    elements: str
  hostnames:
    description:
      - The agents with these hostnames, compared without regard to case (surrounding spaces aside).
      - Each hostname must name exactly one record among the agents the filters (O(network_ids), O(tags),
        O(agent_types), O(last_sync_before)) leave. A hostname two records share - the old and the new record of a
        re-imaged device, or case twins - or one with a look-alike beside it, fails before any write and lists them;
        name such records by O(ids) or O(devices).
    type: list
    elements: str
  devices:
    description:
      - The agents of these devices, each named by an agent id, a hostname, or a dict with C(agent_id) or C(hostname)
        and, to tell a re-imaged device's records apart, C(last_seen_before) (ISO 8601) and C(agent_version);
        C(asset_id) is kept with the agent for the evidence.
      - Each entry must name exactly one record; an ambiguous entry fails before any write and lists the candidates.
    type: list
    elements: raw
  network_ids:
    description:
      - Only the agents of these sites.
      - O(network_ids), O(tags), O(agent_types) and O(last_sync_before) filter; O(ids), O(hostnames) and O(devices) then
        pick from what the filters leave (all of it when none is given).
    type: list
    elements: int
  tags:
    description: Only the agents with at least one of these tags.
    type: list
    elements: str
  agent_types:
    description: Only agents of these types, for example V(windows) or V(macos).
    type: list
    elements: str
  last_sync_before:
    description: Only agents whose last check-in was before this date or time (ISO 8601; UTC if no zone is given), or never.
    type: str
  remote_uninstall_min_versions:
    description:
      - The first agent version, per agent type, that can uninstall itself when DNSFilter queues it.
      - DNSFilter does not publish these versions. The defaults are the runbook's Windows Roaming Client 2.0.1 and macOS
        2.0.0 (the System Extension generation). An agent type not listed is treated as unable.
      - No status code an agent reports is read (DNSFilter does not document them); an agent above these versions that
        still cannot uninstall stays queued, and is listed as outstanding once the wait for it ends.
    type: dict
    default:
      windows: 2.0.1
      macos: 2.0.0
'''
