"""Every mistake a user can make is a NarratorError whose message says what happened and what to do."""

from __future__ import annotations

# The one line a Ctrl-C prints, whenever it comes (narrator.__main__ prints it too if the program is still loading).
INTERRUPTED = "interrupted: finished chapters and rendered segments are kept; run the same command to resume."


class NarratorError(Exception):
    """A problem the user can fix; the CLI prints the message as one line and exits non-zero."""

    exit_code = 1


class InputError(NarratorError):
    """The story file is missing, unreadable, not text, or empty."""

    exit_code = 2


class CastError(NarratorError):
    """The cast file is malformed or names something that does not exist."""

    exit_code = 3


class EngineError(NarratorError):
    """An engine is unknown, not installed, or failed to render."""

    exit_code = 4


class ToolMissingError(NarratorError):
    """A program narrator needs (ffmpeg, eSpeak NG) is not installed."""

    exit_code = 5


class OutputError(NarratorError):
    """The output cannot be written (permissions, disk full)."""

    exit_code = 6
