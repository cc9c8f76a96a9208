"""Kennisagenda: the Prefect-free domain (ingest → store → dedupe → evidence → rank → versions → report).

Importing the package turns off what would reach the network or write under the user's home
at run time: onnxruntime's wheels ship Microsoft's 1DS telemetry, on by default, which writes a
device id and an event queue to ~/.cache/Microsoft/DeveloperTools/ and resolves its collector's
host name to upload them (measured with strace: DNS look-ups within 40 s of creating a session).
`ORT_DISABLE_TELEMETRY=1` must be set before onnxruntime initialises; it is forced, not a default:
the project never sends anything anywhere.
"""

import logging
import os
import re

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

# What reaches an operator's console or a log: no control characters (an escape sequence in a
# file name or a curator's id cleared the screen) and no bidirectional overrides; \n and \t stay.
CONSOLE_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def console_safe(text: str) -> str:
    """`text` without the control characters a terminal would act on."""
    return CONSOLE_UNSAFE.sub("", text)


_LINE_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r", "\u2028": "\\u2028", "\u2029": "\\u2029",
                              "\x85": "\\x85"})


def console_line(text: str) -> str:
    """`text` for one line of a listing: `console_safe`, and a line break shown as ``\\n``, so a file
    named "a.txt\\n  meetings/echt.md: in orde" cannot forge a line of its own."""
    return console_safe(str(text).translate(_LINE_BREAKS))


class _SafeRecords(logging.Filter):
    """Every record of the "agenda" logger is formatted once and stripped of control characters."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if CONSOLE_UNSAFE.search(message):
            record.msg, record.args = console_safe(message), None
        return True


logging.getLogger("agenda").addFilter(_SafeRecords())
