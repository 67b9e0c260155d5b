# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""psa_ticket through the HTTP seam: every call each provider makes, in order, with its body checked.

The shared seam (tests/unit/plugins/http_seam.py) speaks JSON only; PSA uploads need form data, multipart
files and extra headers, so this file has its own small seam with the same rules: a call not expected, or
in another order, fails the test, and so does an expected call that never came.
"""

from __future__ import annotations

import base64
import hashlib
import json

from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.msp.dnsfilter.plugins.modules import psa_ticket

CW_URL = 'https://cw.test/v4_6_release/apis/3.0'
AT_URL = 'https://at.test/ATServicesRest/V1.0'
HALO_URL = 'https://halo.test'
CW = dict(provider='connectwise', url='https://cw.test', company='acme', public_key='pubkey01', private_key='cw-private-0123456789',
          client_id='cw-client-id')
AT = dict(provider='autotask', url='https://at.test/ATServicesRest', username='api@acme.test', secret='at-secret-0123456789',
          integration_code='AT-INTEGRATION-0123')
HALO = dict(provider='halopsa', url=HALO_URL, client_id='halo-client', client_secret='halo-secret-0123456789')
TOKEN = 'halo-token-abcdef0123456789'
SECRETS = ('cw-private-0123456789', base64.b64encode(b'acme+pubkey01:cw-private-0123456789').decode(), 'at-secret-0123456789',
           'AT-INTEGRATION-0123', 'halo-secret-0123456789', TOKEN)
NOTE = 'DNSFilter exit of Acme: phase 2 failed.\n<Roaming Client> on DESK-07 & DESK-08 not removed.'
MARKER = '[msp.dnsfilter:%s]' % hashlib.sha256(NOTE.encode()).hexdigest()
BLOB = bytes(range(256)) * 8 + b'\r\n\x00\xff\xfe\x1f\x8b'  # not text in any encoding


class Reply:
    """A fake requests.Response."""

    def __init__(self, status, body=None, headers=None):
        self.status_code = status
        self.headers = dict(headers or {})
        if isinstance(body, bytes):
            self.content = body
            self.headers.setdefault('Content-Type', 'application/octet-stream')
        elif body is None:
            self.content = b''
        else:
            self.content = json.dumps(body).encode()
            self.headers.setdefault('Content-Type', 'application/json; charset=utf-8')


class Call:
    """One expected call; check(request) may assert on params, json, data, files and headers."""

    def __init__(self, method, url, answer, check=None):
        self.method = method
        self.url = url
        self.answer = answer
        self.check = check


class Seam:
    """Stands in for requests.Session."""

    def __init__(self, calls):
        self.expected = list(calls)
        self.made = []
        self.headers = {}

    def mount(self, prefix, adapter):
        pass

    def request(self, method, url, params=None, json=None, data=None, files=None, headers=None,  # pylint: disable=redefined-outer-name
                timeout=None, verify=None):
        request = dict(method=method, url=url, params=params, json=json, data=data, files=files, headers=dict(self.headers, **(headers or {})),
                       timeout=timeout, verify=verify)
        self.made.append(request)
        assert self.expected, 'unexpected call %s %s' % (method, url)
        call = self.expected.pop(0)
        assert (method, url) == (call.method, call.url), 'expected %s %s, got %s %s' % (call.method, call.url, method, url)
        if call.check:
            call.check(request)
        if isinstance(call.answer, Exception):
            raise call.answer
        return call.answer

    def assert_done(self):
        assert not self.expected, 'expected calls never made: %s' % [(c.method, c.url) for c in self.expected]

    def posts(self):
        return [m for m in self.made if m['method'] == 'POST' and not m['url'].endswith('/auth/token')]


class ModuleExit(Exception):
    def __init__(self, result):
        super().__init__(result.get('msg'))
        self.result = result


def _exit_json(self, **kwargs):  # pylint: disable=unused-argument
    kwargs.setdefault('changed', False)
    raise ModuleExit(kwargs)


def _fail_json(self, **kwargs):  # pylint: disable=unused-argument
    kwargs['failed'] = True
    raise ModuleExit(kwargs)


def run(args, calls, check_mode=False, diff=True):
    """Run the module; returns (result, seam). The raw result (before Ansible's no_log masking) must hold no secret."""
    full = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    seam = Seam(calls)
    with mock.patch.object(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': full}))), \
            mock.patch.object(basic, '_ANSIBLE_PROFILE', 'legacy', create=True), \
            mock.patch.object(basic.AnsibleModule, 'exit_json', _exit_json), \
            mock.patch.object(basic.AnsibleModule, 'fail_json', _fail_json), \
            mock.patch('ansible_collections.msp.dnsfilter.plugins.module_utils.psa._http.requests.Session', return_value=seam), \
            mock.patch('ansible_collections.msp.dnsfilter.plugins.module_utils.psa._http.time.sleep'):
        with pytest.raises(ModuleExit) as done:
            psa_ticket.main()
    result = done.value.result
    text = json.dumps(result)
    for secret in SECRETS:
        assert secret not in text, 'a credential leaked into the result'
    return result, seam


@pytest.fixture
def files(tmp_path):
    bundle = tmp_path / 'evidence.tar.gz'
    bundle.write_bytes(BLOB)
    report = tmp_path / 'report.html'
    report.write_text('<p>Zażółć</p>\n', encoding='utf-8')
    return str(bundle), str(report)


def sha(content):
    return hashlib.sha256(content).hexdigest()


# -- ConnectWise PSA ------------------------------------------------------------------------------------

def cw_ticket(status=200):
    def check(req):
        assert req['headers']['Authorization'] == 'Basic ' + base64.b64encode(b'acme+pubkey01:cw-private-0123456789').decode()
        assert req['headers']['clientId'] == 'cw-client-id'
        assert req['params'] == {'fields': 'id'}
    return Call('GET', CW_URL + '/service/tickets/77', Reply(status, {'id': 77} if status == 200 else {'code': 'NotFound', 'message': 'x'}), check)


def cw_notes(notes):
    return Call('GET', CW_URL + '/service/tickets/77/notes', Reply(200, notes),
                lambda req: req['params'] == {'page': 1, 'pageSize': 1000} or pytest.fail('paging %r' % req['params']))


def cw_documents(docs):
    return Call('GET', CW_URL + '/system/documents', Reply(200, docs),
                lambda req: req['params'] == {'recordType': 'Ticket', 'recordId': '77', 'page': 1, 'pageSize': 1000} or pytest.fail(repr(req['params'])))


def cw_post_note(answer=None):
    def check(req):
        body = req['json']
        assert body['text'] == NOTE + '\n\n' + MARKER
        assert body['internalAnalysisFlag'] is True and body['detailDescriptionFlag'] is False and body['resolutionFlag'] is False
        assert body['processNotifications'] is False
    return Call('POST', CW_URL + '/service/tickets/77/notes', answer if answer is not None else Reply(201, {'id': 901}), check)


def cw_upload(title, name, content, answer=None):
    def check(req):
        assert req['json'] is None
        assert req['data'] == {'recordType': 'Ticket', 'recordId': '77', 'title': title}
        part_name, part_bytes, part_type = req['files']['file']
        assert (part_name, part_bytes) == (name, content), 'the file part is not the raw bytes of the file'
        assert isinstance(part_bytes, bytes) and part_type
        assert 'Content-Type' not in req['headers'], 'a fixed Content-Type would break the multipart boundary'
    return Call('POST', CW_URL + '/system/documents', answer if answer is not None else Reply(201, {'id': 555, 'title': title}), check)


def test_connectwise_posts_an_internal_note_and_uploads_files_byte_exact(files):
    bundle, report = files
    args = dict(CW, ticket='77', note=NOTE, attachments=[bundle, report], title_prefix='Exit - ')
    result, seam = run(args, [
        cw_ticket(), cw_notes([{'id': 1, 'text': 'someone else'}]), cw_post_note(),
        cw_documents([{'id': 9, 'title': 'Other', 'size': 3}]),
        cw_upload('Exit - evidence.tar.gz', 'evidence.tar.gz', BLOB),
        cw_upload('Exit - report.html', 'report.html', '<p>Zażółć</p>\n'.encode('utf-8')),
    ])
    seam.assert_done()
    assert result['changed'] is True and result['api_calls'] == 6
    assert result['note'] == {'marker': MARKER, 'sha256': sha(NOTE.encode()), 'action': 'posted', 'id': 901}
    assert [(a['title'], a['action'], a['sha256']) for a in result['attachments']] == [
        ('Exit - evidence.tar.gz', 'uploaded', sha(BLOB)), ('Exit - report.html', 'uploaded', sha('<p>Zażółć</p>\n'.encode()))]
    assert result['diff']['before'] == {'notes': [], 'attachments': ['Other']}
    assert result['diff']['after'] == {'notes': [MARKER], 'attachments': ['Exit - evidence.tar.gz', 'Exit - report.html', 'Other']}


def test_connectwise_rerun_recognises_the_note_and_the_file_and_posts_nothing(files):
    bundle = files[0]
    args = dict(CW, ticket='77', note=NOTE, attachments=[bundle])
    result, seam = run(args, [
        cw_ticket(), cw_notes([{'id': 901, 'text': NOTE + '\n\n' + MARKER}]),
        cw_documents([{'id': 554, 'title': 'evidence.tar.gz', 'size': 1}, {'id': 555, 'title': 'evidence.tar.gz', 'size': len(BLOB)}]),
        # The file whose listed size matches is tried first; it is the same content, so the other is never fetched.
        Call('GET', CW_URL + '/system/documents/555/download', Reply(200, BLOB), lambda req: req['headers']['Accept'] == '*/*'),
    ])
    seam.assert_done()
    assert result['changed'] is False and seam.posts() == []
    assert result['note']['action'] == 'present' and result['attachments'][0]['action'] == 'present'
    assert result['attachments'][0]['id'] == 555


def test_connectwise_same_title_different_content_is_uploaded(files):
    bundle = files[0]
    result, seam = run(dict(CW, ticket='77', attachments=[bundle]), [
        cw_ticket(), cw_documents([{'id': 555, 'title': 'evidence.tar.gz', 'size': len(BLOB)}]),
        Call('GET', CW_URL + '/system/documents/555/download', Reply(200, b'older bundle')),
        cw_upload('evidence.tar.gz', 'evidence.tar.gz', BLOB),
    ])
    seam.assert_done()
    assert result['changed'] is True and result['attachments'][0]['action'] == 'uploaded'
    assert 'note' not in result


def test_check_mode_reads_and_reports_what_it_would_post_but_posts_nothing(files):
    bundle, report = files
    result, seam = run(dict(CW, ticket='77', note=NOTE, attachments=[bundle, report]),
                       [cw_ticket(), cw_notes([]), cw_documents([])], check_mode=True)
    seam.assert_done()
    assert result['changed'] is True and seam.posts() == []
    assert result['note']['action'] == 'would_post'
    assert [a['action'] for a in result['attachments']] == ['would_upload', 'would_upload']
    assert result['diff']['after']['attachments'] == ['evidence.tar.gz', 'report.html']


def test_connectwise_401_names_the_options_and_never_the_keys():
    echo = {'code': 'Unauthorized', 'message': 'bad login acme+pubkey01:cw-private-0123456789'}
    result, seam = run(dict(CW, ticket='77', note=NOTE), [Call('GET', CW_URL + '/service/tickets/77', Reply(401, echo))])
    seam.assert_done()
    assert result['failed'] and 'rejected the credentials (HTTP 401)' in result['msg'] and 'private_key' in result['msg']


def test_connectwise_403_on_upload_names_the_security_role(files):
    refused = Reply(403, {'code': 'Forbidden', 'message': 'You do not have permission'})
    result, seam = run(dict(CW, ticket='77', attachments=[files[0]]), [
        cw_ticket(), cw_documents([]), cw_upload('evidence.tar.gz', 'evidence.tar.gz', BLOB, answer=refused)])
    seam.assert_done()
    assert result['failed'] and 'Manage Attachments' in result['msg'] and result['status'] == 403
    assert result['attachments'][0]['action'] == 'uploading'


def test_connectwise_400_lists_the_field_errors():
    refused = Reply(400, {'code': 'InvalidObject', 'message': 'ServiceNote object is invalid',
                          'errors': [{'code': 'Required', 'message': 'The text field is required.', 'field': 'text'}]})
    result, _seam = run(dict(CW, ticket='77', note=NOTE), [cw_ticket(), cw_notes([]), cw_post_note(answer=refused)])
    assert result['failed'] and 'ServiceNote object is invalid; The text field is required.' in result['msg']


def test_a_post_whose_connection_dropped_is_not_sent_again():
    import requests
    dropped = requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))")
    result, seam = run(dict(CW, ticket='77', note=NOTE), [cw_ticket(), cw_notes([]), cw_post_note(answer=dropped)])
    seam.assert_done()
    assert result['failed'] and 'dropped' in result['msg'] and 'not sent again' in result['msg']
    assert result['note']['action'] == 'posting' and len(seam.posts()) == 1


def test_a_post_that_never_connected_is_retried():
    import requests
    refused = requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='cw.test', port=443): Max retries exceeded (Caused by NewConnectionError('Failed to establish a new connection: "
        "[Errno 111] Connection refused'))")
    result, seam = run(dict(CW, ticket='77', note=NOTE), [cw_ticket(), cw_notes([]), cw_post_note(answer=refused), cw_post_note()])
    seam.assert_done()
    assert result['changed'] is True and result['note']['action'] == 'posted'


def test_reads_are_retried_on_503_and_a_post_is_not():
    busy = Reply(503, {'message': 'busy'})
    result, seam = run(dict(CW, ticket='77', note=NOTE), [
        Call('GET', CW_URL + '/service/tickets/77', busy), cw_ticket(), cw_notes([]), cw_post_note(answer=busy)])
    seam.assert_done()
    assert result['failed'] and 'HTTP 503' in result['msg'] and 'not retried' in result['msg']


def test_a_429_is_waited_out_even_for_a_post():
    limited = Reply(429, {'message': 'slow down'}, headers={'Retry-After': '0'})
    result, seam = run(dict(CW, ticket='77', note=NOTE), [cw_ticket(), cw_notes([]), cw_post_note(answer=limited), cw_post_note()])
    seam.assert_done()
    assert result['note']['action'] == 'posted'


def test_unknown_ticket_fails_without_writing():
    result, seam = run(dict(CW, ticket='77', note=NOTE), [cw_ticket(status=404)])
    seam.assert_done()
    assert result['failed'] and 'has no ticket 77' in result['msg'] and result['changed'] is False


# -- Autotask -----------------------------------------------------------------------------------------

def at_headers(req):
    assert req['headers']['ApiIntegrationCode'] == 'AT-INTEGRATION-0123'
    assert req['headers']['UserName'] == 'api@acme.test' and req['headers']['Secret'] == 'at-secret-0123456789'


def test_autotask_note_and_base64_attachment(files):
    bundle = files[0]
    page2 = AT_URL + '/Tickets/41/Notes?page=1'

    def post_note(req):
        at_headers(req)
        assert req['json'] == {'ticketID': 41, 'title': 'Exit - DNSFilter exit of Acme: phase 2 failed.', 'description': NOTE + '\n\n' + MARKER,
                               'noteType': 1, 'publish': 1}

    def post_file(req):
        body = req['json']
        assert base64.b64decode(body.pop('data'), validate=True) == BLOB
        assert body == {'parentID': 41, 'title': 'Exit - evidence.tar.gz', 'fullPath': 'evidence.tar.gz', 'attachmentType': 'FILE_ATTACHMENT',
                        'publish': 1}

    result, seam = run(dict(AT, ticket='41', note=NOTE, attachments=[bundle], title_prefix='Exit - '), [
        Call('GET', AT_URL + '/Tickets/41', Reply(200, {'item': {'id': 41}}), at_headers),
        Call('GET', AT_URL + '/Tickets/41/Notes', Reply(200, {'items': [{'id': 1, 'description': 'a'}], 'pageDetails': {'nextPageUrl': page2}})),
        Call('GET', page2, Reply(200, {'items': [{'id': 2, 'description': 'b'}], 'pageDetails': {'nextPageUrl': None}})),
        Call('POST', AT_URL + '/Tickets/41/Notes', Reply(200, {'itemId': 8001}), post_note),
        Call('GET', AT_URL + '/Tickets/41/Attachments', Reply(200, {'items': [], 'pageDetails': {'nextPageUrl': None}})),
        Call('POST', AT_URL + '/Tickets/41/Attachments', Reply(200, {'itemId': 8002}), post_file),
    ])
    seam.assert_done()
    assert result['note']['id'] == 8001 and result['attachments'][0]['id'] == 8002


def test_autotask_present_attachment_is_fetched_and_hashed(files):
    item = {'id': 8002, 'title': 'evidence.tar.gz', 'fileSize': float(len(BLOB))}
    result, seam = run(dict(AT, ticket='41', attachments=[files[0]]), [
        Call('GET', AT_URL + '/Tickets/41', Reply(200, {'item': {'id': 41}})),
        Call('GET', AT_URL + '/Tickets/41/Attachments', Reply(200, {'items': [item], 'pageDetails': {}})),
        Call('GET', AT_URL + '/Tickets/41/Attachments/8002', Reply(200, {'item': dict(item, data=base64.b64encode(BLOB).decode())})),
    ])
    seam.assert_done()
    assert result['changed'] is False and result['attachments'][0]['action'] == 'present'


def test_autotask_unknown_ticket_is_a_null_item():
    result, _seam = run(dict(AT, ticket='41', note=NOTE), [Call('GET', AT_URL + '/Tickets/41', Reply(200, {'item': None}))])
    assert result['failed'] and 'Autotask has no ticket 41' in result['msg']


def test_autotask_500_errors_are_reported_and_the_note_is_not_retried():
    refused = Reply(500, {'errors': ['TicketNote: the required field title is missing.']})
    result, seam = run(dict(AT, ticket='41', note=NOTE), [
        Call('GET', AT_URL + '/Tickets/41', Reply(200, {'item': {'id': 41}})),
        Call('GET', AT_URL + '/Tickets/41/Notes', Reply(200, {'items': []})),
        Call('POST', AT_URL + '/Tickets/41/Notes', refused),
    ])
    seam.assert_done()
    assert result['failed'] and 'the required field title is missing' in result['msg'] and 'HTTP 500' in result['msg']


def test_autotask_ticket_number_instead_of_id_is_refused_before_any_call():
    result, seam = run(dict(AT, ticket='T20250101.0001', note=NOTE), [])
    assert result['failed'] and 'not its number' in result['msg'] and seam.made == []


# -- HaloPSA ------------------------------------------------------------------------------------------

def halo_token(answer=None):
    def check(req):
        assert req['data'] == {'grant_type': 'client_credentials', 'client_id': 'halo-client', 'client_secret': 'halo-secret-0123456789',
                               'scope': 'all'}
        assert 'Authorization' not in req['headers']
    return Call('POST', HALO_URL + '/auth/token', answer or Reply(200, {'access_token': TOKEN, 'token_type': 'Bearer'}), check)


def bearer(req):
    assert req['headers']['Authorization'] == 'Bearer ' + TOKEN


def test_halopsa_private_note_with_outcome_and_data_uri_attachment(files):
    bundle = files[0]

    def post_action(req):
        assert req['json'] == [{'ticket_id': 300, 'outcome_id': 7, 'hiddenfromuser': True, 'sendemail': False,
                                'note_html': 'DNSFilter exit of Acme: phase 2 failed.<br>&lt;Roaming Client&gt; on DESK-07 &amp; DESK-08 not '
                                             'removed.<br><br>' + MARKER}]

    def post_file(req):
        (item,) = req['json']
        prefix, encoded = item.pop('data_base64').split(',', 1)
        assert prefix == 'data:application/gzip;base64' and base64.b64decode(encoded, validate=True) == BLOB
        assert item == {'ticket_id': 300, 'filename': 'evidence.tar.gz'}

    result, seam = run(dict(HALO, ticket='300', note=NOTE, attachments=[bundle]), [
        halo_token(),
        Call('GET', HALO_URL + '/api/Tickets/300', Reply(200, {'id': 300}), bearer),
        Call('GET', HALO_URL + '/api/Actions', Reply(200, {'record_count': 0, 'actions': []}),
             lambda req: req['params'] == {'ticket_id': '300', 'includehtmlnote': 'true'} or pytest.fail(repr(req['params']))),
        Call('POST', HALO_URL + '/api/Actions', Reply(201, {'id': 71}), post_action),
        Call('GET', HALO_URL + '/api/Attachment', Reply(200, {'record_count': 0, 'attachments': []})),
        Call('POST', HALO_URL + '/api/Attachment', Reply(201, {'id': 72}), post_file),
    ])
    seam.assert_done()
    assert result['note']['id'] == 71 and result['attachments'][0]['id'] == 72


def test_halopsa_marker_in_the_html_note_is_recognised():
    result, seam = run(dict(HALO, ticket='300', note=NOTE), [
        halo_token(), Call('GET', HALO_URL + '/api/Tickets/300', Reply(200, {'id': 300})),
        Call('GET', HALO_URL + '/api/Actions', Reply(200, {'actions': [{'id': 71, 'note': '<p>text<br>' + MARKER + '</p>'}]})),
    ])
    seam.assert_done()
    assert result['changed'] is False and result['note']['action'] == 'present'


def test_halopsa_outcome_refusal_says_which_option_to_set():
    refused = Reply(400, 'An Outcome must be entered for this Action')
    result, _seam = run(dict(HALO, ticket='300', note=NOTE, halo_outcome=99), [
        halo_token(), Call('GET', HALO_URL + '/api/Tickets/300', Reply(200, {'id': 300})),
        Call('GET', HALO_URL + '/api/Actions', Reply(200, {'actions': []})),
        Call('POST', HALO_URL + '/api/Actions', refused, lambda req: req['json'][0]['outcome_id'] == 99 or pytest.fail('outcome')),
    ])
    assert result['failed'] and 'An Outcome must be entered for this Action' in result['msg'] and 'halo_outcome' in result['msg']


def test_halopsa_wrong_client_secret():
    result, seam = run(dict(HALO, ticket='300', note=NOTE), [halo_token(answer=Reply(400, {'error': 'invalid_client'}))])
    seam.assert_done()
    assert result['failed'] and 'refused the client credentials' in result['msg']


# -- options --------------------------------------------------------------------------------------------

def test_missing_credentials_name_the_options_and_environment_variables():
    result, seam = run(dict(provider='autotask', url='https://at.test', ticket='41', note=NOTE), [])
    assert result['failed'] and seam.made == []
    assert 'username (or PSA_USERNAME)' in result['msg'] and 'secret (or PSA_SECRET)' in result['msg']


def test_credentials_from_the_environment(monkeypatch):
    for name, value in (('PSA_URL', 'https://cw.test'), ('PSA_COMPANY', 'acme'), ('PSA_PUBLIC_KEY', 'pubkey01'),
                        ('PSA_PRIVATE_KEY', 'cw-private-0123456789'), ('PSA_CLIENT_ID', 'cw-client-id')):
        monkeypatch.setenv(name, value)
    result, seam = run(dict(provider='connectwise', ticket='77'), [cw_ticket()])
    seam.assert_done()
    assert result['changed'] is False


def test_missing_file_and_clashing_titles_fail_before_any_call(tmp_path, files):
    result, seam = run(dict(CW, ticket='77', attachments=[files[0], str(tmp_path / 'missing.pdf')]), [])
    assert result['failed'] and 'missing.pdf does not exist' in result['msg'] and seam.made == []
    other = tmp_path / 'sub'
    other.mkdir()
    (other / 'evidence.tar.gz').write_bytes(b'x')
    result, seam = run(dict(CW, ticket='77', attachments=[files[0], str(other / 'evidence.tar.gz')]), [])
    assert result['failed'] and 'would both be attached' in result['msg'] and seam.made == []
