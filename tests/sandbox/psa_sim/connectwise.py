"""ConnectWise PSA REST 3.0: ticket lookup, ticket notes, and ticket documents (multipart upload, list, download).

Auth as the real API: HTTP Basic ``company+publicKey:privateKey`` and a ``clientId`` header; anything else is 401.
Refused bodies get 400 with ``code``, ``message`` and ``errors`` (one entry per field), as ConnectWise answers.
"""
from __future__ import annotations

import base64
import binascii
import json

from aiohttp import web

from .state import CREDENTIALS, Store

PREFIX = '/connectwise/v4_6_release/apis/3.0'
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
NOTE_FLAGS = ('detailDescriptionFlag', 'internalAnalysisFlag', 'resolutionFlag')


def error(status: int, code: str, message: str, errors: list | None = None) -> web.Response:
    body = {'code': code, 'message': message}
    if errors:
        body['errors'] = errors
    return web.json_response(body, status=status)


def field_error(resource: str, name: str, message: str, code: str = 'Required') -> dict:
    return {'code': code, 'message': message, 'resource': resource, 'field': name}


def authorized(request: web.Request) -> bool:
    creds = CREDENTIALS['connectwise']
    header = request.headers.get('Authorization', '')
    if not header.startswith('Basic ') or request.headers.get('clientId') != creds['client_id']:
        return False
    try:
        login = base64.b64decode(header[6:], validate=True).decode('utf-8')
    except (binascii.Error, UnicodeDecodeError):
        return False
    return login == '%s+%s:%s' % (creds['company'], creds['public_key'], creds['private_key'])


def page(request: web.Request, items: list) -> web.Response | list:
    try:
        number = int(request.query.get('page', 1))
        size = int(request.query.get('pageSize', DEFAULT_PAGE_SIZE))
    except ValueError:
        return error(400, 'InvalidObject', 'page and pageSize must be integers')
    size = max(1, min(size, MAX_PAGE_SIZE))
    start = (max(number, 1) - 1) * size
    return items[start:start + size]


class ConnectWise:
    def __init__(self, store: Store):
        self.store = store

    def routes(self, app: web.Application) -> None:
        add = app.router.add_route
        add('GET', PREFIX + '/service/tickets/{id}', self.ticket)
        add('GET', PREFIX + '/service/tickets/{id}/notes', self.notes)
        add('POST', PREFIX + '/service/tickets/{id}/notes', self.add_note)
        add('GET', PREFIX + '/system/documents', self.documents)
        add('POST', PREFIX + '/system/documents', self.upload)
        add('GET', PREFIX + '/system/documents/{id}/download', self.download)

    @staticmethod
    def guard(request: web.Request) -> web.Response | None:
        if authorized(request):
            return None
        return error(401, 'Unauthorized', 'Authorization has been denied for this request.')

    def _ticket(self, request: web.Request):
        ticket = self.store.ticket('connectwise', request.match_info['id'])
        if ticket is None:
            return None, error(404, 'NotFound', 'Ticket with id %s was not found.' % request.match_info['id'])
        return ticket, None

    async def ticket(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        ticket, missing = self._ticket(request)
        return missing or web.json_response({'id': ticket['id'], 'summary': ticket['summary']})

    def _note(self, note: dict) -> dict:
        return {k: note[k] for k in ('id', 'text', *NOTE_FLAGS, 'processNotifications') if k in note} | {'ticketId': note['ticket_id']}

    async def notes(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        ticket, missing = self._ticket(request)
        if missing:
            return missing
        items = page(request, [self._note(n) for n in self.store.notes_of('connectwise', ticket['id'])])
        return items if isinstance(items, web.Response) else web.json_response(items)

    async def add_note(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        ticket, missing = self._ticket(request)
        if missing:
            return missing
        try:
            body = json.loads(await request.text())
        except ValueError:
            return error(400, 'InvalidObject', 'The request body is not valid JSON.')
        if not isinstance(body, dict):
            return error(400, 'InvalidObject', 'ServiceNote object is invalid')
        problems = []
        if not isinstance(body.get('text'), str) or not body['text'].strip():
            problems.append(field_error('ServiceNote', 'text', 'The text field is required.'))
        for flag in NOTE_FLAGS + ('processNotifications',):
            if flag in body and not isinstance(body[flag], bool):
                problems.append(field_error('ServiceNote', flag, 'The %s field must be a boolean.' % flag, 'InvalidField'))
        if not any(body.get(flag) is True for flag in NOTE_FLAGS):
            problems.append(field_error('ServiceNote', 'detailDescriptionFlag',
                                        'At least one of detailDescriptionFlag, internalAnalysisFlag or resolutionFlag must be true.',
                                        'InvalidField'))
        if problems:
            return error(400, 'InvalidObject', 'ServiceNote object is invalid', problems)
        note = self.store.add_note('connectwise', ticket['id'], body['text'],
                                   **{k: body.get(k, False) for k in NOTE_FLAGS + ('processNotifications',)})
        return web.json_response(self._note(note), status=201)

    @staticmethod
    def _document(item: dict) -> dict:
        return {'id': item['id'], 'title': item['title'], 'fileName': item['file_name'], 'size': len(item['content']),
                'recordType': 'Ticket', 'recordId': item['ticket_id'], 'serverFileName': '%s-%s' % (item['id'], item['file_name'])}

    async def documents(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        if request.query.get('recordType') != 'Ticket' or not request.query.get('recordId', '').isdigit():
            return error(400, 'InvalidObject', 'recordType=Ticket and a numeric recordId are required to list documents.')
        items = page(request, [self._document(f) for f in self.store.files_of('connectwise', int(request.query['recordId']))])
        return items if isinstance(items, web.Response) else web.json_response(items)

    async def upload(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        if not request.content_type.startswith('multipart/'):
            return error(400, 'InvalidObject', 'Documents are uploaded as multipart/form-data.')
        fields, upload = {}, None
        reader = await request.multipart()
        async for part in reader:
            if part.filename is not None:
                # The bytes exactly as sent: no charset decoding, no transfer decoding.
                upload = (part.name, part.filename, bytes(await part.read(decode=False)))
            else:
                fields[part.name] = await part.text()
        problems = [field_error('DocumentInfo', name, 'The %s field is required.' % name)
                    for name in ('recordType', 'recordId', 'title') if not fields.get(name)]
        if upload is None or upload[0] != 'file':
            problems.append(field_error('DocumentInfo', 'file', 'A file part named file is required.'))
        if problems:
            return error(400, 'InvalidObject', 'DocumentInfo object is invalid', problems)
        if fields['recordType'] != 'Ticket':
            return error(400, 'InvalidObject', 'DocumentInfo object is invalid',
                         [field_error('DocumentInfo', 'recordType', 'This simulator stores Ticket documents only.', 'InvalidField')])
        ticket = self.store.ticket('connectwise', fields['recordId'])
        if ticket is None:
            return error(400, 'InvalidObject', 'DocumentInfo object is invalid',
                         [field_error('DocumentInfo', 'recordId', 'Ticket %s was not found.' % fields['recordId'], 'InvalidField')])
        item = self.store.add_file('connectwise', ticket['id'], fields['title'], upload[1], upload[2])
        return web.json_response(self._document(item), status=201)

    async def download(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        item = self.store.file('connectwise', request.match_info['id'])
        if item is None:
            return error(404, 'NotFound', 'Document with id %s was not found.' % request.match_info['id'])
        return web.Response(body=item['content'], content_type='application/octet-stream',
                            headers={'Content-Disposition': 'attachment; filename="%s"' % item['file_name']})
