"""Simulators of the three PSA APIs that msp.dnsfilter.psa_ticket calls (docs/psa.md).

One aiohttp server on loopback (plain HTTP) serves ConnectWise PSA under ``/connectwise``, Autotask under
``/autotask`` and HaloPSA under ``/halopsa``, each with only the endpoints the module uses plus listing a
ticket's notes and files, and a control interface under ``/control`` to inspect what was posted, count
requests and inject faults.
"""
