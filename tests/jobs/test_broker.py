"""The hardened Redis transport: a channel whose connection was torn down by a reconnection raises a
connection error (which Celery logs and survives), not the AttributeError that made workers exit."""

from __future__ import annotations

import pytest
from kombu import Connection, Queue

pytestmark = pytest.mark.redis

QUEUE = Queue("tracker-broker-test", routing_key="tracker-broker-test")


@pytest.mark.parametrize("lost", ["client", "transport"])
def test_acking_on_a_channel_left_behind_by_a_reconnection_is_a_connection_error(redis_url, lost):
    with Connection(redis_url, transport="presidency.broker:Transport") as connection:
        connection.Producer().publish({"n": 1}, routing_key=QUEUE.routing_key, declare=[QUEUE])
        channel = connection.channel()
        message = QUEUE(channel).get(no_ack=False)
        # The states seen in workers' crash logs after a Redis restart (kombu 5.7): pools dropped, and the
        # transport's client, or the transport itself, gone.
        channel._disconnect_pools()
        transport, client = channel.connection, channel.connection.client
        if lost == "client":
            transport.client = None
        else:
            channel.connection = None
        try:
            with pytest.raises(connection.connection_errors):
                message.ack()
        finally:
            transport.client, channel.connection = client, transport
        message.ack()  # with the connection back, the message is acknowledged and nothing is left over
        channel.close()
