"""One simulated Mac: a root directory bound over /Applications, /Library, /var and /Users in its sandbox,
plus a JSON state (launchd, system extensions, profiles, resolvers) that the stand-in commands read and change.
"""
from __future__ import annotations

import json
import os
import plistlib
import shutil
import uuid

from .devices import is_white_label

STATE_IN_SANDBOX = '/var/db/dnsfilter-sim/state.json'
ROOT_DIRS = ('Applications', 'Library', 'var', 'Users')
TEAM_ID = 'Y532KV8739'


def agent_identity(white_label: bool) -> dict:
    """Names of the agent on disk and in launchd (white-label app name and extension id are GAPs: assumed)."""
    if white_label:
        return {
            'app_name': 'DNS Agent', 'label': 'io.netalerts.agent.macos.helper',
            'support_dir': '/Library/Application Support/DNS Agent', 'bundle_id': 'io.netalerts.agent.macos',
            'extension_id': 'io.netalerts.agent.macos.DNSProxy', 'pkg_id': 'io.netalerts.agent.macos',
        }
    return {
        'app_name': 'DNSFilter Agent', 'label': 'com.dnsfilter.agent.macos.helper',
        'support_dir': '/Library/Application Support/DNSFilter Agent', 'bundle_id': 'com.dnsfilter.agent.macos',
        'extension_id': 'com.dnsfilter.agent.macos.DNSProxy', 'pkg_id': 'com.dnsfilter.agent.macos',
    }


UNINSTALL_SCRIPT = '''#!/bin/sh
# Simulated DNSFilter Roaming Client uninstaller. The real script's path and behaviour are a GAP.
# It stops the daemon, asks the container app to deactivate its system extension, restores DNS and
# removes the app; it leaves the logs and Application Support folder behind, as vendor uninstallers often do.
launchctl bootout system/{label} >/dev/null 2>&1
rm -f "/Library/LaunchDaemons/{label}.plist"
sim-agent deactivate-extension {extension_id}
sim-agent restore-dns
pkgutil --forget {pkg_id} >/dev/null 2>&1
rm -rf "/Applications/{app_name}.app"
echo "{app_name} uninstalled"
exit 0
'''


_KNOWN_PROFILES = {
    'DNSFilter - System Extension': ('com.dnsfilter.systemextension', 'com.apple.system-extension-policy'),
    'DNSFilter - Network Proxy': ('com.dnsfilter.networkproxy', 'com.apple.dnsProxy.managed'),
}


def profiles_by_name(identity: dict, names: list[str]) -> list[dict]:
    """MDM profiles a scenario names (``mdm: {vendor, profiles: [names]}``); DNSFilter's PayloadIdentifiers are a GAP."""
    prefix = identity['bundle_id'].rsplit('.agent', 1)[0]
    found = []
    for name in names:
        identifier, payload = _KNOWN_PROFILES.get(name, (None, None))
        if identifier is None:
            slug = ''.join(c if c.isalnum() else '-' for c in name.lower()).strip('-')
            identifier = f'{prefix}.{slug}'
            payload = 'com.apple.system-extension-policy' if 'extension' in name.lower() else 'com.apple.dnsProxy.managed'
        found.append({'identifier': identifier, 'name': name, 'source': 'mdm', 'organization': 'DNSFilter', 'payload_types': [payload]})
    return found


def default_profiles(identity: dict, mdm: str | None) -> list[dict]:
    """The two profiles DNSFilter publishes for MDM deployment (system extension allow + DNS proxy)."""
    source = 'mdm' if mdm else 'manual'
    return [
        {'identifier': 'com.dnsfilter.systemextension', 'name': 'DNSFilter - System Extension', 'source': source,
         'organization': 'DNSFilter', 'payload_types': ['com.apple.system-extension-policy']},
        {'identifier': 'com.dnsfilter.networkproxy', 'name': 'DNSFilter - Network Proxy', 'source': source,
         'organization': 'DNSFilter', 'payload_types': ['com.apple.dnsProxy.managed'],
         'app_bundle_identifier': identity['bundle_id']},
    ]


class MacHost:
    """State of one simulated Mac, kept in ``<state_dir>/macos/<hostname>/``."""

    def __init__(self, base: str):
        self.base = base
        self.root = os.path.join(base, 'root')
        self.state_path = os.path.join(self.root, STATE_IN_SANDBOX.lstrip('/'))
        self.state = self._read()

    def _read(self) -> dict:
        with open(self.state_path, encoding='utf-8') as handle:
            return json.load(handle)

    def reload(self) -> None:
        """Commands inside the sandbox change the state file; read it back before judging the host."""
        self.state = self._read()

    def save(self) -> None:
        temp = self.state_path + '.tmp'
        with open(temp, 'w', encoding='utf-8') as handle:
            json.dump(self.state, handle, indent=1, sort_keys=True)
        os.replace(temp, self.state_path)

    def path(self, sandbox_path: str) -> str:
        return os.path.join(self.root, sandbox_path.lstrip('/'))

    @classmethod
    def load_or_create(cls, state_dir: str, device: dict) -> 'MacHost':
        base = os.path.join(state_dir, 'macos', device['hostname'].replace('/', '_'))
        if not os.path.exists(os.path.join(base, 'root', STATE_IN_SANDBOX.lstrip('/'))):
            build_root(base, device)
        return cls(base)

    # -- agent -------------------------------------------------------------------------------------
    @property
    def identity(self) -> dict:
        return self.state['agent']

    def agent_present(self) -> bool:
        self.reload()
        app = self.path(f"/Applications/{self.identity['app_name']}.app")
        plist = self.path(f"/Library/LaunchDaemons/{self.identity['label']}.plist")
        return os.path.exists(app) or os.path.exists(plist)

    def remote_uninstall(self, clear_registry: bool) -> None:
        """The agent saw uninstall queued at check-in and removed itself; MDM profiles stay (only MDM removes those)."""
        self.reload()
        ident = self.identity
        self.state['launchd'].pop(ident['label'], None)
        self.state['system_extensions'] = [e for e in self.state['system_extensions'] if e['bundle_id'] != ident['extension_id']]
        self.state['dns']['servers'] = list(self.state['dns']['dhcp_servers'])
        self.state['pkgs'].pop(ident['pkg_id'], None)
        for path in (f"/Applications/{ident['app_name']}.app", f"/Library/LaunchDaemons/{ident['label']}.plist"):
            target = self.path(path)
            if os.path.isdir(target):
                shutil.rmtree(target)
            elif os.path.exists(target):
                os.remove(target)
        if clear_registry:
            shutil.rmtree(self.path(ident['support_dir']), ignore_errors=True)
        self.save()

    # -- MDM ---------------------------------------------------------------------------------------
    def mdm_remove_profile(self, identifier: str) -> bool:
        """An MDM RemoveProfile command processed at check-in."""
        self.reload()
        before = len(self.state['profiles'])
        self.state['profiles'] = [p for p in self.state['profiles'] if p['identifier'] != identifier]
        self.save()
        return len(self.state['profiles']) != before


def _write(path: str, text: str | bytes, mode: int = 0o644) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as handle:
        handle.write(text.encode() if isinstance(text, str) else text)
    os.chmod(path, mode)


def build_root(base: str, device: dict) -> None:
    """Lay out a Mac's root and state from the device the API simulator describes."""
    section = device.get('host') or {}
    identity = agent_identity(is_white_label(device.get('product')))
    mdm = section.get('mdm')
    vendor = mdm.get('vendor') if isinstance(mdm, dict) else mdm
    version = str(device.get('version') or '2.1.0')
    root = os.path.join(base, 'root')
    for name in ROOT_DIRS:
        os.makedirs(os.path.join(root, name), exist_ok=True)
    os.makedirs(os.path.join(root, 'var', 'root'), exist_ok=True)
    os.makedirs(os.path.join(root, 'var', 'db', 'dnsfilter-sim'), exist_ok=True)
    os.makedirs(os.path.join(root, 'Library', 'LaunchDaemons'), exist_ok=True)
    # Loopback (127.0.0.1) is how RC 1.x filtered; 2.x uses the system extension and leaves resolvers alone.
    loopback = bool(section.get('loopback_dns', str(version).startswith('1.')))
    dhcp = list(section.get('dhcp_dns_servers', ['10.0.2.3']))
    state = {
        'hostname': device['hostname'],
        'device_id': str(device['id']),
        'serial': section.get('serial', 'C02' + uuid.uuid5(uuid.NAMESPACE_URL, str(device['id'])).hex[:9].upper()),
        'os': {'ProductName': 'macOS', 'ProductVersion': section.get('os_version', '14.6.1'), 'BuildVersion': section.get('build', '23G93')},
        'agent': dict(identity, version=version),
        'mdm': vendor,
        'mdm_scope': section.get('mdm_scope', 'computer'),
        'agent_was_installed': bool(device.get('installed', True)),
        'launchd': {},
        'system_extensions': [],
        'profiles': [],
        'dns': {'servers': ['127.0.0.1'] if loopback and device.get('installed', True) else dhcp, 'dhcp_servers': dhcp},
        'pkgs': {},
    }
    profiles = section.get('profiles')
    if profiles is None and isinstance(mdm, dict) and mdm.get('profiles'):
        profiles = profiles_by_name(identity, mdm['profiles'])
    if profiles is None:
        profiles = default_profiles(identity, vendor)
    for profile in profiles:
        entry = {
            'identifier': profile['identifier'],
            'name': profile.get('name', profile['identifier']),
            'uuid': profile.get('uuid', str(uuid.uuid5(uuid.NAMESPACE_URL, f"{device['id']}/{profile['identifier']}")).upper()),
            'source': profile.get('source', 'manual'),
            'organization': profile.get('organization', ''),
            'payload_types': list(profile.get('payload_types', [])),
            'app_bundle_identifier': profile.get('app_bundle_identifier'),
        }
        # As on a real Mac: PayloadRemovalDisallowed is honoured for MDM-installed profiles.
        entry['removal_disallowed'] = bool(profile.get('removal_disallowed', entry['source'] == 'mdm'))
        state['profiles'].append(entry)
    if device.get('installed', True):
        app = os.path.join(root, 'Applications', f"{identity['app_name']}.app", 'Contents')
        _write(os.path.join(app, 'Info.plist'), plistlib.dumps({
            'CFBundleIdentifier': identity['bundle_id'], 'CFBundleName': identity['app_name'],
            'CFBundleShortVersionString': version, 'CFBundleVersion': version,
        }))
        _write(os.path.join(app, 'MacOS', identity['app_name']), '#!/bin/sh\nexit 0\n', 0o755)
        _write(os.path.join(app, 'Resources', 'uninstall.sh'), UNINSTALL_SCRIPT.format(**identity), 0o755)
        plist_path = f"/Library/LaunchDaemons/{identity['label']}.plist"
        _write(os.path.join(root, plist_path.lstrip('/')), plistlib.dumps({
            'Label': identity['label'], 'RunAtLoad': True, 'KeepAlive': True,
            'ProgramArguments': [f"/Applications/{identity['app_name']}.app/Contents/MacOS/{identity['app_name']}", '--daemon'],
        }))
        support = os.path.join(root, identity['support_dir'].lstrip('/'))
        _write(os.path.join(support, 'daemon.info'), f'Version={version}\nAgentId={device.get("agent_id", device["id"])}\n')
        _write(os.path.join(root, 'var', 'log', identity['label'], 'daemon.log'), 'daemon started\n')
        state['launchd'][identity['label']] = {'plist': plist_path, 'pid': 300 + len(device['hostname'])}
        if not loopback:
            state['system_extensions'].append({
                'team_id': section.get('team_id', TEAM_ID), 'bundle_id': identity['extension_id'],
                'version': version, 'name': 'DNSProxy', 'state': 'activated enabled',
                'category': 'com.apple.system_extension.network_extension',
            })
        state['pkgs'][identity['pkg_id']] = {'version': version, 'volume': '/', 'location': 'Applications'}
    _write(os.path.join(root, STATE_IN_SANDBOX.lstrip('/')), json.dumps(state, indent=1, sort_keys=True))
