"""JSON text as I-JSON (RFC 7493) requires it: UTF-8 whose strings are Unicode text.

:func:`loads` is ``json.loads`` plus one rule the standard library leaves
out: an escape such as ``"\\ud800"`` yields a lone surrogate, which is no
Unicode character and cannot be encoded again (RFC 7493 section 2.1 forbids
it). Every JSON document srcverify reads (bundle, trusted root, DSSE payload,
Rekor entry body, pin record) goes through here, so no string with a lone
surrogate reaches code that encodes it (a checkpoint note's signed text, a
key name, a message on a strict UTF-8 stream).

It raises ``ValueError`` like ``json.loads``; callers turn that into their
own error. It validates no schema.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["loads"]

# Where a lone surrogate can come from: a \uD800..\uDFFF escape, or (json.loads
# decodes bytes with "surrogatepass") UTF-8 bytes ED A0..BF; in a str, the character.
# A text with none of them holds no surrogate, and its strings need no walk.
_MAYBE_SURROGATE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_MAYBE_SURROGATE_TEXT = re.compile("\\\\u[dD][89a-fA-F]|[\ud800-\udfff]")


def loads(data: bytes | str) -> Any:
    """Parse JSON text; refuse any string or key holding a lone surrogate.

    Raises:
        ValueError: not JSON (``json.JSONDecodeError``), not UTF-8
            (``UnicodeDecodeError``), or a lone surrogate.
        RecursionError: nested too deeply (as ``json.loads``).
    """
    document = json.loads(data)
    pattern = _MAYBE_SURROGATE_BYTES if isinstance(data, bytes) else _MAYBE_SURROGATE_TEXT
    if pattern.search(data) is None:  # type: ignore[arg-type]
        return document
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_text(key)
                pending.append(item)
        elif isinstance(value, list):
            pending.extend(value)
    return document


def _check_text(text: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(text[exc.start])
        raise ValueError(f"a string holds U+{code:04X}, a lone surrogate (RFC 7493 2.1)") from None


def camel_case_fields(document: Any) -> Any:
    """``document`` with protobuf field names in lowerCamelCase, as the JSON mapping allows.

    The proto3 JSON mapping makes parsers accept both the lowerCamelCase JSON
    name (``mediaType``) and the original field name (``media_type``). Bundles
    and trusted roots are protobuf messages with no free-form maps, so every
    key with an underscore is a field name. An object that spells one field
    both ways is refused: which one counts would be a guess.

    Raises:
        ValueError: a field is given in both spellings.
    """
    if isinstance(document, list):
        return [camel_case_fields(item) for item in document]
    if not isinstance(document, dict):
        return document
    result: dict[str, Any] = {}
    for key, value in document.items():
        name = _lower_camel(key) if "_" in key else key
        if name in result:
            raise ValueError(f"field {name!r} is given twice (as {key!r} too)")
        result[name] = camel_case_fields(value)
    return result


def _lower_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
