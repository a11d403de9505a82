"""Preloaded by the forkserver only (see synthesis.process_context): its children leave silently on Ctrl-C.

Importing this module sets the importing process's SIGINT handler, so nothing else imports it. The forkserver
itself ignores SIGINT whatever this sets (multiprocessing does that after the preloads); the handler reaches the
processes forked from it, which restore the handlers the forkserver had before it ignored the signal.
"""

import os
import signal


def _leave_quietly(signum: int, frame: object) -> None:
    # A terminal's Ctrl-C reaches the whole process group: the build reports it in one line; a child holds nothing
    # that must be saved (the cache keeps only whole entries), so it ends at once, without a traceback.
    os._exit(128 + signum)


signal.signal(signal.SIGINT, _leave_quietly)
# The build starts the forkserver with SIGINT blocked (synthesis.process_context), so that a Ctrl-C during its
# start-up waits until here; children inherit the mask, and theirs must hear the signal.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
