"""A stateful simulator of the DNSFilter API, for testing the msp.dnsfilter collection.

Run it with ``python -m dnsfilter_sim serve``; see docs/sandbox.md.
"""
