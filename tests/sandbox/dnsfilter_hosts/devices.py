"""The device list both simulators describe, read from the API simulator's control interface.

Contract (plain HTTP, no auth): ``GET /control/devices`` returns the devices (or ``{"devices": [...]}``), each
with id, agent_id, hostname, os (windows|macos), product, version, installed, online,
supports_remote_uninstall and ``host``: the OS section the scenario gave that device.
``PATCH /control/devices/{id}`` with e.g. ``{"installed": false}`` records what happened on the host.

Without a control URL the devices come straight from the scenario file, so the hosts can run alone.
"""
from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
import yaml

LOG = logging.getLogger(__name__)


def is_white_label(product: str | None) -> bool:
    """The white-label (MSP) build is "DNS Agent"; anything else naming DNSFilter is the retail build."""
    text = (product or '').lower().replace('_', ' ').replace('-', ' ')
    return text in ('dns agent', 'white label', 'whitelabel', 'msp') or ('dns agent' in text and 'dnsfilter' not in text)


def _normalise(device: dict) -> dict:
    device = dict(device)
    os_name = str(device.get('os', '')).lower()
    device['os'] = 'macos' if os_name in ('macos', 'mac', 'darwin', 'osx') else os_name
    host = device.get('host')
    if host is None:
        host = device.get(device['os'])
    if isinstance(host, dict) and set(host) == {device['os']}:
        host = host[device['os']]
    device['host'] = host or {}
    device.setdefault('installed', True)
    device.setdefault('online', True)
    return device


def scenario_devices(path: str) -> list[dict]:
    with open(path, encoding='utf-8') as handle:
        scenario = yaml.safe_load(handle) or {}
    devices = []
    for index, device in enumerate(scenario.get('devices') or []):
        device = dict(device)
        device.setdefault('id', device.get('agent_id') or f'device-{index + 1}')
        device.setdefault('agent_id', device['id'])
        devices.append(_normalise(device))
    return devices


class DeviceSource:
    """Reads and updates devices, through the control interface when there is one."""

    def __init__(self, scenario: str | None, control_url: str | None):
        self._scenario = scenario
        self._control_url = control_url.rstrip('/') if control_url else None
        self._session: aiohttp.ClientSession | None = None
        self._local: dict[str, dict] = {}

    async def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def devices(self, wait: float = 0.0) -> list[dict]:
        """All devices; ``wait`` seconds are spent retrying while the API simulator starts."""
        if not self._control_url:
            if not self._local:
                self._local = {str(d['id']): d for d in scenario_devices(self._scenario)}
            return [dict(d) for d in self._local.values()]
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            try:
                session = await self._client()
                async with session.get(f'{self._control_url}/control/devices') as response:
                    response.raise_for_status()
                    body = await response.json()
                break
            except (aiohttp.ClientError, asyncio.TimeoutError):
                if asyncio.get_running_loop().time() >= deadline:
                    raise
                await asyncio.sleep(0.2)
        items = body.get('devices', body.get('data', [])) if isinstance(body, dict) else body
        return [_normalise(d) for d in items]

    async def device(self, device_id: str) -> dict | None:
        for device in await self.devices():
            if str(device['id']) == str(device_id):
                return device
        return None

    async def patch(self, device_id: str, changes: dict) -> None:
        if not self._control_url:
            self._local[str(device_id)].update(changes)
            return
        session = await self._client()
        async with session.patch(f'{self._control_url}/control/devices/{device_id}', json=changes) as response:
            if response.status >= 400:
                LOG.error('PATCH device %s %s failed: %s %s', device_id, json.dumps(changes), response.status, await response.text())
            response.raise_for_status()
