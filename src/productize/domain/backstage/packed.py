"""Compact bytes for plain data and validated documents, so that a large import holds bytes.

A Backstage catalog is mapped as one set (entities refer to each other across files), so
every entity's `metadata`/`spec` is held until it is mapped, and every mapped document until
it is written. As Python objects that is ~5 KiB per entity tree and ~9 KiB per product
document; as `marshal` bytes it is a fifth of that. `pack`/`unpack` turn a validated pydantic
document into such bytes and back *without validating again* (validation is what makes a
document expensive to build: ~120 µs per product, against ~15 µs to unpack): the document
comes back with the same class, values, enums and fields-set as the one packed.

The bytes refer to classes through a table of this process: they are for holding data while
one process works on it, never for storing or sending.
"""

from __future__ import annotations

import marshal
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

_MODEL, _ENUM, _TUPLE = 0, 1, 2
_classes: list[type] = []
_class_codes: dict[type, int] = {}
_names: list[tuple[str, ...]] = []  # field names (a model's keys) and fields-sets, interned
_name_codes: dict[tuple[str, ...], int] = {}
_setattr = object.__setattr__
M = TypeVar("M", bound=BaseModel)


def pack_tree(value: Any) -> bytes:
    """Plain data (dicts, lists, texts, numbers, None) as bytes; `unpack_tree` reverses it."""
    return marshal.dumps(value)


def unpack_tree(data: bytes) -> Any:
    """The plain data `pack_tree` was given (a new copy on each call)."""
    return marshal.loads(data)  # noqa: S302 - bytes this process made (`pack_tree`)


def pack(model: BaseModel) -> bytes:
    """A validated document (nested models, enums, lists, dicts) as compact bytes."""
    return marshal.dumps(_encode(model))


def unpack(data: bytes) -> Any:
    """The document `pack` was given: same class, values and fields-set, not re-validated."""
    return _decode(marshal.loads(data))  # noqa: S302 - bytes made by `pack`


def _code(cls: type) -> int:
    code = _class_codes.get(cls)
    if code is None:
        code = _class_codes[cls] = len(_classes)
        _classes.append(cls)
    return code


def _names_code(names: tuple[str, ...]) -> int:
    code = _name_codes.get(names)
    if code is None:
        code = _name_codes[names] = len(_names)
        _names.append(names)
    return code


def _encode(value: Any) -> Any:
    if isinstance(value, str):  # enums of ours are `StrEnum`s: tell them apart first
        if isinstance(value, Enum):
            return (_ENUM, _code(type(value)), value.value)
        return value
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, BaseModel):
        if value.__pydantic_extra__ or value.__pydantic_private__:
            raise TypeError(f"{type(value).__name__}: extra or private values are not packed")
        fields = value.__dict__
        return (
            _MODEL,
            _code(type(value)),
            _names_code(tuple(fields)),
            _names_code(tuple(sorted(value.__pydantic_fields_set__))),
            tuple(_encode(v) for v in fields.values()),
        )
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return (_ENUM, _code(type(value)), value.value)
    if isinstance(value, tuple):
        return (_TUPLE, tuple(_encode(v) for v in value))
    raise TypeError(f"cannot pack a {type(value).__name__}")


def _decode(value: Any) -> Any:
    # Texts are most of a document: they are taken as they are, without a call each.
    kind = type(value)
    if kind is tuple:
        tag = value[0]
        if tag == _MODEL:
            _, code, keys, fields_set, values = value
            cls = _classes[code]
            model = cls.__new__(cls)
            fields = [v if type(v) in _PLAIN else _decode(v) for v in values]
            _setattr(model, "__dict__", dict(zip(_names[keys], fields, strict=True)))
            _setattr(model, "__pydantic_fields_set__", set(_names[fields_set]))
            _setattr(model, "__pydantic_extra__", None)
            _setattr(model, "__pydantic_private__", None)
            return model
        if tag == _ENUM:
            return _classes[value[1]](value[2])
        return tuple(map(_decode, value[1]))
    if kind is list:
        return [v if type(v) in _PLAIN else _decode(v) for v in value]
    if kind is dict:
        return {k: v if type(v) in _PLAIN else _decode(v) for k, v in value.items()}
    return value


_PLAIN = frozenset((str, int, float, bool, type(None)))
