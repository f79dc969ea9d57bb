"""Exceptions for conditions under which a command cannot continue at all.

Problems in the data are never exceptions: they are `Problem` values (see problems.py).
Every message here is shown to the user as it is, so it is written in Chinese.
"""

from __future__ import annotations


class TaizhangError(Exception):
    """Base class: a condition that stops the command; the message is for the user."""


class DefinitionError(TaizhangError):
    """A ledger definition file is malformed."""


class ConfigError(TaizhangError):
    """taizhang.toml is malformed or holds an invalid setting."""


class WorkspaceNotFound(TaizhangError):
    """No workspace was found from the current folder upwards (or at -w)."""


class WorkspaceExists(TaizhangError):
    """init was asked to create a workspace where one already exists."""


class WorkspaceLocked(TaizhangError):
    """Another taizhang command holds the workspace lock."""


class WorkspaceReadOnly(TaizhangError):
    """A command that writes was run on a workspace that cannot be written (a backup copy, a
    read-only share)."""


class StoreError(TaizhangError):
    """The store cannot be opened or written."""


class InputError(TaizhangError):
    """An argument given on the command line cannot be used."""
