// The admin audit file: a torn last line is repaired at start (cut, copied aside, reported
// with its byte offset) and the chain continues; a damaged whole line stops the start with
// a precise message; a file over its size limit rotates to <file>.<n> and the chain runs
// on across files, which verifyAuditSeries checks (and catches breaks across files).

import t, { type Test } from 'tap';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditLog, auditSeriesFiles, verifyAuditLines, verifyAuditSeries } from '../../src/server/security/audit.js';

function tmp(t: Test): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockraft-audit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const ev = (i: number) => ({ principal: 'admin', action: '/stockraft.v1.Cluster/Snapshot', detail: `{"i":${i}}`, outcome: 'OK' });

t.test('a torn last line is cut, kept aside, reported with its offset; the chain continues', (t) => {
  const file = path.join(tmp(t), 'admin-audit.jsonl');
  const a = new AuditLog('n1', file);
  for (let i = 0; i < 3; i++) a.record(ev(i));
  const whole = statSync(file).size;
  appendFileSync(file, '{"seq":4,"time_ms":17,"node_id":"n1","princ');
  const warnings: string[] = [];
  const b = new AuditLog('n1', file, () => {}, Date.now, { warn: (m) => warnings.push(m) });
  t.equal(warnings.length, 1, 'one warning');
  t.match(warnings[0], new RegExp(`removed a torn last line of 43 bytes at byte offset ${whole}`));
  t.equal(statSync(file).size, whole, 'the file is cut back to its last whole record');
  t.equal(readFileSync(`${file}.torn-${whole}`, 'utf8'), '{"seq":4,"time_ms":17,"node_id":"n1","princ', 'the removed bytes are kept beside the file');
  const r = b.record(ev(4));
  t.equal(r.seq, 4, 'numbering resumes after the last whole record');
  t.equal(verifyAuditLines(readFileSync(file, 'utf8')), null, 'and the chain verifies');
  const c = new AuditLog('n1', file, () => {}, Date.now, { warn: (m) => warnings.push(m) });
  t.equal(warnings.length, 1, 'a whole file is not touched');
  t.equal(c.record(ev(5)).seq, 5);
  t.end();
});

t.test('a damaged whole last line stops the start with the file and offset named', (t) => {
  const file = path.join(tmp(t), 'admin-audit.jsonl');
  const a = new AuditLog('n1', file);
  a.record(ev(1));
  appendFileSync(file, 'garbage that ends with a newline\n');
  const size = statSync(file).size;
  t.throws(() => new AuditLog('n1', file), new RegExp(`admin-audit.jsonl: the complete line ending at byte ${size} is not an audit record`));
  t.equal(statSync(file).size, size, 'nothing was cut');
  t.end();
});

t.test('an empty or absent file starts a chain', (t) => {
  const file = path.join(tmp(t), 'admin-audit.jsonl');
  writeFileSync(file, '');
  t.equal(new AuditLog('n1', file).record(ev(1)).seq, 1);
  t.end();
});

t.test('rotation: numbered files, one chain across them', (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 'admin-audit.jsonl');
  const a = new AuditLog('n1', file, () => {}, Date.now, { file_bytes_max: 2048 });
  for (let i = 0; i < 30; i++) a.record(ev(i));
  const series = auditSeriesFiles(file);
  t.ok(series.length >= 3, `rotated into ${series.length} files`);
  t.same(series.slice(0, 2), [`${file}.1`, `${file}.2`], 'numbered oldest first');
  t.equal(series.at(-1), file, 'the current file last');
  for (const f of series.slice(0, -1)) t.ok(statSync(f).size <= 2048, `${path.basename(f)} within the limit`);
  t.equal(verifyAuditSeries(series), null, 'the series verifies');
  const firstOfSecond = JSON.parse(readFileSync(`${file}.2`, 'utf8').split('\n')[0] ?? '') as { prev_hash: string; seq: number };
  const lastOfFirst = JSON.parse(readFileSync(`${file}.1`, 'utf8').trim().split('\n').at(-1) ?? '') as { hash: string; seq: number };
  t.equal(firstOfSecond.prev_hash, lastOfFirst.hash, 'the new file chains to the last hash of the previous one');
  t.equal(firstOfSecond.seq, lastOfFirst.seq + 1);

  // A restart resumes across the rotation, even when the current file is missing.
  unlinkSync(file);
  const b = new AuditLog('n1', file, () => {}, Date.now, { file_bytes_max: 2048 });
  const before = JSON.parse(readFileSync(series.at(-2) ?? '', 'utf8').trim().split('\n').at(-1) ?? '') as { seq: number };
  t.equal(b.record(ev(99)).seq, before.seq + 1, 'resumes from the newest rotated file');
  t.equal(verifyAuditSeries(auditSeriesFiles(file)), null);
  t.end();
});

t.test('verifyAuditSeries catches breaks inside and across files', (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 'admin-audit.jsonl');
  const a = new AuditLog('n1', file, () => {}, Date.now, { file_bytes_max: 2048 });
  for (let i = 0; i < 30; i++) a.record(ev(i));
  const series = auditSeriesFiles(file);
  t.match(verifyAuditSeries([series[0] ?? '', ...series.slice(2)]), { file: series[2], reason: /\.2 is missing/ }, 'a deleted rotated file');
  const second = series[1] ?? '';
  const lines = readFileSync(second, 'utf8').trim().split('\n');
  writeFileSync(second, lines.slice(1).join('\n') + '\n');
  t.match(verifyAuditSeries(series), { file: second, line: 1, reason: /seq \d+ follows \d+/ }, 'a deleted first record of a file');
  writeFileSync(second, lines.join('\n').replace('"{\\"i\\":', '"{\\"j\\":') + '\n');
  t.match(verifyAuditSeries(series), { file: second, line: 1, reason: /hash does not match/ }, 'an edited record');
  t.ok(existsSync(file));
  t.end();
});
