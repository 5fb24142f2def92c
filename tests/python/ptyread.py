"""Reading what a child wrote to a pseudo-terminal, for the progress tests."""
import os


def read_until_closed(master):
    """Everything written to the terminal until the child closes it (then EIO); closes `master`."""
    out = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return bytes(out)
