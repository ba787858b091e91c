"""Reading a zone's queue messages: known kinds typed, a newer zone's kinds kept whole."""

from __future__ import annotations

import pytest

from sif_core.zone_wire import QueueMessage


def test_a_message_of_a_kind_this_client_does_not_know_is_kept_whole() -> None:
    document = {
        "messageId": "41",
        "kind": "transfer",
        "deliveryCount": 1,
        "leaseExpires": "2025-01-31T09:00:00.000Z",
        "transfer": {"transferId": "T1", "learner": "H801200001001"},
    }

    message = QueueMessage.from_reply(document)

    assert (message.message_id, message.kind, message.event) == ("41", "transfer", None)
    assert message.document == document


def test_an_event_message_without_its_event_is_refused() -> None:
    document = {"messageId": "1", "kind": "event", "deliveryCount": 1, "leaseExpires": "x"}

    with pytest.raises(ValueError, match="an event message holds an event object"):
        QueueMessage.from_reply(document)
