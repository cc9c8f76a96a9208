"""Kennisagenda: the Prefect-free domain (ingest → store → dedupe → evidence → rank → versions → report).

Importing the package turns off what would reach the network or write under the user's home
at run time: onnxruntime's wheels ship Microsoft's 1DS telemetry, on by default, which writes a
device id and an event queue to ~/.cache/Microsoft/DeveloperTools/ and resolves its collector's
host name to upload them (measured with strace: DNS look-ups within 40 s of creating a session).
`ORT_DISABLE_TELEMETRY=1` must be set before onnxruntime initialises; it is forced, not a default:
the project never sends anything anywhere.
"""

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"
