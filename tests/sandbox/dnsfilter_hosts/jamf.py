"""A Jamf Pro simulator for the calls that take a Mac out of a configuration profile's scope.

Classic API (XML) subset: computers by serial number or id, macOS configuration profiles (read, and PUT of
the scope with exclusions), static computer groups (read, and PUT with ``computer_deletions``), plus the
Jamf Pro API token endpoint. When a Mac leaves a profile's scope the simulator queues the Apple
``RemoveProfile`` command; the Mac gets it at its next MDM check-in, which here is its next command.
"""
from __future__ import annotations

import base64
import logging
import plistlib
import secrets
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from aiohttp import web

LOG = logging.getLogger(__name__)
DEFAULT_ADDRESS = ('127.0.0.40', 8080)
DEFAULT_USER, DEFAULT_PASSWORD = 'jamf-api', 'jamf-sim-password'


def _text(tag: str, value) -> str:
    if isinstance(value, bool):
        value = 'true' if value else 'false'
    return f'<{tag}>{escape(str(value))}</{tag}>'


class JamfSim:
    """State: computers, profiles with scope, static groups, pending RemoveProfile commands per computer."""

    def __init__(self, config: dict):
        self.address = (config.get('address', DEFAULT_ADDRESS[0]), int(config.get('port', DEFAULT_ADDRESS[1])))
        self.user = config.get('username', DEFAULT_USER)
        self.password = config.get('password', DEFAULT_PASSWORD)
        self.computers: dict[int, dict] = {}
        self.profiles: dict[int, dict] = {}
        self.groups: dict[int, dict] = {}
        self.pending: dict[int, set[str]] = {}
        self.tokens: set[str] = set()
        self.requests: list[tuple[str, str]] = []
        self._runner: web.AppRunner | None = None

    # -- building from the devices ------------------------------------------------------------------
    def add_mac(self, device_id: str, host) -> None:
        """Enrol a simulated Mac whose scenario section says ``mdm: jamf``; its MDM profiles become Jamf profiles."""
        section_scope = host.state.get('mdm_scope', 'computer')
        computer_id = len(self.computers) + 1
        self.computers[computer_id] = {'id': computer_id, 'name': host.state['hostname'], 'serial': host.state['serial'],
                                       'device_id': device_id, 'host': host}
        for profile in host.state['profiles']:
            if profile['source'] != 'mdm':
                continue
            known = next((p for p in self.profiles.values() if p['identifier'] == profile['identifier']), None)
            if known is None:
                known = {'id': len(self.profiles) + 1, 'name': profile['name'], 'identifier': profile['identifier'],
                         'uuid': profile['uuid'], 'computers': set(), 'groups': set(), 'excluded_computers': set(),
                         'excluded_groups': set(), 'all_computers': False}
                self.profiles[known['id']] = known
            if section_scope == 'group':
                group = self._static_group('DNSFilter Macs')
                group['computers'].add(computer_id)
                known['groups'].add(group['id'])
            else:
                known['computers'].add(computer_id)

    def _static_group(self, name: str) -> dict:
        for group in self.groups.values():
            if group['name'] == name:
                return group
        group = {'id': len(self.groups) + 1, 'name': name, 'computers': set()}
        self.groups[group['id']] = group
        return group

    def in_scope(self, profile: dict, computer_id: int) -> bool:
        groups = {g for g, group in self.groups.items() if computer_id in group['computers']}
        if computer_id in profile['excluded_computers'] or groups & profile['excluded_groups']:
            return False
        return profile['all_computers'] or computer_id in profile['computers'] or bool(groups & profile['groups'])

    def _rescope(self, before: dict[int, set[int]]) -> None:
        """Queue RemoveProfile for every Mac that just left a profile's scope."""
        for profile_id, profile in self.profiles.items():
            for computer_id in before[profile_id]:
                if not self.in_scope(profile, computer_id):
                    self.pending.setdefault(computer_id, set()).add(profile['identifier'])
                    LOG.info('jamf: RemoveProfile %s queued for computer %s', profile['identifier'], computer_id)

    def _scoped(self) -> dict[int, set[int]]:
        return {pid: {c for c in self.computers if self.in_scope(p, c)} for pid, p in self.profiles.items()}

    def check_in(self, device_id: str, host) -> None:
        """The Mac's MDM check-in: it runs the commands queued for it."""
        for computer_id, computer in self.computers.items():
            if computer['device_id'] == device_id:
                for identifier in sorted(self.pending.pop(computer_id, set())):
                    host.mdm_remove_profile(identifier)
                    LOG.info('jamf: %s removed profile %s at check-in', computer['name'], identifier)

    # -- HTTP ---------------------------------------------------------------------------------------
    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get('Authorization', '')
        scheme, _sep, value = header.partition(' ')
        if scheme.lower() == 'bearer':
            return value in self.tokens
        if scheme.lower() == 'basic':
            try:
                user, _sep, password = base64.b64decode(value).decode().partition(':')
            except ValueError:
                return False
            return (user, password) == (self.user, self.password)
        return False

    @web.middleware
    async def _auth(self, request: web.Request, handler):
        self.requests.append((request.method, request.path))
        if request.path == '/control/requests':
            return await handler(request)
        if not self._authorised(request):
            return web.Response(status=401, text='The request requires user authentication')
        return await handler(request)

    async def token(self, request: web.Request) -> web.Response:
        if not request.headers.get('Authorization', '').lower().startswith('basic'):
            return web.Response(status=401)
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return web.json_response({'token': token, 'expires': '2099-01-01T00:00:00.000Z'})

    def _computer_xml(self, computer: dict) -> str:
        profiles = [p for p in self.profiles.values() if self.in_scope(p, computer['id'])]
        items = ''.join(
            '<configuration_profile>' + _text('id', p['id']) + _text('name', p['name']) + _text('uuid', p['uuid'])
            + _text('is_removable', False) + '</configuration_profile>' for p in profiles)
        return ('<computer><general>' + _text('id', computer['id']) + _text('name', computer['name'])
                + _text('serial_number', computer['serial']) + '</general><configuration_profiles>'
                + _text('size', len(profiles)) + items + '</configuration_profiles></computer>')

    @staticmethod
    def _xml(body: str, status: int = 200) -> web.Response:
        return web.Response(status=status, text='<?xml version="1.0" encoding="UTF-8"?>' + body, content_type='text/xml')

    async def computer(self, request: web.Request) -> web.Response:
        key, value = request.match_info['key'], request.match_info['value']
        for computer in self.computers.values():
            if (key == 'id' and str(computer['id']) == value) or (key == 'serialnumber' and computer['serial'] == value):
                return self._xml(self._computer_xml(computer))
        return web.Response(status=404, text='The server has not found anything matching the request URI')

    def _profile(self, request: web.Request) -> dict:
        profile = self.profiles.get(int(request.match_info['id']))
        if profile is None:
            raise web.HTTPNotFound(text='The server has not found anything matching the request URI')
        return profile

    def _profile_xml(self, profile: dict) -> str:
        def computers(ids):
            return ''.join('<computer>' + _text('id', c) + _text('name', self.computers[c]['name']) + '</computer>' for c in sorted(ids))

        def groups(ids):
            return ''.join('<computer_group>' + _text('id', g) + _text('name', self.groups[g]['name']) + '</computer_group>' for g in sorted(ids))

        payloads = plistlib.dumps({'PayloadIdentifier': profile['identifier'], 'PayloadUUID': profile['uuid'],
                                   'PayloadDisplayName': profile['name'], 'PayloadType': 'Configuration',
                                   'PayloadRemovalDisallowed': True}).decode()
        return ('<os_x_configuration_profile><general>' + _text('id', profile['id']) + _text('name', profile['name'])
                + _text('uuid', profile['uuid']) + _text('payloads', payloads) + '</general><scope>'
                + _text('all_computers', profile['all_computers'])
                + f"<computers>{computers(profile['computers'])}</computers>"
                + f"<computer_groups>{groups(profile['groups'])}</computer_groups>"
                + f"<exclusions><computers>{computers(profile['excluded_computers'])}</computers>"
                + f"<computer_groups>{groups(profile['excluded_groups'])}</computer_groups></exclusions>"
                + '</scope></os_x_configuration_profile>')

    async def list_profiles(self, request: web.Request) -> web.Response:
        items = ''.join('<os_x_configuration_profile>' + _text('id', p['id']) + _text('name', p['name'])
                        + '</os_x_configuration_profile>' for p in self.profiles.values())
        return self._xml(f'<os_x_configuration_profiles>{_text("size", len(self.profiles))}{items}</os_x_configuration_profiles>')

    async def get_profile(self, request: web.Request) -> web.Response:
        return self._xml(self._profile_xml(self._profile(request)))

    @staticmethod
    def _ids(element: ET.Element | None, child: str) -> set[int] | None:
        if element is None:
            return None
        return {int(e.findtext('id')) for e in element.findall(child) if e.findtext('id')}

    async def put_profile(self, request: web.Request) -> web.Response:
        profile = self._profile(request)
        try:
            root = ET.fromstring(await request.read())
        except ET.ParseError as exc:
            return web.Response(status=400, text=f'Problem with request: {exc}')
        scope = root.find('scope')
        before = self._scoped()
        if scope is not None:
            # Classic API semantics: a list that is present in the body replaces the stored one.
            for attribute, path, child in (('computers', 'computers', 'computer'), ('groups', 'computer_groups', 'computer_group'),
                                           ('excluded_computers', 'exclusions/computers', 'computer'),
                                           ('excluded_groups', 'exclusions/computer_groups', 'computer_group')):
                ids = self._ids(scope.find(path), child)
                if ids is not None:
                    unknown = ids - (set(self.computers) if 'computer' == child else set(self.groups))
                    if unknown:
                        return web.Response(status=409, text=f'Conflict: unknown {child} ids {sorted(unknown)}')
                    profile[attribute] = ids
            if scope.findtext('all_computers') is not None:
                profile['all_computers'] = scope.findtext('all_computers') == 'true'
        self._rescope(before)
        return self._xml(f'<os_x_configuration_profile>{_text("id", profile["id"])}</os_x_configuration_profile>', 201)

    def _group(self, request: web.Request) -> dict:
        group = self.groups.get(int(request.match_info['id']))
        if group is None:
            raise web.HTTPNotFound(text='The server has not found anything matching the request URI')
        return group

    async def get_group(self, request: web.Request) -> web.Response:
        group = self._group(request)
        members = ''.join('<computer>' + _text('id', c) + _text('name', self.computers[c]['name'])
                          + _text('serial_number', self.computers[c]['serial']) + '</computer>' for c in sorted(group['computers']))
        return self._xml('<computer_group>' + _text('id', group['id']) + _text('name', group['name']) + _text('is_smart', False)
                         + f'<computers>{_text("size", len(group["computers"]))}{members}</computers></computer_group>')

    async def put_group(self, request: web.Request) -> web.Response:
        group = self._group(request)
        try:
            root = ET.fromstring(await request.read())
        except ET.ParseError as exc:
            return web.Response(status=400, text=f'Problem with request: {exc}')
        before = self._scoped()
        removed = self._ids(root.find('computer_deletions'), 'computer') or set()
        added = self._ids(root.find('computer_additions'), 'computer') or set()
        group['computers'] = (group['computers'] - removed) | (added & set(self.computers))
        self._rescope(before)
        return self._xml(f'<computer_group>{_text("id", group["id"])}</computer_group>', 201)

    async def control_requests(self, request: web.Request) -> web.Response:
        """For tests: every request the simulator saw, so a test can prove a profile left only through Jamf."""
        return web.json_response([{'method': m, 'path': p} for m, p in self.requests])

    def app(self) -> web.Application:
        application = web.Application(middlewares=[self._auth])
        router = application.router
        router.add_post('/api/v1/auth/token', self.token)
        router.add_get('/JSSResource/computers/{key:id|serialnumber}/{value}', self.computer)
        router.add_get('/JSSResource/osxconfigurationprofiles', self.list_profiles)
        router.add_get('/JSSResource/osxconfigurationprofiles/id/{id:[0-9]+}', self.get_profile)
        router.add_put('/JSSResource/osxconfigurationprofiles/id/{id:[0-9]+}', self.put_profile)
        router.add_get('/JSSResource/computergroups/id/{id:[0-9]+}', self.get_group)
        router.add_put('/JSSResource/computergroups/id/{id:[0-9]+}', self.put_group)
        router.add_get('/control/requests', self.control_requests)
        return application

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, *self.address).start()
        LOG.info('Jamf Pro simulator on http://%s:%s', *self.address)

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
