"""The hosts process: builds every device's OS state and keeps it in step with the API simulator.

One device state: uninstalling the agent on a host PATCHes ``installed: false`` to the control interface
(so the agent stops checking in); a remote uninstall done by the API simulator (``installed`` flipped to
false) removes the agent from the host before the host answers its next command.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time

import yaml

from .devices import DeviceSource
from .jamf import JamfSim
from .macos_hosts import MacHosts
from .macos_state import MacHost
from .windows_state import WindowsHost
from .winrm_hosts import WindowsHosts

LOG = logging.getLogger(__name__)
# Re-reading the device list is cheap (loopback HTTP); this only stops a burst of commands re-reading it each time.
REFRESH_SECONDS = 0.2


class DeviceLink:
    """Joins each simulated host to its device record in the API simulator."""

    def __init__(self, source: DeviceSource):
        self.source = source
        self.hosts: dict[str, object] = {}
        self._devices: dict[str, dict] = {}
        self._read_at = 0.0
        self._lock = asyncio.Lock()
        # The MDM simulator, when the scenario has one: its pending commands reach a Mac when the Mac checks in.
        self.mdm = None

    async def refresh(self, force: bool = False) -> None:
        async with self._lock:
            if force or time.monotonic() - self._read_at > REFRESH_SECONDS:
                self._devices = {str(d['id']): d for d in await self.source.devices()}
                self._read_at = time.monotonic()

    def device(self, device_id: str) -> dict:
        return self._devices[device_id]

    def cached_online(self, device_id: str) -> bool:
        device = self._devices.get(device_id)
        return bool(device and device.get('online', True))

    async def online(self, device_id: str) -> bool:
        await self.refresh()
        device = self._devices.get(device_id)
        return bool(device and device.get('online', True))

    async def before_command(self, device_id: str) -> None:
        await self.refresh(force=True)
        device = self._devices.get(device_id)
        host = self.hosts[device_id]
        if device is not None and not device.get('installed', True) and host.agent_present():
            # The agent pulled its config at check-in, saw uninstall queued and removed itself.
            LOG.info('remote uninstall of %s on %s', device_id, host.state['hostname'])
            record = device.get('record') or {}
            host.remote_uninstall(bool(device.get('clear_registry', record.get('clear_registry', False))))
            host.state['agent_was_installed'] = False
            host.save()
        if self.mdm is not None:
            self.mdm.check_in(device_id, host)

    async def after_command(self, device_id: str) -> None:
        host = self.hosts[device_id]
        if host.state.get('agent_was_installed') and not host.agent_present():
            host.state['agent_was_installed'] = False
            host.save()
            LOG.info('agent %s uninstalled on %s', device_id, host.state['hostname'])
            await self.source.patch(device_id, {'installed': False})
            self._devices.get(device_id, {})['installed'] = False


def mdm_config(scenario: str | None) -> dict:
    """The scenario's optional top-level ``mdm:`` section (e.g. ``mdm: {jamf: {address, port, username, password}}``)."""
    if not scenario:
        return {}
    with open(scenario, encoding='utf-8') as handle:
        return (yaml.safe_load(handle) or {}).get('mdm') or {}


async def serve(scenario: str | None, control_url: str | None, state_dir: str, ready_file: str | None = None,
                stop: asyncio.Event | None = None) -> None:
    """Run every simulated host of the scenario until ``stop`` is set (or forever)."""

    os.makedirs(state_dir, exist_ok=True)
    source = DeviceSource(scenario, control_url)
    link = DeviceLink(source)
    devices = await source.devices(wait=30)
    windows, macs = WindowsHosts(link), MacHosts(link, state_dir)
    for device in devices:
        if device['os'] == 'windows' and device['host'].get('address'):
            host = WindowsHost.load_or_create(state_dir, device)
            link.hosts[str(device['id'])] = host
            windows.add(device, host)
        elif device['os'] == 'macos' and device['host'].get('address'):
            host = MacHost.load_or_create(state_dir, device)
            link.hosts[str(device['id'])] = host
            macs.add(device, host)
    await link.refresh(force=True)
    jamf_macs = [(device_id, host) for device_id, host in link.hosts.items() if isinstance(host, MacHost) and host.state.get('mdm') == 'jamf']
    jamf = None
    if jamf_macs:
        jamf = JamfSim(mdm_config(scenario).get('jamf') or {})
        for device_id, host in jamf_macs:
            jamf.add_mac(device_id, host)
        link.mdm = jamf
        await jamf.start()
    await windows.start()
    await macs.start()
    LOG.info('serving %d Windows and %d macOS hosts', len(windows.by_address), len(macs.by_address))
    if ready_file:
        with open(ready_file, 'w', encoding='utf-8') as handle:
            handle.write(str(os.getpid()))
    try:
        await (stop.wait() if stop else asyncio.Event().wait())
    finally:
        await windows.stop()
        await macs.stop()
        if jamf:
            await jamf.stop()
        await source.close()
