"""HaloPSA: OAuth2 client-credentials token, ticket lookup, actions (notes) and attachments (base64).

Auth as the real API: a token from ``/auth/token`` for the registered client id and secret (a wrong client
is ``400 invalid_client``, as an OAuth2 server answers), then ``Authorization: Bearer``; a missing or unknown
token is 401. An action without a known outcome is refused with Halo's own words, "An Outcome must be
entered for this Action".
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import secrets

from aiohttp import web

from .state import CREDENTIALS, HALO_OUTCOMES, Store

PREFIX = '/halopsa'
OUTCOME_REQUIRED = 'An Outcome must be entered for this Action'
SCOPES = {'all', 'edit:tickets', 'read:tickets'}
DATA_URI = re.compile(r'^data:[^;,]*(;[^;,]*)*;base64,', re.IGNORECASE)


def refused(message: str, status: int = 400) -> web.Response:
    # Halo states a refused request as a bare message.
    return web.json_response(message, status=status)


class Halo:
    def __init__(self, store: Store):
        self.store = store

    def routes(self, app: web.Application) -> None:
        add = app.router.add_route
        add('POST', PREFIX + '/auth/token', self.token)
        add('GET', PREFIX + '/api/Tickets/{id}', self.ticket)
        add('GET', PREFIX + '/api/Actions', self.actions)
        add('POST', PREFIX + '/api/Actions', self.add_actions)
        add('GET', PREFIX + '/api/Attachment', self.attachments)
        add('GET', PREFIX + '/api/Attachment/{id}', self.attachment)
        add('POST', PREFIX + '/api/Attachment', self.add_attachments)

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        creds = CREDENTIALS['halopsa']
        if form.get('grant_type') != 'client_credentials':
            return web.json_response({'error': 'unsupported_grant_type'}, status=400)
        if form.get('client_id') != creds['client_id'] or form.get('client_secret') != creds['client_secret']:
            return web.json_response({'error': 'invalid_client'}, status=400)
        if not set(str(form.get('scope', 'all')).split()) <= SCOPES:
            return web.json_response({'error': 'invalid_scope'}, status=400)
        token = secrets.token_urlsafe(32)
        self.store.tokens.add(token)
        return web.json_response({'access_token': token, 'token_type': 'Bearer', 'expires_in': 3600, 'scope': form.get('scope', 'all')})

    def guard(self, request: web.Request) -> web.Response | None:
        header = request.headers.get('Authorization', '')
        if header.startswith('Bearer ') and header[7:] in self.store.tokens:
            return None
        return web.Response(status=401, headers={'WWW-Authenticate': 'Bearer error="invalid_token"'})

    @staticmethod
    async def records(request: web.Request):
        """Halo takes a list of records on POST (a single object is accepted too)."""
        try:
            body = json.loads(await request.text())
        except ValueError:
            return None, refused('The request body is not valid JSON.')
        body = [body] if isinstance(body, dict) else body
        if not isinstance(body, list) or not body or not all(isinstance(item, dict) for item in body):
            return None, refused('The request body must be a list of records.')
        return body, None

    async def ticket(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        ticket = self.store.ticket('halopsa', request.match_info['id'])
        if ticket is None:
            return refused('Ticket %s not found.' % request.match_info['id'], 404)
        return web.json_response({'id': ticket['id'], 'summary': ticket['summary']})

    @staticmethod
    def _action(note: dict) -> dict:
        return {'id': note['id'], 'ticket_id': note['ticket_id'], 'outcome_id': note['outcome_id'], 'outcome': note['outcome'],
                'note': note['text'], 'hiddenfromuser': note['hiddenfromuser'], 'who': 'API (msp.dnsfilter)'}

    async def actions(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        ticket = self.store.ticket('halopsa', request.query.get('ticket_id'))
        notes = [] if ticket is None else self.store.notes_of('halopsa', ticket['id'])
        return web.json_response({'record_count': len(notes), 'actions': [self._action(n) for n in notes]})

    async def add_actions(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        records, bad = await self.records(request)
        if bad:
            return bad
        checked = []
        for record in records:
            ticket = self.store.ticket('halopsa', record.get('ticket_id'))
            if ticket is None:
                return refused('Ticket %s not found.' % record.get('ticket_id'))
            outcome_id = record.get('outcome_id')
            if outcome_id in (None, '', 0) and record.get('outcome'):
                outcome_id = next((k for k, v in HALO_OUTCOMES.items() if v.lower() == str(record['outcome']).lower()), None)
            try:
                outcome_id = int(outcome_id) if outcome_id not in (None, '') else None
            except (TypeError, ValueError):
                outcome_id = None
            if outcome_id not in HALO_OUTCOMES:
                return refused(OUTCOME_REQUIRED)
            checked.append((ticket, outcome_id, record))
        created = [self.store.add_note('halopsa', ticket['id'], record.get('note_html') or record.get('note') or '', outcome_id=outcome_id,
                                       outcome=HALO_OUTCOMES[outcome_id], hiddenfromuser=bool(record.get('hiddenfromuser', False)))
                   for ticket, outcome_id, record in checked]
        answer = [self._action(n) for n in created]
        return web.json_response(answer[0] if len(answer) == 1 else answer, status=201)

    @staticmethod
    def _attachment(item: dict) -> dict:
        return {'id': item['id'], 'ticket_id': item['ticket_id'], 'filename': item['title'], 'filesize': len(item['content'])}

    async def attachments(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        ticket = self.store.ticket('halopsa', request.query.get('ticket_id'))
        items = [] if ticket is None else self.store.files_of('halopsa', ticket['id'])
        return web.json_response({'record_count': len(items), 'attachments': [self._attachment(item) for item in items]})

    async def attachment(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        item = self.store.file('halopsa', request.match_info['id'])
        if item is None:
            return refused('Attachment %s not found.' % request.match_info['id'], 404)
        return web.Response(body=item['content'], content_type='application/octet-stream',
                            headers={'Content-Disposition': 'attachment; filename="%s"' % item['title']})

    async def add_attachments(self, request: web.Request) -> web.Response:
        denied = self.guard(request)
        if denied:
            return denied
        records, bad = await self.records(request)
        if bad:
            return bad
        decoded = []
        for record in records:
            missing = [name for name in ('ticket_id', 'filename', 'data_base64') if not record.get(name)]
            if missing:
                return refused('Attachment: %s must be entered.' % ', '.join(missing))
            ticket = self.store.ticket('halopsa', record['ticket_id'])
            if ticket is None:
                return refused('Ticket %s not found.' % record['ticket_id'])
            data = DATA_URI.sub('', str(record['data_base64']), count=1)
            try:
                decoded.append((ticket, record, base64.b64decode(data, validate=True)))
            except (binascii.Error, ValueError):
                return refused('Attachment: data_base64 is not valid base64.')
        created = [self.store.add_file('halopsa', ticket['id'], record['filename'], record['filename'], content)
                   for ticket, record, content in decoded]
        answer = [self._attachment(item) for item in created]
        return web.json_response(answer[0] if len(answer) == 1 else answer, status=201)
