"""Undo: `remove` moves a case, or one evidence entry, to the data folder's trash; `restore`
puts it back; `status --all` lists what the trash holds (trash.py does the moving)."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from refundkit import cli
from refundkit.cli import command, get_store
from refundkit.sanitize import visible

if TYPE_CHECKING:
    from refundkit.store import Store

EvidenceOpt = Annotated[
    str | None,
    typer.Option(
        "--evidence",
        help="Only this evidence entry (e2, as `status ORDER` shows it), not the whole case.",
        show_default=False,
    ),
]


@command("remove")
def remove(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order id, a unique prefix, or part of its name.")],
    evidence: EvidenceOpt = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Remove without asking (for scripts).")
    ] = False,
) -> None:
    """Move a case, or one evidence entry with its file, to the trash; `restore` puts it back.

    The trash is the folder trash/ inside the data folder. In a terminal you are asked to
    confirm; scripts add --yes. Example: refundkit remove k3f --evidence e2
    """
    from refundkit import trash
    from refundkit.i18n import _

    store = get_store(ctx)
    order_id = store.resolve(order)
    what = _what(store, order_id, evidence)
    if not yes:
        from refundkit.errors import BadInput

        if not cli.interactive():
            raise BadInput(
                _(
                    "nothing was removed: to move {what} to the trash without being asked (no "
                    "terminal to ask in), add --yes"
                ).format(what=what)
            )
        from refundkit.cli import ask

        with ask.session():
            if not ask.confirm(_("Move {what} to the trash?").format(what=what)):
                typer.echo(_("Nothing was removed."))
                return
    now = datetime.now()
    if evidence is not None:
        gone = trash.remove_evidence(store, order_id, evidence, now)
        typer.echo(
            _(
                "Moved evidence {evidence} of order {id} to the trash ({path}); put it back with: "
                "refundkit restore {id} --evidence {evidence}"
            ).format(evidence=gone.evidence_id, id=order_id, path=visible(str(gone.path)))
        )
        return
    gone = trash.remove_order(store, order_id, now)
    typer.echo(
        _(
            "Moved order {id} to the trash ({path}); put it back with: refundkit restore {id}"
        ).format(id=order_id, path=visible(str(gone.path)))
    )


def _what(store: "Store", order_id: str, evidence: str | None) -> str:
    """What is about to be removed, in words, for the confirmation (and the refusal)."""
    from refundkit import finder, trash
    from refundkit.i18n import _
    from refundkit.words import names

    if evidence is not None:
        entry = trash._evidence(store.load(order_id), evidence)
        return visible(
            _("evidence {evidence} ({name}, {kind}) of order {id}").format(
                evidence=entry.id,
                name=entry.original_name,
                kind=names.evidence_kind(entry.kind.value),
                id=order_id,
            )
        )
    seen = finder.glance(store, order_id)
    what = seen.line() if seen else order_id
    return visible(_("order {what}").format(what=what))


@command("restore")
def restore(
    ctx: typer.Context,
    order: Annotated[
        str,
        typer.Argument(help="The removed order's id (or a prefix), as `status --all` lists it."),
    ],
    evidence: EvidenceOpt = None,
) -> None:
    """Put a removed case, or a removed evidence entry, back from the trash.

    Example: refundkit restore k3fq8m
    """
    from refundkit import trash
    from refundkit.i18n import _

    store = get_store(ctx)
    if evidence is not None:
        order_id = store.resolve(order)
        entry = trash.restore_evidence(store, order_id, evidence, datetime.now())
        typer.echo(
            visible(
                _("Restored evidence {evidence} ({name}) of order {id}").format(
                    evidence=entry.id, name=entry.original_name, id=order_id
                )
            )
        )
        return
    back = trash.restore_order(store, order)
    typer.echo(_("Restored order {id}").format(id=back.order_id))


def trash_lines(store: "Store") -> list[str]:
    """What the trash holds, for `status --all`: each removed case and evidence entry, marked,
    with the command that puts it back."""
    from refundkit import trash
    from refundkit.i18n import _

    lines = []
    for entry in trash.trashed_orders(store):
        seen = trash.glance(entry)
        what = (
            f"{seen['merchant']} · {seen['item']} · {seen['amount']}"
            if seen
            else _("(its order.json cannot be read)")
        )
        lines.append(
            _("  [removed] {id}  {what}  on {when}: refundkit restore {id}").format(
                id=entry.order_id, what=what, when=f"{entry.removed:%Y-%m-%d %H:%M}"
            )
        )
    for entry, removal in trash.removed_evidence(store):
        lines.append(
            _(
                "  [removed] {id} {evidence}  {name}  on {when}: "
                "refundkit restore {id} --evidence {evidence}"
            ).format(
                id=entry.order_id,
                evidence=removal.id,
                name=removal.original_name,
                when=f"{entry.removed:%Y-%m-%d %H:%M}",
            )
        )
    if lines:
        lines.insert(0, _("In the trash ({path}):").format(path=trash.trash_dir(store)))
    return [visible(line) for line in lines]
