"""Headless admin actions for scripts and runbooks (no Textual):

``sessions forward ID... (--group NAME|ID | --operator NAME|ID) [--note TEXT]``,
``ban (--session ID | --channel CH --ip/--cookie/--phone/--user-id V) --reason TEXT [--expires]``,
``unban BAN_ID...``, ``availability [--json]``.

Connection as ``export``: ``--base-url`` with credentials in the environment, or ``--profile``.
Exit codes: 0 done, 1 refused / failed / outcome unknown, 2 bad arguments (unknown names list
the close matches). Every action is written to the profile's audit log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from mluvii_tui.text import one_line

ENV_CLIENT_ID = "MLUVII_TUI_CLIENT_ID"
ENV_CLIENT_SECRET = "MLUVII_TUI_CLIENT_SECRET"
IDENTITY_OPTIONS = {
    "ip": "ipAddress",
    "cookie": "trackedId",
    "phone": "phoneNumber",
    "user_id": "channelUserId",
}


class UsageError(Exception):
    pass


def add_action_commands(sub: Any) -> None:
    """Add ``sessions forward``, ``ban``, ``unban`` and ``availability`` to the subparsers."""
    sessions = sub.add_parser("sessions", help="act on sessions without the UI (forward)")
    inner = sessions.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
    forward = inner.add_parser("forward", help="re-route live sessions to a group or operator")
    forward.add_argument("ids", nargs="+", type=_session_id, metavar="ID", help="session ids")
    to = forward.add_mutually_exclusive_group(required=True)
    to.add_argument("--group", help="operator group name or id")
    to.add_argument("--operator", help="operator name or user id")
    forward.add_argument("--note", default=None, help="a note for the next operator")
    _add_connection(forward)

    ban = sub.add_parser("ban", help="ban a client (by session, or channel + identity)")
    who = ban.add_mutually_exclusive_group(required=True)
    who.add_argument("--session", type=_session_id, help="ban the client of this session")
    who.add_argument(
        "--channel", choices=("Mluvii", "Phone", "WhatsApp", "Facebook", "Apple", "VK")
    )
    ban.add_argument("--ip", help="web chat: IP address")
    ban.add_argument("--cookie", help="web chat: tracking cookie (trackedId)")
    ban.add_argument("--phone", help="phone / WhatsApp: phone number")
    ban.add_argument("--user-id", help="Messenger / Apple / VK: the channel's user id")
    ban.add_argument("--reason", required=True, help="why (mandatory)")
    ban.add_argument("--expires", default="", help="7d, 12h, 2w or a date (default: never)")
    _add_connection(ban)

    unban = sub.add_parser("unban", help="lift bans by id (see `availability`/Blacklist)")
    unban.add_argument("ban_ids", nargs="+", type=_session_id, metavar="BAN_ID")
    _add_connection(unban)

    avail = sub.add_parser("availability", help="operator groups and operators with their state")
    avail.add_argument("--json", action="store_true", help='{"groups": [...], "operators": [...]}')
    _add_connection(avail)


def _add_connection(parser: argparse.ArgumentParser) -> None:
    s = argparse.SUPPRESS
    parser.add_argument(
        "--base-url",
        default=s,
        help=f"mluvii server (credentials from {ENV_CLIENT_ID} / {ENV_CLIENT_SECRET})",
    )
    parser.add_argument("--profile", default=s, help="a saved profile (see `mluvii-tui login`)")
    parser.add_argument(
        "--read-only", action="store_true", default=s, help="refuse every mutating action"
    )


def _session_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an id: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"not an id: {text!r}")
    return value


def _err(message: str) -> None:
    print(f"mluvii-tui: {one_line(message, 400)}", file=sys.stderr)


def action_command(args: argparse.Namespace) -> int:
    """Run one of the action commands; returns the exit code."""
    try:
        client, profile, read_only = _connect(args)
    except UsageError as exc:
        _err(str(exc))
        return 2
    run = {
        "sessions": _forward,
        "ban": _ban,
        "unban": _unban,
        "availability": _availability,
    }[args.command]
    try:
        return asyncio.run(_with_client(client, profile, read_only, args, run))
    except UsageError as exc:
        _err(str(exc))
        return 2


def _connect(args: argparse.Namespace) -> tuple[Any, str, bool]:
    from mluvii_tui.api.client import MluviiClient
    from mluvii_tui.config.profiles import ConfigError
    from mluvii_tui.config.secrets import SecretsError

    base_url = getattr(args, "base_url", None)
    profile_name = getattr(args, "profile", None)
    read_only = bool(getattr(args, "read_only", False))
    if base_url:
        client_id = os.environ.get(ENV_CLIENT_ID, "")
        secret = os.environ.get(ENV_CLIENT_SECRET, "")
        if not client_id or not secret:
            raise UsageError(f"set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} to use --base-url")
        from mluvii_tui.cli.export import _profile_from_url

        client = MluviiClient(base_url, client_id, secret, max_retries=1)
        return client, profile_name or _profile_from_url(base_url), read_only
    if not profile_name:
        raise UsageError("give --base-url (with credentials in the environment) or --profile")
    from mluvii_tui.connect.opening import client_for, load_profile

    try:
        profile = load_profile(profile_name)
        return client_for(profile), profile.name, read_only or profile.read_only
    except (ConfigError, SecretsError) as exc:
        raise UsageError(str(exc)) from None


Run = Callable[[Any, argparse.Namespace], Awaitable[int]]


async def _with_client(
    client: Any, profile: str, read_only: bool, args: argparse.Namespace, run: Run
) -> int:
    from mluvii_tui.actions.audit import AuditLog
    from mluvii_tui.actions.permissions import Permissions
    from mluvii_tui.actions.runner import ActionRunner
    from mluvii_tui.api.errors import MluviiError, NotSupported

    async with client:
        user = None
        try:
            user = await client.get_me()
        except NotSupported:
            pass  # the server does not say who we are: it decides on each action
        except MluviiError as exc:
            _err(exc.message)
            return 1
        runner = ActionRunner(
            client, AuditLog.for_profile(profile), profile, Permissions(user, read_only)
        )
        try:
            return await run(runner, args)
        except MluviiError as exc:
            _err(exc.message)
            return 1


def _report(outcomes: list[Any]) -> int:
    for o in outcomes:
        line = f"{o.result} {o.target}"
        if o.reason:
            line += f": {o.reason}"
        print(one_line(line, 400))
    return 0 if all(o.ok for o in outcomes) else 1


async def _forward(runner: Any, args: argparse.Namespace) -> int:
    from mluvii_tui.actions.targets import (
        UnknownName,
        group_target,
        groups_of,
        operator_target,
        operators_of,
        resolve,
    )

    availability = await runner.client.get_availability()
    try:
        if args.group is not None:
            target = group_target(resolve(args.group, groups_of(availability), "group"))
        else:
            target = operator_target(resolve(args.operator, operators_of(availability), "operator"))
    except UnknownName as exc:
        raise UsageError(str(exc)) from None
    ids = list(dict.fromkeys(args.ids))
    return _report(await runner.forward_many(ids, target, args.note))


async def _ban(runner: Any, args: argparse.Namespace) -> int:
    from mluvii_tui.actions.targets import identity_text, parse_expiry

    reason = (args.reason or "").strip()
    if not reason:
        raise UsageError("--reason: a ban needs a reason")
    try:
        expires = parse_expiry(args.expires, datetime.now().astimezone())
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    identity = {
        field: str(getattr(args, opt)).strip()
        for opt, field in IDENTITY_OPTIONS.items()
        if getattr(args, opt)
    }
    if args.channel is not None and not identity:
        raise UsageError("--channel needs the client's identity: --ip/--cookie/--phone/--user-id")
    target = (
        f"client of session {args.session}"
        if args.session is not None
        else f"{args.channel} {identity_text(identity)}"
    )
    outcome = await runner.ban(
        reason=reason,
        session_id=args.session,
        channel=args.channel,
        identity=identity or None,
        expires=expires,
        target=target,
    )
    if outcome.ok:
        ban = outcome.value
        outcome.target = f"{target} as ban {ban.id}"
    return _report([outcome])


async def _unban(runner: Any, args: argparse.Namespace) -> int:
    return _report([await runner.unban(ban_id) for ban_id in dict.fromkeys(args.ban_ids)])


async def _availability(runner: Any, args: argparse.Namespace) -> int:
    from mluvii_tui.actions.targets import group_line, operator_state

    availability = await runner.client.get_availability()
    if args.json:
        data = availability.model_dump(mode="json", by_alias=True, exclude={"overall_workload"})
        print(json.dumps({"groups": data["groups"], "operators": data["operators"]}, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    groups = Table("Group", "Id", "Availability", title="Groups", title_justify="left")
    for g in availability.groups:
        groups.add_row(Text(one_line(g.name or "", 60)), str(g.id), group_line(g))
    names = {g.id: one_line(g.name or f"#{g.id}", 40) for g in availability.groups}
    operators = Table("Operator", "Id", "State", "Groups", title="Operators", title_justify="left")
    for o in sorted(availability.operators, key=lambda o: o.full_name.casefold()):
        group_names = ", ".join(names.get(gid, f"#{gid}") for gid in o.group_ids)
        operators.add_row(
            Text(one_line(o.full_name, 60)),
            str(o.user_id),
            Text(operator_state(o)),
            Text(group_names),
        )
    console.print(groups)
    console.print(operators)
    return 0
