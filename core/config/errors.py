"""Turning pydantic's validation errors into the friendly ``path: message`` lines people read."""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from warroom.core.config.schema import Issue, Loc, did_you_mean

_MESSAGES = {
    "missing": "missing",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "set_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "path_type": "must be a file path",
    "url_parsing": "must be a URL",
    "invalid_key": "unknown option",
}


def section_errors(model: type[BaseModel], section: Mapping[str, Any], path: Loc) -> tuple[BaseModel | None, list[str]]:
    """Validate one section (a plugin's, say) the way the rest of the config is: friendly, with paths."""
    options = {key: value for key, value in section.items() if key != "enabled"}
    try:
        return model.model_validate(options), []
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            sub, msg = describe(error, model, extra_keys=("enabled",))
            messages.append(format_issue((*path, *sub), msg))
        return None, messages


def describe(error: ErrorDetails, root: type[BaseModel], extra_keys: Sequence[str] = ()) -> Issue:
    """``(location, friendly message)`` for one pydantic error."""
    loc: Loc = tuple(error["loc"])
    kind, ctx = error["type"], error.get("ctx") or {}
    is_key = bool(loc) and loc[-1] == "[key]"
    if is_key:
        loc = loc[:-1]
    if kind == "extra_forbidden":
        known = [*_known_keys(root, loc[:-1]), *extra_keys]
        msg = f"unknown option{did_you_mean(loc[-1], known)}" if loc else "unknown option"
    elif kind in _MESSAGES:
        msg = _MESSAGES[kind]
    elif kind in ("value_error", "assertion_error") and "error" in ctx:
        msg = str(ctx["error"])
    elif kind in ("too_short", "string_too_short"):
        least = ctx.get("min_length", 1)
        msg = "must not be empty" if least == 1 else f"must have at least {least} items"
    elif kind in ("too_long", "string_too_long"):
        msg = f"must have at most {ctx.get('max_length')} items"
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "?")
        words = {"greater_than_equal": "at least", "greater_than": "more than", "less_than_equal": "at most"}
        msg = f"must be {words.get(kind, 'less than')} {bound}"
    elif kind == "literal_error":
        msg = f"must be {ctx.get('expected', '')}".replace("'", "")
    else:
        text = error["msg"]
        msg = text[:1].lower() + text[1:]
    return loc, f"name {msg}" if is_key else msg


def _known_keys(root: Any, loc: Loc) -> list[str]:
    """The option names accepted at ``loc`` below ``root`` (for typo suggestions)."""
    node: Any = root
    for part in loc:
        node = _unwrap(node)
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(str(part))
            if field is None:
                return []
            node = field.annotation
        elif get_origin(node) is dict:
            node = get_args(node)[1]
        elif get_origin(node) in (list, tuple, Sequence):
            node = get_args(node)[0]
        else:
            return []
    node = _unwrap(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return [field.alias or name for name, field in node.model_fields.items()]
    return []


def _unwrap(node: Any) -> Any:
    while True:
        origin = get_origin(node)
        if origin is Annotated:
            node = get_args(node)[0]
        elif origin in (Union, types.UnionType):
            arms = [arm for arm in get_args(node) if arm is not type(None)]
            models = [arm for arm in arms if isinstance(arm, type) and issubclass(arm, BaseModel)]
            node = (models or arms or [None])[0]
        else:
            return node


def format_issue(loc: Loc, msg: str) -> str:
    path = ".".join(str(part) for part in loc)
    return f"{path}: {msg}" if path else msg
