import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConnectMirrorMakerArgs } from '../../../src/cli/connect-mirror-maker-args.ts';
import { logReporter, main as connectMirrorMaker } from '../../../src/cli/connect-mirror-maker-main.ts';
import { main as mm2, OPTION_HELP, SUBCOMMANDS } from '../../../src/cli/mm2.ts';
import type { CliIo } from '../../../src/cli/io.ts';
import { createLogger } from '../../../src/util/logger.ts';
import { parseLogLines } from '../../support/log-lines.ts';

const example = (name: string) => fileURLToPath(new URL(`../../../config/${name}`, import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url));

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

describe('connect-mirror-maker arguments', () => {
  it('parses the Java grammar', () => {
    expect(parseConnectMirrorMakerArgs(['f.properties'])).toEqual({
      kind: 'run',
      args: { configFile: 'f.properties', clusters: [] },
    });
    expect(parseConnectMirrorMakerArgs(['f.properties', '--clusters', 'a', 'b'])).toEqual({
      kind: 'run',
      args: { configFile: 'f.properties', clusters: ['a', 'b'] },
    });
    expect(parseConnectMirrorMakerArgs(['--clusters=a', 'f'])).toEqual({
      kind: 'run',
      args: { configFile: 'f', clusters: ['a'] },
    });
    expect(parseConnectMirrorMakerArgs(['--help']).kind).toBe('help');
    expect(() => parseConnectMirrorMakerArgs([])).toThrow(/too few arguments/);
    expect(() => parseConnectMirrorMakerArgs(['f', '--clusters'])).toThrow(/expected at least one/);
  });
});

describe('connect-mirror-maker exit codes', () => {
  it('0 and the routes for a valid file; a run hook receives the config', async () => {
    const io = capture();
    expect(await connectMirrorMaker([example('book-dedicated.properties'), '--clusters', 'eu'], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain('us->eu: replication enabled');
    let seen = 0;
    expect(
      await connectMirrorMaker(
        [example('book-dedicated.properties')],
        capture(),
        async (c) => void (seen = c.routes.length),
      ),
    ).toBe(0);
    expect(seen).toBe(2);
  });
  it('255 for argument errors and unreadable files, 2 for config errors, 3 for start failures', async () => {
    expect(await connectMirrorMaker([], capture())).toBe(255);
    expect(await connectMirrorMaker(['/nonexistent/mm2.properties'], capture())).toBe(255);
    const io = capture();
    expect(await connectMirrorMaker([example('book-dedicated.properties'), '--clusters', 'xx'], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain('unknown cluster alias');
    expect(
      await connectMirrorMaker([example('book-dedicated.properties')], capture(), async () => {
        throw new Error('boom');
      }),
    ).toBe(3);
  });
  it('prints warnings naming key and line', async () => {
    const io = capture();
    expect(await connectMirrorMaker([fixture('precedence.properties')], io)).toBe(0);
    expect(io.stderr).toContain("WARN B->A.enabled (line 19): 'yes' is read as false (Java accepts only true/false)");
  });
  it('the appliance reports warnings and errors as JSON log lines with key, line and file', async () => {
    let text = '';
    const logger = createLogger({ level: 'info', destination: { write: (l: string) => void (text += l) } });
    const io = capture();
    const file = fixture('precedence.properties');
    expect(await connectMirrorMaker([file], io, async () => {}, logReporter(logger))).toBe(0);
    expect(io.stderr).toEqual([]);
    expect(parseLogLines(text)).toContainEqual(
      expect.objectContaining({
        level: 40,
        key: 'B->A.enabled',
        line: 19,
        file,
        msg: "'yes' is read as false (Java accepts only true/false)",
      }),
    );
    text = '';
    expect(
      await connectMirrorMaker(
        [example('book-dedicated.properties'), '--clusters', 'xx'],
        io,
        async () => {},
        logReporter(logger),
      ),
    ).toBe(2);
    expect(parseLogLines(text)).toEqual([
      expect.objectContaining({ level: 60, code: 'ERR_CONFIG', msg: expect.stringContaining('unknown cluster alias') }),
    ]);
  });
});

describe('mm2 config show / lint', () => {
  it('shows routes with secrets hidden, as JSON', async () => {
    const io = capture();
    expect(await mm2(['config', 'show', fixture('security.properties'), '--json'], io)).toBe(0);
    const view = JSON.parse(io.stdout.join('\n'));
    expect(view.clusterPairs).toEqual(['src->dst']);
    const text = io.stdout.join('\n');
    expect(text).not.toContain('password="pw"');
    expect(view.routes['src->dst'].connectors.MirrorSourceConnector['sasl.jaas.config']).toBe('[hidden]');
  });
  it('hides values that came from a provider', async () => {
    const io = capture();
    expect(await mm2(['config', 'show', fixture('providers.properties'), '--json'], io)).toBe(0);
    expect(io.stdout.join('\n')).not.toContain('secret2');
  });
  it('shows provider placeholders as written and hides only secret keys, as Java does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm2-show-'));
    const secrets = join(dir, 'secrets.properties');
    writeFileSync(secrets, 'bootstrap = resolved-a:9092\ntopics = resolved-topic\npw = resolved-pw\n');
    const file = join(dir, 'mm2.properties');
    writeFileSync(
      file,
      [
        'clusters = a, b',
        'config.providers = file',
        'config.providers.file.class = org.apache.kafka.common.config.provider.FileConfigProvider',
        `a.bootstrap.servers = \${file:${secrets}:bootstrap}`,
        'b.bootstrap.servers = b:9092',
        `a.ssl.truststore.password = \${file:${secrets}:pw}`,
        'a.ssl.truststore.location = /etc/kafka/truststore.jks',
        'a->b.enabled = true',
        `a->b.topics = \${file:${secrets}:topics}`,
      ].join('\n'),
    );
    const io = capture();
    expect(await mm2(['config', 'show', file, '--json'], io)).toBe(0);
    const view = JSON.parse(io.stdout.join('\n'));
    expect(view.clientConfigs.a['bootstrap.servers']).toBe(`\${file:${secrets}:bootstrap}`);
    expect(view.clientConfigs.a['ssl.truststore.password']).toBe('[hidden]');
    expect(view.clientConfigs.a['ssl.truststore.location']).toBe('/etc/kafka/truststore.jks');
    const source = view.routes['a->b'].connectors.MirrorSourceConnector;
    expect(source.topics).toBe(`\${file:${secrets}:topics}`);
    expect(source['source.cluster.bootstrap.servers']).toBe(`\${file:${secrets}:bootstrap}`);
    expect(source['source.cluster.ssl.truststore.password']).toBe('[hidden]');
    expect(io.stdout.join('\n')).not.toMatch(/resolved-/);
  });
  it('lint warns with "did you mean" for typos under route and client prefixes, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm2-lint-'));
    const file = join(dir, 'mm2.properties');
    writeFileSync(
      file,
      'clusters = eu, us\neu.bootstrap.servers = e:1\nus.bootstrap.servers = u:1\n' +
        'eu->us.enabled = true\neu->us.topcs = orders\neu.producer.acks2 = all\n',
    );
    const io = capture();
    expect(await mm2(['config', 'lint', file], io)).toBe(0);
    expect(io.stdout).toEqual([
      'WARN  eu->us.topcs (line 5): unknown key under route eu->us; did you mean eu->us.topics? [route-key-unknown]',
      'WARN  eu.producer.acks2 (line 6): unknown producer key for cluster eu; did you mean eu.producer.acks? [client-key-unknown]',
      '0 error(s), 2 warning(s)',
    ]);
  });
  it("<command> --help prints that command's usage and options, exit 0, for every subcommand", async () => {
    for (const c of SUBCOMMANDS) {
      for (const flag of ['--help', '-h']) {
        const io = capture();
        expect(await mm2([...c.path, flag], io), `${c.path.join(' ')} ${flag}`).toBe(0);
        const text = io.stdout.join('\n');
        expect(text.startsWith(`usage: mm2 ${c.usage}\n`)).toBe(true);
        expect(text).toContain(c.summary);
        for (const option of c.usage.match(/--[a-z][a-z-]*/g) ?? []) {
          expect(OPTION_HELP[option], `help text for ${option}`).toBeTruthy();
          const line = io.stdout
            .join('\n')
            .split('\n')
            .find((l) => l.startsWith(`  ${option} `));
          expect(line?.trim()).toMatch(new RegExp(`^${option} +\\S`));
          expect(line?.endsWith(` ${OPTION_HELP[option]}`)).toBe(true);
        }
      }
    }
  });
  it('lint exits 1 when Java would ignore something, 0 for a clean file', async () => {
    const io = capture();
    expect(await mm2(['config', 'lint', fixture('precedence.properties')], io)).toBe(1);
    expect(io.stdout.join('\n')).toMatch(/ERROR use.defaults.from \(line 26\)/);
    expect(await mm2(['config', 'lint', example('demo.properties')], capture())).toBe(0);
  });
  it('unknown subcommand → usage, 255', async () => {
    expect(await mm2(['nope'], capture())).toBe(255);
  });
});
