import type { Command } from 'commander';

/**
 * Adds a subcommand group. Running the group without a subcommand prints its help, which
 * lists the subcommands it has so far.
 */
export function addGroup(program: Command, name: string, description: string): Command {
  const group = program.command(name).description(description);
  group.action(() => {
    group.help();
  });
  return group;
}
