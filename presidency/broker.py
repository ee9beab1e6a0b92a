"""The Redis broker transport, hardened against one race in kombu 5.7.

When the connection to Redis drops while tasks are unacknowledged (acks_late), the worker closes the
broken channel and reconnects; but the old channel is still used afterwards, to put unacknowledged
messages back and to acknowledge tasks that finish after the reconnection. Its connection is gone by
then, kombu raises AttributeError ('NoneType' object has no attribute 'hostname' / 'client'), which
Celery does not expect, and the worker exits ("Unrecoverable error").

Here the closed channel raises redis's ConnectionError instead, which Celery handles as the connection
error it is: it logs it and carries on. Messages that could not be put back or acknowledged stay in
Redis's unacked set and are delivered again after the visibility timeout; every task is safe to run twice.

Used through CELERY_BROKER_TRANSPORT when the broker is Redis.
"""

from __future__ import annotations

from kombu.transport import redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict:
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("This channel's connection to Redis was closed.")
        return super()._connparams(asynchronous)


class Transport(redis.Transport):
    Channel = Channel
