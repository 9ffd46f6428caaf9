"""uvicorn with a sampling profiler, for `python -m bench.profile`: the same command line as
`python -m uvicorn`. SIGUSR1 starts sampling, SIGUSR2 stops and writes the samples to the next
numbered file in BENCH_PROFILE_DIR (1.txt, 2.txt, ...), one line per distinct stack:
`frame;frame;...;frame<TAB>count`, outermost first.

Samples are taken on the process's CPU clock (ITIMER_PROF, every millisecond of CPU): the signal
handler runs in the main thread, where the event loop runs, and records the Python stack it
interrupted (through the greenlets SQLAlchemy runs the ORM in, up to the coroutine that awaits
it). Waiting costs no CPU, so it is never sampled; time in a C function (a driver's,
the event loop's own) is charged to the Python frame that called it, or, for the event loop's
C code between callbacks, to the frame that runs the loop.

Not cProfile: its call hooks lose track of coroutines suspended and resumed across tasks (it
counted one middleware's frame as recursive and charged it half of the run), and it adds a cost
to every call. Not a thread reading `sys._current_frames()`: it only gets the GIL when the loop
releases it, so it sees mostly the frames that make system calls.
"""

import itertools
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from types import CodeType, FrameType

import greenlet  # type: ignore[import-untyped]  # ships no type information
import uvicorn.main

INTERVAL = 0.001
_numbers = itertools.count(1)
_names: dict[CodeType, str] = {}
_counts: Counter[str] = Counter()


def _name(code: CodeType) -> str:
    name = _names.get(code)
    if name is None:
        name = _names[code] = f"{code.co_filename}:{code.co_firstlineno}:{code.co_qualname}"
    return name


def _sample(signum: int, frame: FrameType | None) -> None:
    del signum
    names = []
    running = greenlet.getcurrent()
    while frame is not None:
        names.append(_name(frame.f_code))
        frame = frame.f_back
        if frame is None and running.parent is not None:
            # SQLAlchemy's async layer runs the ORM in a greenlet, whose stack ends at its own
            # first frame: go on with the coroutine that switched into it (greenlet_spawn).
            running = running.parent
            frame = running.gr_frame
    _counts[";".join(reversed(names))] += 1


def _start(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    _counts.clear()
    signal.signal(signal.SIGPROF, _sample)
    signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)


def _stop(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    signal.setitimer(signal.ITIMER_PROF, 0)
    target = Path(os.environ["BENCH_PROFILE_DIR"]) / f"{next(_numbers)}.txt"
    lines = (f"{stack}\t{count}\n" for stack, count in _counts.items())
    Path(f"{target}.part").write_text("".join(lines))
    Path(f"{target}.part").rename(target)  # the bench waits for the whole file


if __name__ == "__main__":
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
    sys.argv[0] = "uvicorn"
    uvicorn.main.main()
