"""The ``sif`` command. Built-in sub-commands live in :mod:`sif_core.commands`."""

from __future__ import annotations

import click

from sif_core import __version__

__all__ = ["main"]


class _SifGroup(click.Group):
    """The ``sif`` group: plugins add their commands (hook ``sif_register_commands``) the first
    time a command that is not built in is looked up, or the list of commands is needed."""

    # Which host, with which plugins, the plugin commands came from: when that changes (tests
    # switch hosts with sif_core.plugins.using_plugin_host), the commands are added afresh.
    _plugins_seen: tuple[object, list[object]] | None = None
    _plugin_command_names: frozenset[str] = frozenset()

    def _add_plugin_commands(self) -> None:
        from sif_core.plugins import get_plugin_host

        host = get_plugin_host()
        seen: tuple[object, list[object]] = (host, list(host.plugins()))
        previous = self._plugins_seen
        if previous is not None and previous[0] is host and previous[1] == seen[1]:
            return
        for name in self._plugin_command_names:
            self.commands.pop(name, None)
        built_in = set(self.commands)
        host.register_commands(self)
        self._plugin_command_names = frozenset(self.commands) - built_in
        self._plugins_seen = seen

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands or cmd_name in self._plugin_command_names:
            self._add_plugin_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands()
        return super().list_commands(ctx)


@click.group(cls=_SifGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sif")
def main() -> None:
    """sifbridge: exchange English school MIS data as SIF objects.

    Start with `sif demo`. Each command explains itself with --help.
    """


def _add_builtin_commands() -> None:
    # Imported here, not at module top, so that `sif --help` stays quick and a broken command
    # module cannot hide the others.
    from sif_core.commands import adapters, convert, demo

    main.add_command(demo.command)
    main.add_command(adapters.command)
    main.add_command(convert.command)
    from sif_core.commands import schema, validate

    main.add_command(validate.command)
    main.add_command(schema.command)
    from sif_core.commands import synth

    main.add_command(synth.command)
    from sif_core.commands import agent

    main.add_command(agent.command)
    from sif_core.commands import conformance

    main.add_command(conformance.command)
    from sif_core.commands import census, dual_registration, transfer, uln

    main.add_command(transfer.command)
    main.add_command(transfer.lost_pupils)
    main.add_command(census.command)
    main.add_command(uln.command)
    main.add_command(dual_registration.command)


_add_builtin_commands()
