"""Runs a command on a pseudo-terminal, for the end-to-end tests of interactive commands.

    python3 pty_driver.py [--cols N] [--rows N] [--stdout-pipe] -- COMMAND ARGS...

The command gets a new pseudo-terminal as its controlling terminal, on stdin, stdout and stderr
(with --stdout-pipe its stdout is a pipe instead, copied to this process's fd 3). What this
process reads on stdin is typed into the terminal; what the terminal shows is copied to this
process's stdout. Exits with the command's exit code (128 + N when killed by signal N).
"""
import fcntl
import os
import pty
import select
import struct
import sys
import termios

args = sys.argv[1:]
cols, rows, stdout_pipe = 120, 40, False
while args and args[0] != '--':
    flag = args.pop(0)
    if flag == '--cols':
        cols = int(args.pop(0))
    elif flag == '--rows':
        rows = int(args.pop(0))
    elif flag == '--stdout-pipe':
        stdout_pipe = True
    else:
        sys.exit(f'pty_driver.py: unknown flag {flag}')
command = args[1:]
if not command:
    sys.exit('pty_driver.py: no command after --')

master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
out_r, out_w = os.pipe() if stdout_pipe else (None, None)

pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    os.dup2(slave, 0)
    os.dup2(out_w if stdout_pipe else slave, 1)
    os.dup2(slave, 2)
    os.closerange(3, 1024)
    os.execvp(command[0], command)

os.close(slave)
if out_w is not None:
    os.close(out_w)

readers = {master: 1, 0: None}
if out_r is not None:
    readers[out_r] = 3
while master in readers or out_r in readers:
    ready, _, _ = select.select(list(readers), [], [])
    for fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the terminal's last user closed it
            data = b''
        if fd == 0:
            if data:
                os.write(master, data)
            else:
                del readers[0]  # nothing more to type; keep showing the terminal
            continue
        if not data:
            del readers[fd]
            continue
        os.write(readers[fd], data)

_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
