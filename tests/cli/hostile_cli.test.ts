/**
 * User errors the CLI used to report as internal errors (issue 12 problem 15) and names from files echoed raw
 * to the terminal (problem 16).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { printable } from '../../src/cli/terminal';
import { lab } from '../helpers/lab_cli';

afterEach(() => vi.restoreAllMocks());

const MODEL = 'public/sample/model';

describe('user errors are one-line messages, found before any work', () => {
  it('a batch larger than the data: a message (not exit 70), and no run folder written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-hostile-cli-'));
    const train = join(dir, 'train.jsonl');
    writeFileSync(train, readFileSync('public/sample/train.jsonl', 'utf8').split('\n').slice(0, 6).join('\n'));
    const r = await lab('train', '--model', MODEL, '--train', train, '--out', join(dir, 'run'), '--batch-size', '64', '--steps', '1');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^lab: --train has 6 usable pairs, fewer than one batch of 64: lower --batch-size or add data$/);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('embed --out into a missing folder is refused before the embeddings are computed', async () => {
    const r = await lab('embed', '--model', MODEL, '--data', 'public/sample/valid.jsonl', '--out', '/nonexistent-folder/emb.npz');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('lab: --out /nonexistent-folder/emb.npz: the folder /nonexistent-folder does not exist (create it first)');
  });
});

describe('what the terminal shows', () => {
  it('escapes control characters (ESC, CSI, BEL, DEL, C1) and keeps newlines and tabs', () => {
    expect(printable('a\x1b[2J\x07b\x7f\x9bc\n\td')).toBe('a\\x1b[2J\\x07b\\x7f\\x9bc\n\td');
  });

  it('a file name carrying an escape sequence is printed escaped', async () => {
    const r = await lab('train', '--model', MODEL, '--train', '\x1b[2J\x1b[Hlab: training finished.jsonl', '--out', join(tmpdir(), 'x'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toContain('\x1b');
    expect(r.stderr).toContain('\\x1b[2J\\x1b[Hlab: training finished.jsonl');
  });
});
