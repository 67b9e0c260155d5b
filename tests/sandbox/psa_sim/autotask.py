"""Autotask REST v1.0: ticket lookup, ticket notes and ticket attachments (base64).

Auth as the real API: the ``ApiIntegrationCode``, ``UserName`` and ``Secret`` headers; anything else is 401.
A missing or invalid field is answered as Autotask does: HTTP 500 with an ``errors`` list of strings.
"""
from __future__ import annotations

import base64
import binascii
import json

from aiohttp import web

from .state import CREDENTIALS, Store

PREFIX = '/autotask/ATServicesRest/V1.0'
PAGE_SIZE = 500
TITLE_MAX = 250
NOTE_REQUIRED = ('title', 'description', 'noteType', 'publish')
ATTACHMENT_REQUIRED = ('title', 'data', 'attachmentType', 'publish')
ATTACHMENT_TYPES = ('FILE_ATTACHMENT', 'FOLDER_LINK', 'URL')


def errors(status: int, *messages: str) -> web.Response:
    return web.json_response({'errors': list(messages)}, status=status)


def authorized(request: web.Request) -> bool:
    creds = CREDENTIALS['autotask']
    return (request.headers.get('ApiIntegrationCode') == creds['integration_code'] and request.headers.get('UserName') == creds['username']
            and request.headers.get('Secret') == creds['secret'])


class Autotask:
    def __init__(self, store: Store):
        self.store = store

    def routes(self, app: web.Application) -> None:
        add = app.router.add_route
        add('GET', PREFIX + '/Tickets/{id}', self.ticket)
        add('GET', PREFIX + '/Tickets/{id}/Notes', self.notes)
        add('POST', PREFIX + '/Tickets/{id}/Notes', self.add_note)
        add('GET', PREFIX + '/Tickets/{id}/Attachments', self.attachments)
        add('GET', PREFIX + '/Tickets/{id}/Attachments/{attachment}', self.attachment)
        add('POST', PREFIX + '/Tickets/{id}/Attachments', self.add_attachment)

    @staticmethod
    def guard(request: web.Request) -> web.Response | None:
        return None if authorized(request) else errors(401, 'User is not authorized to access this resource.')

    @staticmethod
    async def body(request: web.Request):
        try:
            body = json.loads(await request.text())
        except ValueError:
            return None, errors(500, 'The request body is not valid JSON.')
        if not isinstance(body, dict):
            return None, errors(500, 'The request body must be one entity.')
        return body, None

    def _items(self, request: web.Request, items: list) -> web.Response:
        """A page of a child collection; further pages are reached through pageDetails.nextPageUrl."""
        start = int(request.query.get('page', 0) or 0) * PAGE_SIZE
        chunk = items[start:start + PAGE_SIZE]
        more = start + PAGE_SIZE < len(items)
        next_url = str(request.url.with_query({'page': str(start // PAGE_SIZE + 1)})) if more else None
        details = {'count': len(chunk), 'requestCount': PAGE_SIZE, 'prevPageUrl': None, 'nextPageUrl': next_url}
        return web.json_response({'items': chunk, 'pageDetails': details})

    async def ticket(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        ticket = self.store.ticket('autotask', request.match_info['id'])
        # Autotask answers an id it does not know with 200 and a null item.
        item = None if ticket is None else {'id': ticket['id'], 'title': ticket['summary'], 'ticketNumber': 'T20250101.%04d' % (ticket['id'] % 10000)}
        return web.json_response({'item': item})

    async def notes(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        ticket = self.store.ticket('autotask', request.match_info['id'])
        notes = [] if ticket is None else self.store.notes_of('autotask', ticket['id'])
        items = [{'id': n['id'], 'ticketID': n['ticket_id'], 'title': n['title'], 'description': n['text'], 'noteType': n['noteType'],
                  'publish': n['publish']} for n in notes]
        return self._items(request, items)

    async def add_note(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        body, refused = await self.body(request)
        if refused:
            return refused
        ticket = self.store.ticket('autotask', request.match_info['id'])
        if ticket is None:
            return errors(500, 'Unable to find the parent entity Ticket with id %s.' % request.match_info['id'])
        problems = ['TicketNote: the required field %s is missing.' % name for name in NOTE_REQUIRED if body.get(name) in (None, '')]
        if 'ticketID' in body and str(body['ticketID']) != str(ticket['id']):
            problems.append('TicketNote: ticketID %s does not match the parent ticket %s.' % (body['ticketID'], ticket['id']))
        if isinstance(body.get('title'), str) and len(body['title']) > TITLE_MAX:
            problems.append('TicketNote: title is longer than %d characters.' % TITLE_MAX)
        for name in ('noteType', 'publish'):
            if body.get(name) is not None and not isinstance(body[name], int):
                problems.append('TicketNote: %s must be an integer picklist value.' % name)
        if problems:
            return errors(500, *problems)
        note = self.store.add_note('autotask', ticket['id'], body['description'], title=body['title'], noteType=body['noteType'],
                                   publish=body['publish'])
        return web.json_response({'itemId': note['id']})

    @staticmethod
    def _attachment(item: dict, with_data: bool) -> dict:
        out = {'id': item['id'], 'parentID': item['ticket_id'], 'title': item['title'], 'fullPath': item['file_name'],
               'attachmentType': 'FILE_ATTACHMENT', 'publish': item['publish'], 'fileSize': len(item['content'])}
        if with_data:
            out['data'] = base64.b64encode(item['content']).decode('ascii')
        return out

    async def attachments(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        ticket = self.store.ticket('autotask', request.match_info['id'])
        items = [] if ticket is None else self.store.files_of('autotask', ticket['id'])
        return self._items(request, [self._attachment(item, with_data=False) for item in items])

    async def attachment(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        item = self.store.file('autotask', request.match_info['attachment'])
        if item is None or str(item['ticket_id']) != request.match_info['id']:
            return web.json_response({'item': None})
        return web.json_response({'item': self._attachment(item, with_data=True)})

    async def add_attachment(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        body, refused = await self.body(request)
        if refused:
            return refused
        ticket = self.store.ticket('autotask', request.match_info['id'])
        if ticket is None:
            return errors(500, 'Unable to find the parent entity Ticket with id %s.' % request.match_info['id'])
        problems = ['TicketAttachment: the required field %s is missing.' % name for name in ATTACHMENT_REQUIRED if body.get(name) in (None, '')]
        if body.get('attachmentType') not in (None, '') and body['attachmentType'] not in ATTACHMENT_TYPES:
            problems.append('TicketAttachment: attachmentType %r is not one of %s.' % (body['attachmentType'], ', '.join(ATTACHMENT_TYPES)))
        if body.get('attachmentType') == 'FILE_ATTACHMENT' and not body.get('fullPath'):
            problems.append('TicketAttachment: fullPath (the file name) is required for a FILE_ATTACHMENT.')
        if isinstance(body.get('title'), str) and len(body['title']) > TITLE_MAX:
            problems.append('TicketAttachment: title is longer than %d characters.' % TITLE_MAX)
        content = b''
        if isinstance(body.get('data'), str) and body['data']:
            try:
                content = base64.b64decode(body['data'], validate=True)
            except (binascii.Error, ValueError):
                problems.append('TicketAttachment: data is not valid base64.')
        if problems:
            return errors(500, *problems)
        item = self.store.add_file('autotask', ticket['id'], body['title'], body['fullPath'], content, publish=body['publish'])
        return web.json_response({'itemId': item['id']})
