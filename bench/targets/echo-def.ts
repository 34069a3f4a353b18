// The echo reference: one unary method carrying raw bytes, so neither side spends time on
// anything but gRPC itself. The request and reply are sized like a Reserve request and its
// reply, which makes it the ceiling of unary calls through grpc-js on this machine.
import type * as grpc from '@grpc/grpc-js';

const identity = (b: Buffer): Buffer => b;

export const ECHO_SERVICE: grpc.ServiceDefinition = {
  Unary: {
    path: '/stockraft.bench.Echo/Unary',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

/** Echo messages are kept below this: they stand in for one Reserve, not a bulk payload. */
export const ECHO_BYTES_MAX = 64 * 1024;
