import type { CommandRun } from './io.js';
export const run: CommandRun = async () => 0;
