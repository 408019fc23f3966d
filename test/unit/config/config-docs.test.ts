import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC_PATH, renderConfigDocs } from '../../../scripts/gen-config-docs.ts';

describe('docs/configuration.md', () => {
  it('is generated from the current key table (run: node scripts/gen-config-docs.ts)', async () => {
    expect(readFileSync(DOC_PATH, 'utf8')).toBe(await renderConfigDocs());
  });
});
