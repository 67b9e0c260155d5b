"""Stand-ins for macOS commands inside a simulated Mac's sandbox: ``macsim.py <command> [args]``.

Each command in the sandbox's /usr/local/sim-bin is a two-line sh wrapper naming the stand-in it runs.

launchctl, profiles, systemextensionsctl, scutil, sw_vers, pkgutil, networksetup and ioreg read and change the Mac's state file
(bound at /var/db/dnsfilter-sim/state.json); sim-agent stands for what the agent's own app does (deactivating
its system extension, restoring DNS), which has no command on a real Mac.
"""
import json
import os
import plistlib
import sys

STATE = os.environ.get('SIM_STATE', '/var/db/dnsfilter-sim/state.json')


def load():
    with open(STATE, encoding='utf-8') as handle:
        return json.load(handle)


def save(state):
    temp = STATE + '.tmp'
    with open(temp, 'w', encoding='utf-8') as handle:
        json.dump(state, handle, indent=1, sort_keys=True)
    os.replace(temp, STATE)


def fail(message, code=1):
    sys.stderr.write(message + '\n')
    return code


def sw_vers(args, state):
    info = state['os']
    flags = {'-productName': 'ProductName', '-productVersion': 'ProductVersion', '-buildVersion': 'BuildVersion'}
    if args and args[0] in flags:
        print(info[flags[args[0]]])
        return 0
    for key in ('ProductName', 'ProductVersion', 'BuildVersion'):
        print(f'{key}:\t\t{info[key]}')
    return 0


def _label_from_plist(path):
    try:
        with open(path, 'rb') as handle:
            return plistlib.load(handle)['Label']
    except (OSError, KeyError, plistlib.InvalidFileException):
        return None


def launchctl(args, state):
    if not args:
        return fail('Usage: launchctl <subcommand> ... | help [subcommand]', 64)
    verb, rest = args[0], args[1:]
    jobs = state['launchd']
    if verb == 'print' and rest and rest[0].startswith('system/'):
        label = rest[0].split('/', 1)[1]
        if label not in jobs:
            return fail(f'Bad request.\nCould not find service "{label}" in domain for system', 113)
        print(f"system/{label} = {{\n\tactive count = 1\n\tpath = {jobs[label]['plist']}\n\tstate = running\n\tpid = {jobs[label]['pid']}\n}}")
        return 0
    if verb == 'list':
        if rest:
            if rest[0] not in jobs:
                return fail(f'Could not find service "{rest[0]}" in domain for port', 113)
            print(f'{{\n\t"Label" = "{rest[0]}";\n\t"PID" = {jobs[rest[0]]["pid"]};\n}};')
            return 0
        print('PID\tStatus\tLabel')
        for label, job in sorted(jobs.items()):
            print(f"{job['pid']}\t0\t{label}")
        return 0
    if verb in ('bootout', 'unload', 'remove'):
        targets = [a for a in rest if not a.startswith('-')]
        label = None
        if verb == 'remove' and targets:
            label = targets[0]
        elif targets and targets[0].startswith('system/'):
            label = targets[0].split('/', 1)[1]
        elif targets:
            label = _label_from_plist(targets[-1])
        if not label or label not in jobs:
            return fail('Boot-out failed: 3: No such process', 3) if verb == 'bootout' else 0
        del jobs[label]
        save(state)
        return 0
    if verb in ('bootstrap', 'load'):
        path = [a for a in rest if not a.startswith('-') and a != 'system'][-1]
        label = _label_from_plist(path)
        if not label:
            return fail(f'Bootstrap failed: 5: Input/output error ({path})', 5)
        jobs[label] = {'plist': path, 'pid': 400 + len(jobs)}
        save(state)
        return 0
    return fail(f'Unrecognized subcommand: {verb}', 64)


def systemextensionsctl(args, state):
    if args[:1] == ['list']:
        extensions = state['system_extensions']
        print(f'{len(extensions)} extension(s)')
        for category in sorted({e['category'] for e in extensions}):
            print(f'--- {category}')
            print('enabled\tactive\tteamID\tbundleID (version)\tname\t[state]')
            for ext in (e for e in extensions if e['category'] == category):
                print(f"*\t*\t{ext['team_id']}\t{ext['bundle_id']} ({ext['version']}/{ext['version']})\t{ext['name']}\t[{ext['state']}]")
        return 0
    if args[:1] in (['uninstall'], ['reset']):
        # As the real tool says: uninstalling needs SIP disabled; the supported path is the app's own deactivation.
        return fail('At this time, this tool cannot be used if System Integrity Protection is enabled.\n'
                    'This tool was unable to uninstall the system extension.', 1)
    return fail('usage: systemextensionsctl [developer|list|reset|uninstall]', 64)


def _profile_lines(state):
    profiles = state['profiles']
    if not profiles:
        yield 'There are no configuration profiles installed'
        return
    yield f'There are {len(profiles)} configuration profiles installed'
    for index, profile in enumerate(profiles, 1):
        prefix = f'_computerlevel[{index}]'
        yield f"{prefix} attribute: name: {profile['name']}"
        yield f"{prefix} attribute: organization: {profile['organization']}"
        yield f"{prefix} attribute: profileIdentifier: {profile['identifier']}"
        yield f"{prefix} attribute: profileUUID: {profile['uuid']}"
        yield f'{prefix} attribute: profileType: Configuration'
        yield f"{prefix} attribute: removalDisallowed: {'TRUE' if profile['removal_disallowed'] else 'FALSE'}"
        yield f"{prefix} payload count = {len(profile['payload_types'])}"
        for number, payload in enumerate(profile['payload_types'], 1):
            yield f'{prefix}      payload[{number}] type    = {payload}'


def profiles(args, state):
    if not args:
        return fail('usage: profiles <command> [options]', 1)
    verb, rest = args[0], args[1:]
    if verb in ('list', 'show'):
        if verb == 'list':
            for index, profile in enumerate(state['profiles'], 1):
                print(f"_computerlevel[{index}] attribute: profileIdentifier: {profile['identifier']}")
            print(f"There are {len(state['profiles'])} configuration profiles installed" if state['profiles']
                  else 'There are no configuration profiles installed')
            return 0
        for line in _profile_lines(state):
            print(line)
        return 0
    if verb == 'remove':
        if '-identifier' not in rest or rest.index('-identifier') + 1 >= len(rest):
            return fail('profiles: remove needs -identifier <identifier> (or -all)', 1)
        identifier = rest[rest.index('-identifier') + 1]
        match = [p for p in state['profiles'] if p['identifier'] == identifier]
        if not match:
            return fail(f'profiles: the profile {identifier} is not installed', 1)
        if match[0]['removal_disallowed']:
            # macOS 10.10+: PayloadRemovalDisallowed on an MDM-installed profile stops even root; only the MDM server can remove it.
            return fail(f'profiles: error removing profile {identifier}: this profile was installed by MDM and cannot be removed locally', 1)
        state['profiles'] = [p for p in state['profiles'] if p['identifier'] != identifier]
        save(state)
        return 0
    return fail(f'profiles: unknown command {verb}', 1)


def scutil(args, state):
    if args[:1] == ['--dns']:
        print('DNS configuration\n')
        print('resolver #1')
        for index, server in enumerate(state['dns']['servers']):
            print(f'  nameserver[{index}] : {server}')
        print('  if_index : 6 (en0)\n  flags    : Request A records\n  reach    : 0x00000002 (Reachable)')
        return 0
    if args[:2] == ['--get', 'ComputerName']:
        print(state['hostname'])
        return 0
    return fail('usage: scutil --dns | --get ComputerName', 64)


def pkgutil(args, state):
    pkgs = state['pkgs']
    if args[:1] == ['--pkgs'] or (args and args[0].startswith('--pkgs=')):
        for pkg in sorted(pkgs):
            print(pkg)
        return 0
    if len(args) == 2 and args[0] == '--pkg-info':
        if args[1] not in pkgs:
            return fail(f'No receipt for \'{args[1]}\' found at \'/\'.', 1)
        info = pkgs[args[1]]
        print(f"package-id: {args[1]}\nversion: {info['version']}\nvolume: {info['volume']}\nlocation: {info['location']}")
        return 0
    if len(args) == 2 and args[0] == '--forget':
        if args[1] not in pkgs:
            return fail(f'No receipt for \'{args[1]}\' found at \'/\'.', 1)
        del pkgs[args[1]]
        save(state)
        print(f'Forgot package \'{args[1]}\' on \'/\'.')
        return 0
    return fail('usage: pkgutil --pkgs | --pkg-info <id> | --forget <id>', 1)


def networksetup(args, state):
    service = state['dns'].get('service', 'Wi-Fi')
    if args[:1] == ['-listallnetworkservices']:
        print('An asterisk (*) denotes that a network service is disabled.')
        print(service)
        return 0
    if args[:1] == ['-getdnsservers'] and len(args) == 2:
        if args[1] != service:
            return fail(f'{args[1]} is not a recognized network service.', 4)
        manual = state['dns']['servers'] != state['dns']['dhcp_servers']
        print('\n'.join(state['dns']['servers']) if manual else f"There aren't any DNS Servers set on {service}.")
        return 0
    if args[:1] == ['-setdnsservers'] and len(args) >= 3:
        if args[1] != service:
            return fail(f'{args[1]} is not a recognized network service.', 4)
        state['dns']['servers'] = list(state['dns']['dhcp_servers']) if args[2:] == ['empty'] else args[2:]
        save(state)
        return 0
    return fail('usage: networksetup -listallnetworkservices | -getdnsservers <service> | -setdnsservers <service> empty|<ip>...', 4)


def ioreg(args, state):
    if '-c' in args and 'IOPlatformExpertDevice' in args:
        print('+-o J314sAP  <class IOPlatformExpertDevice, id 0x100000220, registered, matched, active, busy 0 (0 ms), retain 40>')
        print('  {')
        print(f'    "IOPlatformSerialNumber" = "{state["serial"]}"')
        print('    "model" = <"MacBookPro18,3">')
        print('  }')
        return 0
    return fail('usage: ioreg -rd1 -c IOPlatformExpertDevice', 64)


def sim_agent(args, state):
    if args[:1] == ['deactivate-extension'] and len(args) == 2:
        state['system_extensions'] = [e for e in state['system_extensions'] if e['bundle_id'] != args[1]]
    elif args[:1] == ['restore-dns']:
        state['dns']['servers'] = list(state['dns']['dhcp_servers'])
    else:
        return fail('usage: sim-agent deactivate-extension <bundle id> | restore-dns', 64)
    save(state)
    return 0


COMMANDS = {
    'sw_vers': sw_vers, 'launchctl': launchctl, 'systemextensionsctl': systemextensionsctl,
    'profiles': profiles, 'scutil': scutil, 'pkgutil': pkgutil, 'ioreg': ioreg, 'networksetup': networksetup,
    'sim-agent': sim_agent,
}

if __name__ == '__main__':
    name = sys.argv[1] if len(sys.argv) > 1 else ''
    if name not in COMMANDS:
        sys.exit(fail(f'{name}: not a simulated command', 127))
    sys.exit(COMMANDS[name](sys.argv[2:], load()))
