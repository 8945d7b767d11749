import type { Command } from 'commander';
import type { Config } from '../config.js';
import { createContainer, prepareDatabase } from '../container.js';
import { DomainError } from '../domain/shared/errors.js';
import { systemActor } from '../services/context.js';
import { exportOpendataPeriodOnce } from '../services/opendata/export-opendata-period-once.js';

/** `gara opendata export PERIOD`: the open data files of a month (YYYY-MM) or a day's deltas (YYYY-MM-DD). */
export function registerOpendataCommands(program: Command, config: () => Config): void {
  const opendata = program.command('opendata').description('open data files (CSV, JSON, OCDS)');
  opendata
    .command('export')
    .description("write a month's files (YYYY-MM) or a day's deltas (YYYY-MM-DD) under OPENDATA_DIR")
    .argument('<period>', 'YYYY-MM or YYYY-MM-DD (Europe/Rome)')
    .action(async (period: string) => {
      const container = await createContainer(config());
      try {
        await prepareDatabase(container);
        const started = Date.now();
        const files = await exportOpendataPeriodOnce(
          { ...container.deps, opendata: container.opendata },
          { period },
          systemActor('cli'),
        );
        for (const f of files) console.log(`${f.name}\t${f.rows} righe\t${f.bytes} byte\tsha256 ${f.sha256}`);
        console.log(`${files.length} file in ${container.config.opendata.dir} (${Date.now() - started} ms)`);
      } catch (error) {
        if (error instanceof DomainError) {
          console.error(`gara: ${error.message}`);
          process.exitCode = 1;
          return;
        }
        throw error;
      } finally {
        await container.close();
      }
    });
}
