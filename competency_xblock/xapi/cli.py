"""``competency-xblock xapi ...``: operate the direct transport's outbox from a shell.

Settings come from a JSON file holding the same ``xapi_*`` keys as
``XBLOCK_SETTINGS["competency_xblock"]`` (``--settings``), overridden by options or their
environment variables, so the CLI, cron and the LMS read one configuration.
"""
from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import click

from competency_xblock.xapi.config import XapiConfig, from_settings

ENV = "COMPETENCY_XAPI_"


def _load(settings_file: str | None, overrides: dict) -> XapiConfig:
    data: dict = {}
    if settings_file:
        with open(settings_file, encoding="utf-8") as fh:
            data = json.load(fh)
        if "competency_xblock" in data:  # a whole XBLOCK_SETTINGS dict is fine too
            data = data["competency_xblock"]
    data.update({k: val for k, val in overrides.items() if val is not None})
    data.setdefault("xapi_transport", "direct")
    return from_settings(data)


def _when(epoch: float | None) -> str:
    if not epoch:
        return "-"
    return datetime.fromtimestamp(float(epoch), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@click.group("xapi")
@click.option("--settings", "settings_file", type=click.Path(exists=True, dir_okay=False),
              envvar=ENV + "SETTINGS", help="JSON file with the xapi_* settings.")
@click.option("--outbox", envvar=ENV + "OUTBOX", help="Outbox file (xapi_outbox_path).")
@click.option("--endpoint", envvar=ENV + "LRS_ENDPOINT", help="LRS xAPI endpoint.")
@click.option("--username", envvar=ENV + "LRS_USERNAME", help="LRS user (basic auth).")
@click.option("--password", envvar=ENV + "LRS_PASSWORD", help="LRS password (basic auth).")
@click.pass_context
def xapi_group(ctx: click.Context, settings_file, outbox, endpoint, username, password) -> None:
    """Operate the xAPI outbox of the direct transport (status, flush, dead letters)."""
    ctx.obj = _load(settings_file, {"xapi_outbox_path": outbox, "xapi_lrs_endpoint": endpoint,
                                    "xapi_lrs_username": username,
                                    "xapi_lrs_password": password})


def _outbox(config: XapiConfig):
    from competency_xblock.xapi.outbox import Outbox

    return Outbox(config.outbox_path, synchronous=config.outbox_synchronous)


@xapi_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def status(config: XapiConfig, as_json: bool) -> None:
    """How many statements wait, how many were sent, how many are dead letters."""
    stats = _outbox(config).stats()
    stats["lrs_endpoint"] = config.lrs_endpoint or None
    # The CLI never builds statements: only what it needs to send them is reported.
    stats["problems"] = [p for p in config.problems() if "lms_root_url" not in p]
    if as_json:
        click.echo(json.dumps(stats, indent=2))
        return
    click.echo(f"Outbox:          {stats['path']}")
    click.echo(f"LRS:             {stats['lrs_endpoint'] or '(not configured)'}")
    click.echo(f"Pending:         {stats['pending']}")
    age = stats["oldest_pending_age_s"]
    click.echo(f"Oldest pending:  {'-' if age is None else f'{age} s'}")
    click.echo(f"Sent (total):    {stats['sent_total']}  (last: {_when(stats['last_sent_at'])})")
    click.echo(f"Dead letters:    {stats['dead']}" + (
        "  -> competency-xblock xapi dead-letters" if stats["dead"] else ""))
    click.echo(f"Last error:      {stats['last_error'] or '-'}")
    for problem in stats["problems"]:
        click.echo(f"Settings problem: {problem}", err=True)


@xapi_group.command("flush")
@click.option("--timeout", type=float, default=None,
              help="Give up after this many seconds (default: until the outbox is empty).")
@click.option("--lock-timeout", type=float, default=30.0,
              help="Wait this long for another sender to finish its round.")
@click.option("--batch-size", type=int, default=None, help="Statements per POST.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
def flush(config: XapiConfig, timeout, lock_timeout, batch_size, quiet) -> None:
    """Send every pending statement now (retrying through LRS outages), with a progress bar.

    Exit status 0 when nothing is left pending, 1 otherwise.  Dead letters are kept.
    """
    from competency_xblock.xapi.sender import Sender, SenderLock

    problems = [p for p in config.problems() if "lrs" in p or "transport" in p]
    if problems:
        raise click.UsageError(" ".join(problems))
    box = _outbox(config)
    sender = Sender.from_config(box, config)
    if batch_size:
        sender.batch_size = batch_size
    lock = SenderLock(box.path)
    if not lock.acquire(timeout=lock_timeout):
        raise click.ClickException("Another sender is draining this outbox; try again later.")
    deadline = time.monotonic() + timeout if timeout else None
    try:
        total = box.pending_count()
        with click.progressbar(length=total, label="Sending xAPI statements", hidden=quiet,
                               show_pos=True) as bar:
            done = [0]

            def progress(report) -> None:
                step = report.sent + report.dead - done[0]
                if step > 0:
                    bar.update(step)
                    done[0] += step

            report = sender.drain(deadline=deadline, progress=progress, wait=True)
    finally:
        lock.release()
        sender.client.close()
    left = box.pending_count()
    click.echo(f"Sent {report.sent}, dead letters {report.dead}, retries {report.retries}, "
               f"still pending {left}.")
    if report.dead:
        click.echo("Some statements were refused by the LRS and kept: "
                   "competency-xblock xapi dead-letters", err=True)
    if left:
        if report.errors:
            click.echo(f"Last error: {report.errors[-1]}", err=True)
        raise SystemExit(1)


@xapi_group.command("dead-letters")
@click.option("--limit", type=int, default=100)
@click.option("--body", "show_body", is_flag=True, help="Print each statement too.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def dead_letters(config: XapiConfig, limit: int, show_body: bool, as_json: bool) -> None:
    """Statements the LRS refused for good (never dropped; see also ``requeue``)."""
    letters = _outbox(config).dead_letters(limit)
    if as_json:
        click.echo(json.dumps([{
            "statement_id": d.statement_id, "status": d.status, "reason": d.reason,
            "dead_at": _when(d.dead_at), "attempts": d.attempts,
            "statement": json.loads(d.body)} for d in letters], indent=2, ensure_ascii=False))
        return
    if not letters:
        click.echo("No dead letters.")
        return
    for d in letters:
        click.echo(f"{d.statement_id}  HTTP {d.status}  {_when(d.dead_at)}  {d.reason[:160]}")
        if show_body:
            click.echo("  " + d.body.decode("utf-8"))


@xapi_group.command("requeue")
@click.argument("statement_ids", nargs=-1)
@click.option("--all", "requeue_all", is_flag=True, help="Every dead letter.")
@click.pass_obj
def requeue(config: XapiConfig, statement_ids: tuple[str, ...], requeue_all: bool) -> None:
    """Make dead letters pending again (after fixing the cause at the LRS)."""
    if not statement_ids and not requeue_all:
        raise click.UsageError("Name statement ids or use --all.")
    count = _outbox(config).requeue(None if requeue_all else statement_ids)
    click.echo(f"Re-queued {count} statement(s).")
