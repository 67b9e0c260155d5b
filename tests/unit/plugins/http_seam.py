# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP seam for unit tests: an ordered list of expected calls with canned answers.

A test fails on a call it did not expect, on a call made in another order, and on an expected call
that never came (call `seam.assert_done()`).
"""

from __future__ import annotations

import json


class FakeResponse:
    def __init__(self, status, body=None, headers=None):
        self.status_code = status
        self.headers = dict(headers or {})
        if body is None:
            self.content = b''
        elif isinstance(body, (dict, list)):
            self.content = json.dumps(body).encode()
        else:
            self.content = str(body).encode()
        self.text = self.content.decode()

    def json(self):
        return json.loads(self.text)

    def iter_content(self, chunk_size):
        for start in range(0, len(self.content), chunk_size):
            yield self.content[start:start + chunk_size]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Call:
    """One expected call: method, path (and optionally query and body) and what it answers.

    answer is a FakeResponse, or an exception instance to raise (a dropped connection, say).
    """

    def __init__(self, method, path, answer, query=None, body=None):
        self.method = method
        self.path = path
        self.answer = answer
        self.query = query
        self.body = body


class Seam:
    """Stands in for requests.Session."""

    def __init__(self, calls, base='https://api.test'):
        self.expected = list(calls)
        self.base = base
        self.made = []
        self.headers = {}
        self.verify = True

    def mount(self, prefix, adapter):
        pass

    def request(self, method, url, params=None, json=None, timeout=None, verify=None):  # pylint: disable=redefined-outer-name,unused-argument
        self.made.append((method, url, params, json, dict(self.headers)))
        if not self.expected:
            raise AssertionError('unexpected call %s %s %s' % (method, url, params))
        call = self.expected.pop(0)
        assert (method, url) == (call.method, self.base + call.path), 'expected %s %s, got %s %s' % (
            call.method, call.path, method, url)
        if call.query is not None:
            assert sorted(params or []) == sorted(call.query), 'query %r != %r' % (params, call.query)
        if call.body is not None:
            assert json == call.body, 'body %r != %r' % (json, call.body)
        if isinstance(call.answer, Exception):
            raise call.answer
        return call.answer

    def get(self, url, stream=False, timeout=None, verify=None):  # pylint: disable=unused-argument
        """A plain GET, as used for downloads."""
        return self.request('GET', url, timeout=timeout, verify=verify)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def assert_done(self):
        assert not self.expected, 'expected calls never made: %s' % [(c.method, c.path) for c in self.expected]
