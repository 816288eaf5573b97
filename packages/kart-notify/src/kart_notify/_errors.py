"""One family of errors: each also derives from the standard exception it stands for (gokart's
`ChannelNotFoundError` was a RuntimeError, and still is)."""

from __future__ import annotations


class KartNotifyError(Exception):
    """Base of every error kart-notify raises on purpose. Sending never raises (a failed notification
    must not fail a run); only setting a notifier up can."""


class ChannelNotFoundError(KartNotifyError, RuntimeError):
    """The channel name is not among the conversations the token can see."""
