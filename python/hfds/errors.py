"""Exceptions of hfds: one class per C status code (HFDS_E*), all subclasses of HfdsError.

Each carries the C library's message with its place (``file:line:col``, a byte offset, a JSON
path or a column name) as ``str(e)`` and ``e.message``, and the negative code as ``e.code``.
Where a built-in exception fits, the class derives from it as well (``NotFound`` is a
``LookupError``, ``InvalidArgument``/``ParseError``/``CorruptInput`` are ``ValueError``s,
``IOFailure`` an ``OSError``, ...).
"""
from ._hfds import (AlreadyExists, AuthError, Cancelled, Conflict, CorruptInput, HfdsError, InvalidArgument,
                    IOFailure, LimitExceeded, NetworkError, NotFound, OutOfMemory, ParseError, StateError,
                    Unsupported)

__all__ = ["HfdsError", "OutOfMemory", "InvalidArgument", "IOFailure", "CorruptInput", "ParseError", "NotFound",
           "AlreadyExists", "LimitExceeded", "Unsupported", "Conflict", "StateError", "AuthError", "NetworkError",
           "Cancelled"]
