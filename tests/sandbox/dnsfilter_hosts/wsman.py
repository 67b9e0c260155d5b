"""A WS-Management (WinRM) endpoint that speaks the subset pywinrm uses: Create, Command, Send, Receive, Signal, Delete.

It never runs a program: a finished command's stdin (the Ansible exec wrapper payload) is handed to a
``runner`` callable that returns (exit code, stdout, stderr) for the host the request reached.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import uuid
import xml.etree.ElementTree as ET
from typing import Awaitable, Callable
from xml.sax.saxutils import escape

from aiohttp import web

NS = {
    's': 'http://www.w3.org/2003/05/soap-envelope',
    'a': 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
    'w': 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
    'rsp': 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
}
ACTION = 'http://schemas.xmlsoap.org/ws/2004/09/transfer/'
SHELL = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/'
SHELL_CMD_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd'

# (host, command line, stdin or None) -> (exit code, stdout, stderr)
Runner = Callable[[object, str, 'bytes | None'], Awaitable['tuple[int, bytes, bytes]']]


@dataclasses.dataclass
class Command:
    command_line: str
    console_mode_stdin: bool
    stdin: bytearray = dataclasses.field(default_factory=bytearray)
    stdin_closed: bool = False
    result: tuple[int, bytes, bytes] | None = None


@dataclasses.dataclass
class Shell:
    host: object
    commands: dict[str, Command] = dataclasses.field(default_factory=dict)


class WSManFault(Exception):
    # 2150858793 is the WSMan code pywinrm reads as "operation timed out, ask again".
    def __init__(self, code: str, reason: str, status: int = 500, wsman_code: int = 2150858843):
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.status = status
        self.wsman_code = wsman_code


def _envelope(action: str, relates_to: str, body: str = '', header_extra: str = '') -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<s:Envelope xmlns:s="{NS["s"]}" xmlns:a="{NS["a"]}" xmlns:w="{NS["w"]}" xmlns:rsp="{NS["rsp"]}">'
        '<s:Header>'
        f'<a:Action>{action}</a:Action>'
        f'<a:MessageID>uuid:{uuid.uuid4()}</a:MessageID>'
        '<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>'
        f'<a:RelatesTo>{relates_to}</a:RelatesTo>{header_extra}'
        f'</s:Header><s:Body>{body}</s:Body></s:Envelope>'
    )


def _fault(relates_to: str, fault: WSManFault) -> str:
    body = (
        '<s:Fault><s:Code><s:Value>s:Receiver</s:Value>'
        f'<s:Subcode><s:Value>w:{fault.code}</s:Value></s:Subcode></s:Code>'
        f'<s:Reason><s:Text xml:lang="en-US">{escape(fault.reason)}</s:Text></s:Reason>'
        f'<s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="{fault.wsman_code}" Machine="sim">'
        f'<f:Message>{escape(fault.reason)}</f:Message></f:WSManFault></s:Detail></s:Fault>'
    )
    return _envelope('http://schemas.dmtf.org/wbem/wsman/1/wsman/fault', relates_to, body)


class WSManEndpoint:
    """Routes one aiohttp app's ``/wsman`` requests to the simulated host the client dialled."""

    def __init__(self, resolve_host: Callable[[str, int], Awaitable[object]], check_auth: Callable[[object, str | None], bool], runner: Runner):
        self._resolve_host = resolve_host
        self._check_auth = check_auth
        self._runner = runner
        self._shells: dict[str, Shell] = {}

    def app(self) -> web.Application:
        application = web.Application(client_max_size=64 * 1024 * 1024)
        application.router.add_post('/wsman', self.handle)
        return application

    async def handle(self, request: web.Request) -> web.Response:
        address, port = request.transport.get_extra_info('sockname')[:2]
        host = await self._resolve_host(address, port)
        if host is None:
            return web.Response(status=503, text='host is offline')
        if not self._check_auth(host, request.headers.get('Authorization')):
            return web.Response(status=401, headers={'WWW-Authenticate': 'Basic realm="WSMAN"'})
        root = ET.fromstring(await request.read())
        action = root.findtext('s:Header/a:Action', '', NS)
        message_id = root.findtext('s:Header/a:MessageID', '', NS)
        try:
            body = await self._dispatch(host, action, root)
        except WSManFault as fault:
            return web.Response(status=fault.status, text=_fault(message_id, fault), content_type='application/soap+xml', charset='utf-8')
        response_action = action + 'Response'
        return web.Response(text=_envelope(response_action, message_id, body), content_type='application/soap+xml', charset='utf-8')

    def _shell(self, host: object, root: ET.Element) -> Shell:
        shell_id = root.findtext("s:Header/w:SelectorSet/w:Selector[@Name='ShellId']", '', NS)
        # A shell belongs to the host that created it; another address cannot use its id.
        if shell_id not in self._shells or self._shells[shell_id].host is not host:
            raise WSManFault('InvalidSelectors', f'The shell {shell_id} was not found.', 400)
        return self._shells[shell_id]

    def _command(self, shell: Shell, command_id: str) -> Command:
        if command_id not in shell.commands:
            raise WSManFault('InvalidSelectors', f'The command {command_id} was not found.', 400)
        return shell.commands[command_id]

    async def _dispatch(self, host: object, action: str, root: ET.Element) -> str:
        if action == ACTION + 'Create':
            shell_id = str(uuid.uuid4()).upper()
            self._shells[shell_id] = Shell(host)
            return (
                f'<x:ResourceCreated xmlns:x="{NS["a"]}"><a:Address>http://localhost/wsman</a:Address>'
                f'<a:ReferenceParameters><w:ResourceURI>{SHELL_CMD_URI}</w:ResourceURI><w:SelectorSet>'
                f'<w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>'
                f'<rsp:Shell><rsp:ShellId>{shell_id}</rsp:ShellId></rsp:Shell>'
            )
        if action == ACTION + 'Delete':
            self._shell(host, root)
            del self._shells[root.findtext("s:Header/w:SelectorSet/w:Selector[@Name='ShellId']", '', NS)]
            return ''
        shell = self._shell(host, root)
        if action == SHELL + 'Command':
            options = {o.get('Name'): o.text for o in root.findall('s:Header/w:OptionSet/w:Option', NS)}
            line = root.find('s:Body/rsp:CommandLine', NS)
            command_line = ' '.join(filter(None, [line.findtext('rsp:Command', '', NS), line.findtext('rsp:Arguments', '', NS)]))
            command_id = str(uuid.uuid4()).upper()
            shell.commands[command_id] = Command(command_line, options.get('WINRS_CONSOLEMODE_STDIN', 'TRUE') == 'TRUE')
            return f'<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>'
        if action == SHELL + 'Send':
            stream = root.find('s:Body/rsp:Send/rsp:Stream', NS)
            command = self._command(shell, stream.get('CommandId'))
            try:
                command.stdin += base64.b64decode(stream.text or '')
            except binascii.Error as exc:
                raise WSManFault('InvalidParameter', f'stdin is not base64: {exc}', 400) from exc
            command.stdin_closed = stream.get('End', 'false').lower() == 'true'
            return '<rsp:SendResponse/>'
        if action == SHELL + 'Receive':
            command_id = root.find('s:Body/rsp:Receive/rsp:DesiredStream', NS).get('CommandId')
            command = self._command(shell, command_id)
            if command.result is None and (command.stdin_closed or command.console_mode_stdin):
                stdin = bytes(command.stdin) if command.stdin_closed else None
                command.result = await self._runner(shell.host, command.command_line, stdin)
            if command.result is None:
                # Still waiting for stdin: say so the way WinRM does, and pywinrm asks again.
                raise WSManFault('TimedOut', 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.',
                                 wsman_code=2150858793)
            rc, out, err = command.result
            streams = ''.join(
                f'<rsp:Stream Name="{name}" CommandId="{command_id}">{base64.b64encode(data).decode()}</rsp:Stream>'
                for name, data in (('stdout', out), ('stderr', err)) if data
            )
            streams += f'<rsp:Stream Name="stdout" CommandId="{command_id}" End="true"></rsp:Stream>'
            return (
                f'<rsp:ReceiveResponse>{streams}<rsp:CommandState CommandId="{command_id}" State="{SHELL}CommandState/Done">'
                f'<rsp:ExitCode>{rc}</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>'
            )
        if action == SHELL + 'Signal':
            command_id = root.find('s:Body/rsp:Signal', NS).get('CommandId')
            shell.commands.pop(command_id, None)
            return '<rsp:SignalResponse/>'
        raise WSManFault('ActionNotSupported', f'The action {action} is not supported.', 400)
