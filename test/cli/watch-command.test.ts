// stockctl watch follows a COMPACTED refusal to the first retained index only when it is
// exactly that refusal: OUT_OF_RANGE with ErrorInfo reason COMPACTED and a valid index.
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { StockraftError } from '../../src/client/index.js';
import { compactedFirstRetained } from '../../src/cli/watch-command.js';
import type { StatusDetails } from '../../src/wire/status-details.js';

function refusal(code: grpc.status, reason: string | null, metadata: Record<string, string>): StockraftError {
  const d: StatusDetails = { code, message: 'm', field_violations: [], reason, domain: 'stockraft.v1', metadata, retry_delay_ms: null };
  return new StockraftError(code, 'm', false, 1, null, d);
}

t.test('compactedFirstRetained reads the index of a COMPACTED refusal and nothing else', async (t) => {
  t.equal(compactedFirstRetained(refusal(grpc.status.OUT_OF_RANGE, 'COMPACTED', { first_retained_index: '42', archived_through_index: '41' })), 42);
  t.equal(compactedFirstRetained(refusal(grpc.status.INVALID_ARGUMENT, 'COMPACTED', { first_retained_index: '42' })), null, 'another code');
  t.equal(compactedFirstRetained(refusal(grpc.status.OUT_OF_RANGE, 'OUT_OF_RANGE', { first_retained_index: '42' })), null, 'another reason');
  t.equal(compactedFirstRetained(refusal(grpc.status.OUT_OF_RANGE, 'COMPACTED', {})), null, 'no index');
  t.equal(compactedFirstRetained(refusal(grpc.status.OUT_OF_RANGE, 'COMPACTED', { first_retained_index: '0' })), null, 'index 0 is no log index');
  t.equal(compactedFirstRetained(refusal(grpc.status.OUT_OF_RANGE, 'COMPACTED', { first_retained_index: '4x' })), null, 'not a number');
  t.equal(compactedFirstRetained(new StockraftError(grpc.status.OUT_OF_RANGE, 'm', false, 1)), null, 'no status details');
  t.equal(compactedFirstRetained(new Error('OUT_OF_RANGE')), null, 'not a StockraftError');
});
