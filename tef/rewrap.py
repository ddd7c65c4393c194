"""Re-wrapping: give a file to more (or fewer) recipients without touching its payload."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence

from tef.header import Header
from tef.keys import RandomSource, Recipient, Stanza

__all__ = ["rewrap"]


def rewrap(
    header: Header,
    file_key: bytes,
    add: Sequence[Recipient] = (),
    remove: Collection[bytes] = (),
    *,
    random: RandomSource = os.urandom,
) -> Header:
    """A new header for the same payload: stanzas for `add`, none for the tags in `remove`.

    The file key must match the header's MAC (HeaderMACError otherwise), so a re-wrap cannot
    attach a foreign payload. A recipient already present is not added twice.
    """
    header.verify(file_key)
    kept = [stanza for stanza in header.stanzas if stanza.tag not in remove]
    present = {stanza.tag for stanza in kept}
    for recipient in add:
        if recipient.tag not in present:
            kept.append(Stanza.wrap(file_key, recipient, random))
            present.add(recipient.tag)
    if not kept:
        raise ValueError("a file needs at least one recipient")
    return Header.build(
        file_key, header.algorithm, tuple(kept), header.metadata_bytes, header.nonce
    )
