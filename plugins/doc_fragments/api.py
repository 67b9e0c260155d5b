# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """Options every msp.dnsfilter module shares (set them once with module_defaults: group/msp.dnsfilter.all)."""

    DOCUMENTATION = r'''
options:
  api_key:
    description:
      - The DNSFilter API key. The key acts with the permissions of the dashboard user who created it.
      - Use a key of a least-privilege service user named after the integration, not an Owner's key.
      - If not set, the value of the E(DNSFILTER_API_KEY) environment variable is used (this is how an AWX credential injects it).
      - The key is never logged, returned or written into a diff.
    type: str
    required: true
  api_url:
    description:
      - Base URL of the DNSFilter API.
      - If not set, the value of the E(DNSFILTER_API_URL) environment variable is used, and then V(https://api.dnsfilter.com).
    type: str
  validate_certs:
    description:
      - Whether to verify the API's TLS certificate. Set V(false) only in a lab.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM) to verify the API's certificate with, for example behind a TLS-inspecting proxy.
      - If not set, the value of the E(DNSFILTER_CA_PATH) environment variable is used, and then the system trust store.
    type: path
  request_timeout:
    description:
      - Seconds to wait for one HTTP response.
    type: float
    default: 30.0
  api_deadline:
    description:
      - Seconds one API call may take in total, retries included.
      - A rate-limited (HTTP 429) call waits as the API's C(Retry-After) says; server errors and lost connections are
        retried with backoff only for reads and deletes, so a write is never sent twice.
    type: float
    default: 300.0
  journal:
    description:
      - The exit's write-ahead journal. When set, every destructive write this module makes is appended to it before it is
        sent (what, which objects, why it is allowed) and again after it (its outcome), each line flushed to disk, so the
        record of an exit survives a run killed at any point. Check mode writes nothing to it.
      - The exit playbooks set it for every task with C(module_defaults) from what M(msp.dnsfilter.exit_record) opened.
    type: dict
    suboptions:
      path:
        description:
          - The journal file, C(journal.jsonl) in the evidence bundle.
        type: path
        required: true
      run:
        description:
          - The run that writes, as M(msp.dnsfilter.exit_record) named it; the report tells the runs of one exit apart by it.
        type: str
requirements:
  - requests
notes:
  - DNSFilter limits API use per organisation (2,000 requests per 300 seconds at the time of writing), counting dashboard use too.
    The modules take lists of objects in one call and use the API's bulk endpoints, so one task does what would otherwise
    take one call per object.
'''
