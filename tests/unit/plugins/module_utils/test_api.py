# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import random

import pytest
import requests
import urllib3.exceptions

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import (
    DNSFilterClient, DNSFilterError, flatten_params, parse_retry_after)
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse, Seam

KEY = 'unit-test-key-0000000000000000000000000000'


class Clock:
    """A fake monotonic clock that sleeping advances."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def client(calls, deadline=60.0):
    seam = Seam(calls)
    clock = Clock()
    api = DNSFilterClient(KEY, api_url='https://api.test', session=seam, sleep=clock.sleep, clock=clock,
                          rng=random.Random(1), api_deadline=deadline)
    return api, seam, clock


def dropped():
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.ProtocolError('Connection aborted.', ConnectionResetError(104, 'reset by peer')))


def refused():
    return requests.exceptions.ConnectionError(urllib3.exceptions.NewConnectionError(
        None, 'Failed to establish a new connection: [Errno 111] Connection refused'))


def test_key_sent_as_the_header_value_itself():
    api, seam, dummy = client([Call('GET', '/v1/current_user', FakeResponse(200, {'data': {'id': '1'}}))])
    assert api.get('/v1/current_user') == {'data': {'id': '1'}}
    assert seam.made[0][4]['Authorization'] == KEY
    seam.assert_done()


def test_429_waits_retry_after_then_succeeds_even_for_post():
    api, seam, clock = client([
        Call('POST', '/v1/api_keys/7/revoke', FakeResponse(429, {'error': 'Too many'}, {'Retry-After': '7'})),
        Call('POST', '/v1/api_keys/7/revoke', FakeResponse(200, {'data': {'id': '7'}})),
    ])
    assert api.post('/v1/api_keys/7/revoke') == {'data': {'id': '7'}}
    assert 7.0 <= clock.sleeps[0] < 8.0
    seam.assert_done()


def test_429_beyond_deadline_fails_clearly_without_the_key():
    api, seam, dummy = client([
        Call('GET', '/v1/user_agents', FakeResponse(429, {'error': KEY}, {'Retry-After': '120'})),
    ], deadline=60.0)
    with pytest.raises(DNSFilterError) as err:
        api.get('/v1/user_agents')
    assert err.value.status == 429
    assert 'deadline' in err.value.message
    assert KEY not in err.value.message
    seam.assert_done()


def test_5xx_retried_for_get_not_for_post():
    api, seam, dummy = client([
        Call('GET', '/v1/networks', FakeResponse(503)),
        Call('GET', '/v1/networks', FakeResponse(502)),
        Call('GET', '/v1/networks', FakeResponse(200, {'data': []})),
        Call('POST', '/v1/user_agent_bulk_deletes', FakeResponse(503, {'error': 'busy'})),
    ])
    assert api.get('/v1/networks') == {'data': []}
    with pytest.raises(DNSFilterError) as err:
        api.post('/v1/user_agent_bulk_deletes', {'ids': ['a']})
    assert err.value.status == 503
    assert 'not retried' in err.value.message
    seam.assert_done()


def test_post_resent_only_when_the_connection_was_never_made():
    api, seam, dummy = client([
        Call('POST', '/v1/api_keys/1/revoke', refused()),
        Call('POST', '/v1/api_keys/1/revoke', FakeResponse(200, {})),
        Call('POST', '/v1/api_keys/2/revoke', dropped()),
    ])
    api.post('/v1/api_keys/1/revoke')
    with pytest.raises(DNSFilterError) as err:
        api.post('/v1/api_keys/2/revoke')
    assert 'not sent again' in err.value.message
    seam.assert_done()


def test_dropped_get_is_retried_and_delete_404_counts_as_done():
    api, seam, dummy = client([
        Call('GET', '/v1/organizations', dropped()),
        Call('GET', '/v1/organizations', FakeResponse(200, {'data': []})),
        Call('DELETE', '/v1/user_agents/u1', dropped()),
        Call('DELETE', '/v1/user_agents/u1', FakeResponse(404, {'error': 'Not found'})),
    ])
    assert api.get('/v1/organizations') == {'data': []}
    assert api.delete('/v1/user_agents/u1') is False
    seam.assert_done()


def test_connection_errors_give_up_at_the_deadline():
    api, seam, dummy = client([Call('GET', '/v1/organizations', refused())] * 50, deadline=5.0)
    with pytest.raises(DNSFilterError) as err:
        api.get('/v1/organizations')
    assert 'deadline' in err.value.message
    assert len(seam.made) < 50


@pytest.mark.parametrize('status, body, words', [
    (401, {'error': 'Unauthorized'}, ['invalid, expired or revoked']),
    (403, {'error': 'Forbidden'}, ['lacks permission', 'organisation 42']),
    (422, {'error': {'message': 'Can not delete user agent', 'type': 'x'}}, ['Can not delete user agent']),
    (404, {'error': 'Not found'}, ['Not found']),
])
def test_error_messages_an_engineer_understands(status, body, words):
    api, seam, dummy = client([Call('GET', '/v1/organizations/42/users', FakeResponse(status, body))])
    with pytest.raises(DNSFilterError) as err:
        api.get('/v1/organizations/42/users')
    for word in words:
        assert word in err.value.message
    assert KEY not in err.value.message
    seam.assert_done()


def test_pagination_reads_every_page_once():
    def page(start, count):
        return FakeResponse(200, {'data': [{'id': str(i), 'type': 'user_agents'} for i in range(start, start + count)]})
    api, seam, dummy = client([
        Call('GET', '/v1/user_agents', page(0, 3), query=[('organization_ids', '5'), ('page[number]', '1'), ('page[size]', '3')]),
        Call('GET', '/v1/user_agents', page(3, 3), query=[('organization_ids', '5'), ('page[number]', '2'), ('page[size]', '3')]),
        Call('GET', '/v1/user_agents', page(6, 1), query=[('organization_ids', '5'), ('page[number]', '3'), ('page[size]', '3')]),
    ])
    items = api.list('/v1/user_agents', {'organization_ids': [5]}, page_size=3)
    assert [i['id'] for i in items] == [str(i) for i in range(7)]
    seam.assert_done()


def test_pagination_stops_when_links_say_last_and_refuses_repeats():
    full = FakeResponse(200, {'data': [{'id': '1', 'type': 't'}, {'id': '2', 'type': 't'}], 'links': {'next': None}})
    api, seam, dummy = client([Call('GET', '/v1/networks', full)])
    assert len(api.list('/v1/networks', page_size=2)) == 2
    seam.assert_done()
    same = {'data': [{'id': '1', 'type': 't'}, {'id': '2', 'type': 't'}]}
    api, seam, dummy = client([Call('GET', '/v1/networks', FakeResponse(200, same))] * 2)
    with pytest.raises(DNSFilterError) as err:
        api.list('/v1/networks', page_size=2)
    assert 'twice' in err.value.message


def test_flatten_params_and_retry_after():
    assert flatten_params({'page': {'number': 2, 'size': 10}, 'ids': [1, 2], 'queue_uninstall': True, 'x': None}) == [
        ('page[number]', '2'), ('page[size]', '10'), ('ids', '1'), ('ids', '2'), ('queue_uninstall', 'true')]
    assert parse_retry_after('12') == 12.0
    assert parse_retry_after('Thu, 01 Jan 1970 00:01:40 GMT', now=40) == 60.0
    assert parse_retry_after('soon') is None
