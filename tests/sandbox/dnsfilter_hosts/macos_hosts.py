"""Simulated Macs over real SSH: asyncssh on each device's loopback address, every command run inside
bubblewrap with that Mac's own /Applications, /Library, /var and /Users and the stand-in commands first in PATH.
"""
from __future__ import annotations

import asyncio
import logging
import os
import shutil

import asyncssh

from .macos_state import MacHost

LOG = logging.getLogger(__name__)
STANDINS = ('sw_vers', 'launchctl', 'systemextensionsctl', 'profiles', 'scutil', 'pkgutil', 'ioreg', 'networksetup', 'sim-agent')
_STANDIN_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'standins', 'macsim.py')
SANDBOX_PATH = '/usr/local/sim-bin:/usr/bin:/bin:/usr/sbin:/sbin'


def prepare_keys(state_dir: str) -> tuple[str, str]:
    """(host key path, client key path); the client key is the one the generated inventory uses."""
    directory = os.path.join(os.path.abspath(state_dir), 'ssh')
    os.makedirs(directory, exist_ok=True)
    host_key, client_key = os.path.join(directory, 'host_ed25519'), os.path.join(directory, 'id_ed25519')
    for path in (host_key, client_key):
        if not os.path.exists(path):
            key = asyncssh.generate_private_key('ssh-ed25519')
            key.write_private_key(path)
            key.write_public_key(path + '.pub')
            os.chmod(path, 0o600)
    return host_key, client_key


def prepare_standins(state_dir: str) -> str:
    """A sim-bin folder (bound at /usr/local/sim-bin) with one small sh wrapper per stand-in, all running macsim.py."""
    directory = os.path.join(os.path.abspath(state_dir), 'sim-bin')
    os.makedirs(directory, exist_ok=True)
    shutil.copy(_STANDIN_SOURCE, os.path.join(directory, 'macsim.py'))
    for name in STANDINS:
        wrapper = os.path.join(directory, name)
        with open(wrapper, 'w', encoding='utf-8') as handle:
            handle.write(f'#!/bin/sh\nexec /usr/bin/python3 /usr/local/sim-bin/macsim.py {name} "$@"\n')
        os.chmod(wrapper, 0o755)
    return directory


def bwrap_argv(host: MacHost, sim_bin: str, command: str) -> list[str]:
    argv = ['bwrap', '--die-with-parent', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--hostname', host.state['hostname'][:63],
            '--ro-bind', '/usr', '/usr', '--tmpfs', '/usr/local', '--ro-bind', sim_bin, '/usr/local/sim-bin',
            '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/sbin', '/sbin', '--symlink', 'usr/lib', '/lib',
            '--ro-bind', '/etc', '/etc', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp']
    if os.path.exists('/usr/lib64'):
        argv += ['--symlink', 'usr/lib64', '/lib64']
    for name in ('Applications', 'Library', 'var', 'Users'):
        argv += ['--bind', os.path.join(host.root, name), f'/{name}']
    argv += ['--chdir', '/var/root', '--clearenv', '--setenv', 'PATH', SANDBOX_PATH, '--setenv', 'HOME', '/var/root',
             '--setenv', 'USER', 'root', '--setenv', 'LANG', 'C.UTF-8', '/bin/sh', '-c', command]
    return argv


class _Server(asyncssh.SSHServer):
    def __init__(self, hosts: 'MacHosts', address: tuple[str, int]):
        self._hosts = hosts
        self._address = address

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        entry = self._hosts.by_address[self._address]
        if not self._hosts.link.cached_online(entry['device_id']):
            # A Mac that went offline: drop the connection so Ansible reports it unreachable.
            conn.close()

    def begin_auth(self, username: str) -> bool:
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return username == 'root' and key.public_data == self._hosts.client_key.public_data


class MacHosts:
    """All simulated Macs of a scenario, keyed by the (address, port) each listens on."""

    def __init__(self, link, state_dir: str):
        self.link = link
        self.state_dir = state_dir
        self.by_address: dict[tuple[str, int], dict] = {}
        self._servers: list[asyncssh.SSHAcceptor] = []
        self.client_key = None

    def add(self, device: dict, host: MacHost) -> None:
        section = device['host']
        address = (section['address'], int(section.get('port', 2222)))
        self.by_address[address] = {'device_id': str(device['id']), 'host': host}

    async def _run(self, entry: dict, process: asyncssh.SSHServerProcess) -> None:
        command = process.command
        if not command:
            process.stderr.write(b'interactive shells are not simulated\n')
            process.exit(1)
            return
        # One line per command, so a test can tell which hosts a run contacted.
        LOG.info('%s command', entry['host'].state['hostname'])
        await self.link.before_command(entry['device_id'])
        child = await asyncio.create_subprocess_exec(
            *bwrap_argv(entry['host'], self.sim_bin, command),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)

        async def pump_stdin() -> None:
            # Pumped by hand: asyncssh's redirect() lost data in 8 of 16 measured runs (toolchain-notes).
            try:
                while True:
                    data = await process.stdin.read(65536)
                    if not data:
                        break
                    child.stdin.write(data)
                    await child.stdin.drain()
            except (asyncssh.BreakReceived, asyncssh.SignalReceived, asyncssh.TerminalSizeChanged, ConnectionError):
                pass
            finally:
                if not child.stdin.is_closing():
                    child.stdin.close()

        async def pump_out(source, sink) -> None:
            while True:
                data = await source.read(65536)
                if not data:
                    break
                sink.write(data)

        stdin_task = asyncio.create_task(pump_stdin())
        await asyncio.gather(pump_out(child.stdout, process.stdout), pump_out(child.stderr, process.stderr))
        status = await child.wait()
        stdin_task.cancel()
        await self.link.after_command(entry['device_id'])
        process.exit(status)

    async def start(self) -> None:
        if not self.by_address:
            return
        host_key, client_key = prepare_keys(self.state_dir)
        self.client_key = asyncssh.read_private_key(client_key)
        self.sim_bin = prepare_standins(self.state_dir)
        for address, entry in self.by_address.items():
            if not self.link.cached_online(entry['device_id']):
                # Offline from the start: nothing listens, so the connection is refused as for a powered-off Mac.
                continue

            async def handler(process, entry=entry):
                await self._run(entry, process)
            server = await asyncssh.listen(
                address[0], address[1], server_host_keys=[host_key], encoding=None,
                server_factory=lambda address=address: _Server(self, address), process_factory=handler,
                allow_scp=False, sftp_factory=None)
            self._servers.append(server)

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
            await server.wait_closed()
