"""The simulators answer as the real APIs do: auth, validation errors in each PSA's own shape, bytes kept exact, faults."""
from __future__ import annotations

import base64
import os

import pytest
import requests

from conftest import connection


def cw(sim):
    info = connection(sim, 'connectwise')
    login = '%s+%s:%s' % (info['company'], info['public_key'], info['private_key'])
    headers = {'Authorization': 'Basic ' + base64.b64encode(login.encode()).decode(), 'clientId': info['client_id']}
    return info['url'], headers


def autotask(sim):
    info = connection(sim, 'autotask')
    return info['url'], {'ApiIntegrationCode': info['integration_code'], 'UserName': info['username'], 'Secret': info['secret']}


def halo(sim):
    info = connection(sim, 'halopsa')
    form = {'grant_type': 'client_credentials', 'client_id': info['client_id'], 'client_secret': info['client_secret'], 'scope': 'all'}
    token = requests.post(info['url'] + '/auth/token', data=form, timeout=10).json()['access_token']
    return info['url'], {'Authorization': 'Bearer ' + token}


def test_connectwise_auth_validation_and_multipart_bytes(sim):
    url, headers = cw(sim)
    assert requests.get(url + '/service/tickets/1001', headers=dict(headers, clientId='other'), timeout=10).status_code == 401
    assert requests.get(url + '/service/tickets/1001', headers=dict(headers, Authorization='Basic eDp5'), timeout=10).status_code == 401
    assert requests.get(url + '/service/tickets/9', headers=headers, timeout=10).status_code == 404
    refused = requests.post(url + '/service/tickets/1001/notes', json={'text': 'x'}, headers=headers, timeout=10)
    assert refused.status_code == 400 and refused.json()['code'] == 'InvalidObject'
    assert refused.json()['errors'][0]['field'] == 'detailDescriptionFlag'
    refused = requests.post(url + '/service/tickets/1001/notes', json={'internalAnalysisFlag': True}, headers=headers, timeout=10)
    assert [e['field'] for e in refused.json()['errors']] == ['text']
    content = os.urandom(4096) + b'\r\n\x00\xff'
    files = {'file': ('evidence.tar.gz', content, 'application/gzip')}
    done = requests.post(url + '/system/documents', data={'recordType': 'Ticket', 'recordId': '1001', 'title': 'T'}, files=files,
                         headers=headers, timeout=10)
    assert done.status_code == 201 and done.json()['size'] == len(content)
    assert requests.get(url + '/system/documents/%s/download' % done.json()['id'], headers=headers, timeout=10).content == content
    missing = requests.post(url + '/system/documents', data={'recordType': 'Ticket', 'recordId': '1001'}, files=files, headers=headers, timeout=10)
    assert missing.status_code == 400 and [e['field'] for e in missing.json()['errors']] == ['title']
    listed = requests.get(url + '/system/documents', params={'recordType': 'Ticket', 'recordId': 1001}, headers=headers, timeout=10)
    assert [d['title'] for d in listed.json()] == ['T']


def test_autotask_auth_and_required_fields_as_500_with_errors(sim):
    url, headers = autotask(sim)
    assert requests.get(url + '/Tickets/2001', headers=dict(headers, Secret='no'), timeout=10).status_code == 401
    assert requests.get(url + '/Tickets/9', headers=headers, timeout=10).json() == {'item': None}
    refused = requests.post(url + '/Tickets/2001/Notes', json={'description': 'x'}, headers=headers, timeout=10)
    assert refused.status_code == 500 and len(refused.json()['errors']) == 3
    refused = requests.post(url + '/Tickets/2001/Attachments', json={'title': 'T', 'data': '!!', 'attachmentType': 'FILE_ATTACHMENT', 'publish': 1},
                            headers=headers, timeout=10)
    assert refused.status_code == 500 and any('fullPath' in e for e in refused.json()['errors'])
    assert any('base64' in e for e in refused.json()['errors'])


def test_halopsa_token_outcome_and_data_uri(sim):
    info = connection(sim, 'halopsa')
    wrong = requests.post(info['url'] + '/auth/token', data={'grant_type': 'client_credentials', 'client_id': info['client_id'],
                                                             'client_secret': 'no'}, timeout=10)
    assert wrong.status_code == 400 and wrong.json() == {'error': 'invalid_client'}
    assert requests.get(info['url'] + '/api/Tickets/3001', headers={'Authorization': 'Bearer nope'}, timeout=10).status_code == 401
    url, headers = halo(sim)
    refused = requests.post(url + '/api/Actions', json=[{'ticket_id': 3001, 'note_html': 'x'}], headers=headers, timeout=10)
    assert refused.status_code == 400 and refused.json() == 'An Outcome must be entered for this Action'
    content = os.urandom(1000)
    uri = 'data:application/gzip;base64,' + base64.b64encode(content).decode()
    done = requests.post(url + '/api/Attachment', json=[{'ticket_id': 3001, 'filename': 'e.tar.gz', 'data_base64': uri}], headers=headers, timeout=10)
    assert done.status_code == 201
    assert requests.get(url + '/api/Attachment/%s' % done.json()['id'], headers=headers, timeout=10).content == content


def test_drop_after_applies_the_write_then_closes_the_connection(sim):
    url, headers = halo(sim)
    sim.drop_after(provider='halopsa', path='*/api/Actions')
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(url + '/api/Actions', json=[{'ticket_id': 3001, 'outcome_id': 7, 'note_html': 'once'}], headers=headers, timeout=10)
    assert [n['text'] for n in sim.state('halopsa')['notes']] == ['once']
    assert sim.requests('halopsa', 'POST')[-1]['status'] == 'dropped'
    # The fault is spent: the next write is answered.
    again = requests.post(url + '/api/Actions', json=[{'ticket_id': 3001, 'outcome_id': 7, 'note_html': 'twice'}], headers=headers, timeout=10)
    assert again.status_code == 201
