"""Options left out cost nothing: Typer's Pydantic coercion is built only for a value given.

Typer (0.25 on) coerces every parameter through a Pydantic TypeAdapter, and builds that
adapter the first time the parameter is processed, even when it was not given and its value
is None, which the coercion then returns untouched (RuntimeParam.coerce begins so). Building
it imports Pydantic and its plugin loader: 40-45 ms of every run (`python -X importtime`),
a third of `status` on 100 orders. Here each parameter of a command about to parse its
command line gets a stand-in that answers None as Typer would and builds Typer's own
coercion on the first value given. A Typer without this machinery is left as it is.
"""

from typing import Any


class NoneFirst:
    """In place of Typer's RuntimeParam until a value is given: None (or no values) passes
    through, exactly as RuntimeParam.coerce lets it; anything else goes to Typer's coercion,
    built then and kept on the parameter."""

    def __init__(self, build: Any) -> None:
        self.build = build

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:
            return () if param.multiple or param.nargs == -1 else None
        param._runtime_param = self.build(param.type_descriptor)
        return param._runtime_param.coerce(value, param=param, ctx=ctx)


def lazy_coercion(params: list[Any]) -> None:
    """Give each of a command's parameters (its --help too) whose coercion is not built yet
    the stand-in."""
    try:
        from typer._coercion import build_runtime_param
    except ImportError:  # another Typer: nothing to spare
        return
    stand_in = NoneFirst(build_runtime_param)
    for param in params:
        if hasattr(param, "type_descriptor") and getattr(param, "_runtime_param", 0) is None:
            param._runtime_param = stand_in
