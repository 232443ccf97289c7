import type { CommandModule } from 'yargs';
import { checkCommand } from './check.js';
import { snapshotCommand } from './snapshot.js';

/** Every CLI command, one module each. Add new commands here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [checkCommand, snapshotCommand];
