"""A gate on opening one directory, for tests that must catch the daemon in the middle of
something without a hook in it: a fanotify permission mark (FAN_OPEN_PERM on the directory's
inode, which follows it through renames) holds whoever opens it until the test lets them go.
The daemon's open is then an event the test waits for, instead of a race of wall clocks:

    with OpenGate(path, pid) as gate:
        ...start what will open path...
        gate.wait_for_open(timeout)   # the daemon is now held at that open
        ...check what must not wait for it...
    # leaving the block (or an exception) lets it go on

Opens by other processes (anyone on the machine) are let through at once."""
import ctypes
import os
import select
import struct
import time

FAN_CLOEXEC = 0x1
FAN_CLASS_CONTENT = 0x4
FAN_MARK_ADD = 0x1
FAN_OPEN_PERM = 0x10000
FAN_ONDIR = 0x40000000
FAN_ALLOW = 0x1
AT_FDCWD = -100
EVENT = struct.Struct("=IBBHQii")  # struct fanotify_event_metadata
RESPONSE = struct.Struct("=iI")  # struct fanotify_response

_libc = ctypes.CDLL(None, use_errno=True)
_libc.fanotify_init.argtypes = [ctypes.c_uint, ctypes.c_uint]
_libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int,
                                ctypes.c_char_p]


class OpenGate:
    def __init__(self, path, pid):
        self.path, self.pid = str(path), pid
        self.fd = -1
        self.held = []  # the event fds of the daemon's opens, answered when the gate opens

    def __enter__(self):
        self.fd = _libc.fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, os.O_RDONLY)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "fanotify_init")
        if _libc.fanotify_mark(self.fd, FAN_MARK_ADD, FAN_OPEN_PERM | FAN_ONDIR, AT_FDCWD,
                               self.path.encode()) < 0:
            e = ctypes.get_errno()
            os.close(self.fd)
            raise OSError(e, "fanotify_mark " + self.path)
        return self

    def _answer(self, event_fd):
        os.write(self.fd, RESPONSE.pack(event_fd, FAN_ALLOW))
        os.close(event_fd)

    def wait_for_open(self, timeout):
        """Waits until the daemon (pid, or a thread of it) opens the directory; True when it
        did and is now held there, False after timeout seconds."""
        deadline = time.monotonic() + timeout
        while not self.held:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return False
            data, off = os.read(self.fd, 4096), 0
            while off + EVENT.size <= len(data):
                event_len, _, _, _, _, event_fd, pid = EVENT.unpack_from(data, off)
                off += event_len
                if pid == self.pid:
                    self.held.append(event_fd)
                else:
                    self._answer(event_fd)
        return True

    def __exit__(self, *exc):
        for event_fd in self.held:
            self._answer(event_fd)
        os.close(self.fd)  # answers whatever came meanwhile: allowed
        return False
