"""`python -m narrator` and the `narrator` command."""

import signal
import sys


def main() -> None:
    """Load the CLI and run it; a Ctrl-C while it is still loading is the same one line as during a build."""
    # Loading the CLI imports the whole package (0.5 s, more on a busy machine). A Ctrl-C then printed a
    # KeyboardInterrupt traceback through the import machinery, or was swallowed by one of its callbacks
    # ("Exception ignored in ... _get_module_lock") and the build went on as if nothing had been pressed. So the
    # Ctrl-C is also noted: heard, it ends the program once the import has unwound, whatever the import did with
    # the exception. (An ignored SIGINT, as in a background job, stays ignored.)
    heard: list[int] = []

    def note(signum: int, frame: object) -> None:
        heard.append(signum)
        raise KeyboardInterrupt

    previous = signal.getsignal(signal.SIGINT)
    if callable(previous):
        signal.signal(signal.SIGINT, note)
    try:
        from narrator.cli import main as run
    except KeyboardInterrupt:
        heard.append(signal.SIGINT)
    finally:
        if callable(previous):
            signal.signal(signal.SIGINT, previous)
    if heard:
        from narrator.errors import INTERRUPTED

        print(INTERRUPTED, file=sys.stderr)
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
