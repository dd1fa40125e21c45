"""The ``drift-healer`` command line: the demo, the hands-on sandbox and single runs.

It drives the local sandbox (:mod:`sandbox`: emulated AWS and the local durable execution
service); the sandbox never imports it.
"""
