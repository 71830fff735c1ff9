/**
 * Import progress on the CLI: a bar (cli-progress) for library.json on a terminal, otherwise a
 * plain line per phase and per 10% of library.json, so logs and pipes stay readable.
 */
import cliProgress from 'cli-progress';
import type { ImportProgress } from '../migration/import.js';
import type { CliIo } from './io.js';

const PHASES: Record<string, string> = {
  backup: 'backing up the legacy directory (and the database if it has data)',
  read: 'reading and validating the legacy files',
  write: 'writing to the database (one transaction)',
  verify: 'reading back and comparing',
  commit: 'committing',
  statistics: 'refreshing PostgreSQL planner statistics (VACUUM ANALYZE of the imported tables)',
};

export function cliImportProgress(io: CliIo): ImportProgress & { stop(): void } {
  let bar: cliProgress.SingleBar | undefined;
  let barStage = '';
  let lastTenth = -1;
  let lastStage = '';
  const stopBar = () => {
    if (bar) bar.stop();
    bar = undefined;
  };
  return {
    phase(name) {
      stopBar();
      io.out(`${name}: ${PHASES[name] ?? name}`);
    },
    library(stage, items, bytes, total) {
      const pct = total > 0 ? Math.min(100, Math.floor((bytes * 100) / total)) : 0;
      const verb = stage === 'read' ? 'checking' : 'importing';
      if (io.isTty) {
        if (!bar || barStage !== stage) {
          stopBar();
          bar = new cliProgress.SingleBar(
            { format: `library.json ${verb} [{bar}] {percentage}% | {items} items`, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(100, 0, { items });
          barStage = stage;
        }
        bar.update(pct, { items });
        return;
      }
      if (stage !== lastStage) {
        lastStage = stage;
        lastTenth = -1;
      }
      const tenth = Math.floor(pct / 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        io.out(`  library.json: ${verb} ${stage === 'write' ? `${items} items, ` : ''}${pct}% of ${(total / 1e6).toFixed(1)} MB`);
      }
    },
    stop: stopBar,
  };
}
