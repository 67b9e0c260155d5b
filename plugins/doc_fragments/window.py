# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The time window of the modules that read query data (one computation: _reports.report_window)."""

    DOCUMENTATION = r'''
options:
  start:
    description:
      - Start of the window (ISO 8601; UTC if no zone is given).
      - Default O(days) whole UTC days before O(end).
    type: str
  end:
    description:
      - End of the window (ISO 8601; UTC if no zone is given).
      - Default the start of today (UTC).
    type: str
  days:
    description:
      - The length of the window in days when O(start) is not given, for example the days of query log the contract
        names. M(msp.dnsfilter.query_log_export) and M(msp.dnsfilter.traffic_report_info) compute the same window, the
        window the exit playbooks export.
    type: int
    default: 7
'''
