// Runs the CLI in a child process (the SIGKILL test): `node --import tsx test/migration/cli-child.ts <args>`.
import { main } from '../../src/cli.js';

await main(process.argv);
