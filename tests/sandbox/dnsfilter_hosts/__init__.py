"""Simulated Windows (WinRM) and macOS (SSH) hosts for the msp.dnsfilter collection's tests.

Each simulated host answers Ansible's real connection plugins from a per-host device state that is
kept in step with the DNSFilter API simulator's agents through its control interface.
"""
