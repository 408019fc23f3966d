import { loadMirrorMakerConfig } from '../../config/index.ts';
import { isMirrorError } from '../../util/errors.ts';
import { configView } from '../config-view.ts';
import { ArgumentError, EXIT } from '../io.ts';
import type { Subcommand } from '../mm2.ts';
import { parseConfigCommandArgs } from './config-args.ts';

export const configShow: Subcommand = {
  path: ['config', 'show'],
  usage: 'config show <file> [--clusters A [B ...]] [--json]',
  summary: 'routes and their connector, client and worker configs (secrets hidden)',
  async run(argv, io) {
    let args;
    try {
      args = parseConfigCommandArgs(argv, true);
    } catch (err) {
      if (err instanceof ArgumentError) {
        io.err(`mm2 config show: ${err.message}\nusage: mm2 ${this.usage}`);
        return EXIT.usage;
      }
      throw err;
    }
    let view;
    try {
      view = configView(loadMirrorMakerConfig(args.file, { clusters: args.clusters }));
    } catch (err) {
      io.err(`ERROR ${isMirrorError(err) ? err.message : String(err)}`);
      return EXIT.fatal;
    }
    if (args.json) {
      io.out(JSON.stringify(view, null, 2));
      return EXIT.ok;
    }
    for (const w of view.warnings) io.err(`WARN ${w}`);
    io.out(`clusters: ${view.clusters.join(', ')}`);
    for (const [name, r] of Object.entries(view.routes)) {
      io.out('');
      io.out(`== ${name} (${r.enabled ? 'replication enabled' : 'heartbeats only'})`);
      for (const [connector, cfg] of Object.entries(r.connectors)) section(io.out, `connector ${connector}`, cfg);
      for (const [client, cfg] of Object.entries(r.clients)) section(io.out, `client ${client}`, cfg);
      section(io.out, 'worker', r.worker);
    }
    return EXIT.ok;
  },
};

function section(out: (line: string) => void, title: string, cfg: Record<string, string>): void {
  out(`  -- ${title}`);
  for (const [k, v] of Object.entries(cfg)) out(`     ${k} = ${v}`);
}
