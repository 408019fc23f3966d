import { describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../../src/http/index.ts';
import { reloadPlugin, type ReloadOutcomeView } from '../../../src/http/plugins/reload.ts';
import { createApplianceMetrics } from '../../../src/metrics/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';

async function post(outcome: ReloadOutcomeView) {
  const app = await buildHttpApp({
    registry: createApplianceMetrics({ processMetrics: false }).registry,
    health: () => ({ status: 'healthy', message: 'ok' }),
    logger: silentLogger(),
    plugins: [reloadPlugin({ reload: async () => outcome })],
  });
  try {
    const res = await app.inject({ method: 'POST', url: '/reload' });
    return { code: res.statusCode, body: res.json() as Record<string, unknown> };
  } finally {
    await app.close();
  }
}

describe('POST /reload', () => {
  it('200 with what changed', async () => {
    const changed = { added: ['C->B'], removed: [], restarted: ['A->B'], unchanged: ['B->A'] };
    const answer = await post({
      outcome: 'applied',
      changed,
      restartedBecause: { 'A->B': ['A->B.topics'] },
      needsRestart: ['mm2ts.http.listener'],
      failed: [],
      warnings: [],
    });
    expect(answer).toEqual({
      code: 200,
      body: {
        changed,
        restartedBecause: { 'A->B': ['A->B.topics'] },
        needsRestart: ['mm2ts.http.listener'],
        failed: [],
        warnings: [],
      },
    });
  });

  it('400 with every error and its line when the file is invalid', async () => {
    const errors = [
      { code: 'ERR_CONFIG', message: 'tasks.max (line 6): "zero" is not an int', key: 'tasks.max', line: 6 },
    ];
    const answer = await post({ outcome: 'invalid', errors });
    expect(answer.code).toBe(400);
    expect(answer.body).toMatchObject({ error_code: 400, code: 'ERR_CONFIG', errors });
    expect(answer.body['message']).toContain('line 6: tasks.max');
  });

  it('409 while another reload runs', async () => {
    const answer = await post({ outcome: 'busy' });
    expect(answer).toMatchObject({ code: 409, body: { error_code: 409, code: 'ERR_RELOAD_IN_PROGRESS' } });
  });
});
