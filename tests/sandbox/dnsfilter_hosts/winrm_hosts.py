"""Simulated Windows hosts: the WS-Man endpoint bound on each device's loopback address, answering module runs."""
from __future__ import annotations

import base64
import binascii
import json
import logging
import re

from aiohttp import BasicAuth, web

from . import win_modules
from .windows_state import WindowsHost
from .wsman import WSManEndpoint

LOG = logging.getLogger(__name__)
DEFAULT_USER = 'Administrator'
DEFAULT_PASSWORD = 'Sim-Passw0rd!'
_SCRIPT_RE = re.compile(r'^ansible_collections\.(\w+)\.(\w+)\.plugins\.modules\.(\w+)\.ps1$')


def parse_exec_payload(stdin: bytes) -> tuple[str, dict]:
    """Return (module FQCN, module args) from the exec wrapper's stdin: ``<header json>\\n\\0\\0\\0\\0\\n<manifest json>``."""
    header, _sep, manifest = stdin.partition(b'\n\0\0\0\0\n')
    if not manifest:
        raise ValueError('stdin is not an Ansible exec wrapper payload')
    json.loads(header)
    manifest = json.loads(manifest)
    action = manifest['actions'][-1]
    if action['name'] != 'module_wrapper.ps1':
        raise ValueError(f"unexpected last action {action['name']}")
    names = [a['name'] for a in manifest['actions'][:-1]]
    if names:
        # become (runas) and async add their wrappers before the module; the roles use neither.
        raise ValueError(f'wrappers {names} are not emulated')
    match = _SCRIPT_RE.match(action['params']['Script'])
    if not match:
        raise ValueError(f"unexpected module script {action['params']['Script']}")
    fqcn = '.'.join(match.groups())
    variables = {v['Name']: v['Value'] for v in action['params'].get('Variables', [])}
    return fqcn, variables.get('complex_args') or {}


def decode_command(command_line: str) -> str:
    """The PowerShell text of ``PowerShell ... -EncodedCommand <base64 UTF-16LE>``, or the line itself."""
    parts = command_line.split()
    if '-EncodedCommand' in parts:
        encoded = parts[parts.index('-EncodedCommand') + 1]
        try:
            return base64.b64decode(encoded).decode('utf-16-le')
        except (binascii.Error, UnicodeDecodeError):
            return command_line
    return command_line


_SUCCESS_TOKEN_RE = re.compile(r"'(success-[0-9a-f-]{36})'")
# Windows FILETIME of an arbitrary first boot; each simulated reboot moves it on by an hour.
_FIRST_BOOT_FILETIME = 134_080_000_000_000_000
_HOUR_FILETIME = 36_000_000_000


def raw_command(host: WindowsHost, text: str) -> tuple[int, bytes, bytes]:
    """The raw PowerShell ansible.windows.win_reboot sends: boot time, shutdown /r, shutdown /a and its test command."""
    if 'LastBootUpTime' in text:
        return 0, str(_FIRST_BOOT_FILETIME + host.state.get('boot_count', 0) * _HOUR_FILETIME).encode(), b''
    if 'shutdown.exe /r' in text:
        host.reboot()
        host.save()
        return 0, json.dumps({'stdout': '', 'stderr': '', 'rc': 0}).encode(), b''
    if 'shutdown.exe /a' in text:
        return 1116, b'', b'Unable to abort the system shutdown because no shutdown was in progress.(1116)'
    token = _SUCCESS_TOKEN_RE.search(text)
    if token and 'AutoLogonChecked' in text:
        return 0, token.group(1).encode(), b''
    LOG.info('%s raw command not emulated: %.200s', host.state['hostname'], text)
    return 1, b'', f'the simulated Windows host does not run this raw command: {text[:200]}'.encode()


class WindowsHosts:
    """All simulated Windows hosts of a scenario, keyed by the (address, port) each listens on."""

    def __init__(self, link):
        self._link = link
        self.by_address: dict[tuple[str, int], dict] = {}
        self._runners: list[web.AppRunner] = []

    def add(self, device: dict, host: WindowsHost) -> tuple[str, int]:
        section = device['host']
        address = (section.get('address', '127.0.0.1'), int(section.get('port', 5985)))
        self.by_address[address] = {
            'device_id': str(device['id']),
            'host': host,
            'user': section.get('username', DEFAULT_USER),
            'password': section.get('password', DEFAULT_PASSWORD),
        }
        return address

    async def _resolve(self, address: str, port: int):
        entry = self.by_address.get((address, port))
        if entry is None or not await self._link.online(entry['device_id']):
            return None
        return entry

    @staticmethod
    def _check_auth(entry: dict, header: str | None) -> bool:
        if not header:
            return False
        try:
            auth = BasicAuth.decode(header)
        except ValueError:
            return False
        return auth.login == entry['user'] and auth.password == entry['password']

    async def _run(self, entry: dict, command_line: str, stdin: bytes | None) -> tuple[int, bytes, bytes]:
        host: WindowsHost = entry['host']
        # One line per command, so a test can tell which hosts a run contacted.
        LOG.info('%s command', host.state['hostname'])
        await self._link.before_command(entry['device_id'])
        if stdin is None:
            return raw_command(host, decode_command(command_line))
        try:
            fqcn, args = parse_exec_payload(stdin)
        except (ValueError, KeyError, IndexError) as exc:
            return 1, json.dumps({'failed': True, 'msg': f'simulated host cannot run this payload: {exc}'}).encode(), b''
        try:
            result = win_modules.run_module(host, fqcn, args)
            rc = 0
        except win_modules.ModuleFailed as failure:
            result, rc = failure.result, 1
        LOG.info('%s %s changed=%s failed=%s', host.state['hostname'], fqcn, result.get('changed'), result.get('failed', False))
        await self._link.after_command(entry['device_id'])
        return rc, json.dumps(result).encode(), b''

    async def start(self) -> None:
        endpoint = WSManEndpoint(self._resolve, self._check_auth, self._run)
        runner = web.AppRunner(endpoint.app(), access_log=None)
        await runner.setup()
        self._runners.append(runner)
        for address, port in self.by_address:
            await web.TCPSite(runner, address, port).start()

    async def stop(self) -> None:
        for runner in self._runners:
            await runner.cleanup()
