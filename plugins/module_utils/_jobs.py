# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""DNSFilter's asynchronous jobs (bulk deletes, cleanups, CSV exports): start, wait, and judge.

The API description and the recorded responses disagree on a job's shape: the description wraps it as
``{"data": {"id": 1, "attributes": {"completed": true, "count": 3}}}``, the recordings return
``{"id": "job-1", "status": "completed", "deleted_count": 3}``. Both are read here, in one place.
A job is done only when the API says so; a failed job, or one still running at the timeout, is an error.
"""

from __future__ import annotations

import time

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterError

FAILED_STATUSES = frozenset(('failed', 'error', 'errored', 'canceled', 'cancelled'))


def job_fields(body):
    """The job as one flat dict, whatever the envelope."""
    if not isinstance(body, dict):
        return {}
    data = body.get('data', body)
    if not isinstance(data, dict):
        return {}
    fields = {k: v for k, v in data.items() if k not in ('attributes', 'relationships')}
    fields.update(data.get('attributes') or {})
    return fields


def job_state(fields):
    """'completed', 'failed' or 'running'."""
    status = str(fields.get('status') or '').lower()
    if status in FAILED_STATUSES or fields.get('failed') or fields.get('error'):
        return 'failed'
    if fields.get('completed') is True or status in ('completed', 'complete', 'done', 'finished', 'success'):
        return 'completed'
    return 'running'


def export_state(fields):
    """An export job: done when it has a download URL, failed when it reports an error."""
    if fields.get('error') or str(fields.get('status') or '').lower() in FAILED_STATUSES:
        return 'failed'
    if fields.get('url') or fields.get('download_url'):
        return 'completed'
    return 'running'


def wait_for_job(client, show_path, timeout, interval=2.0, sleep=time.sleep, clock=time.monotonic, what='job', state_of=None):
    """Poll show_path until the job completes; returns its fields. Raises DNSFilterError if it fails or times out.

    state_of: how to judge this kind of job, when it differs from job_state (an export is done when it has a URL).
    """
    started = clock()
    while True:
        fields = job_fields(client.get(show_path))
        state = (state_of or job_state)(fields)
        if state == 'completed':
            return fields
        if state == 'failed':
            raise DNSFilterError('DNSFilter reported the %s at %s as failed: %s' % (what, show_path, fields), body=fields)
        if clock() - started >= timeout:
            raise DNSFilterError(
                'The %s at %s did not complete within %d s (last state: %s). It may still finish: run the task again '
                'to check, or raise wait_timeout.' % (what, show_path, timeout, fields), body=fields, retryable=True)
        sleep(interval)
