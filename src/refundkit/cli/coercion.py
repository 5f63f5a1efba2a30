"""Options left out, and text, cost nothing: Typer's Pydantic coercion is built when needed.

Typer (0.25 on) coerces every parameter through a Pydantic TypeAdapter, and builds that
adapter the first time the parameter is processed, even when it was not given and its value
is None, which the coercion then returns untouched (RuntimeParam.coerce begins so), and for
a text option, whose str it hands back as it is. Building it imports Pydantic and its plugin
loader: 40-45 ms of every run (`python -X importtime`), a third of `status` on 100 orders.
Here each parameter of a command about to parse its command line gets a stand-in that
answers None and text as Typer would and builds Typer's own coercion for any other value (a
number, a path, a choice). A Typer without this machinery is left as it is.
"""

from typing import Any


class Deferred:
    """In place of Typer's RuntimeParam until it is needed: None (or no values) and the text
    of a str option pass through, as Typer's coercion lets them; any other value goes to
    Typer's coercion, built then and kept on the parameter."""

    def __init__(self, build: Any) -> None:
        self.build = build

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        multiple = param.multiple or param.nargs == -1
        if value is None:
            return () if multiple else None
        if type(value) is str and not multiple and plain_text(param.type_descriptor):
            return value  # what Typer's str adapter (_parse_cli_str, then str) returns
        param._runtime_param = self.build(param.type_descriptor)
        return param._runtime_param.coerce(value, param=param, ctx=ctx)


def plain_text(descriptor: Any) -> bool:
    """A `str` parameter without a parser of its own: Typer's coercion hands a str back as
    it is (`_parse_cli_str` is `str(value)`, and Pydantic's str keeps lone surrogates)."""
    return descriptor.annotation is str and descriptor.parameter_info.parser is None


def lazy_coercion(params: list[Any]) -> None:
    """Give each of a command's parameters (its --help too) whose coercion is not built yet
    the stand-in."""
    try:
        from typer._coercion import build_runtime_param
    except ImportError:  # another Typer: nothing to spare
        return
    stand_in = Deferred(build_runtime_param)
    for param in params:
        if hasattr(param, "type_descriptor") and getattr(param, "_runtime_param", 0) is None:
            param._runtime_param = stand_in
