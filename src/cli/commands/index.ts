import type { CommandModule } from 'yargs';
import { checkCommand } from './check.js';
import { snapshotCommand } from './snapshot.js';
import { planCommand } from './plan.js';
import { applyCommand } from './apply.js';
import { rebalanceCommand } from './rebalance.js';
import { resumeCommand } from './resume.js';
import { fixCommand } from './fix.js';
import { tuiCommand } from './tui.js';
import { addNodeCommand } from './add-node.js';
import { removeNodeCommand } from './remove-node.js';
import { replaceNodeCommand } from './replace-node.js';
import { importCommand } from './import.js';
import { inspectRdbCommand } from './inspect-rdb.js';
import { syncCommand } from './sync.js';

/** Every CLI command, one module each. Add new commands here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [checkCommand, snapshotCommand, planCommand, applyCommand, rebalanceCommand, resumeCommand, fixCommand, addNodeCommand, removeNodeCommand, replaceNodeCommand, tuiCommand, importCommand, inspectRdbCommand, syncCommand];
