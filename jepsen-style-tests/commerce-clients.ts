// The SDK calls of the commerce workload's commands (clients.ts runs the others).

import type { StockraftClient } from '../src/client/index.js';
import { commandResult } from '../src/client/index.js';
import type { CommandResult } from '../src/ledger/types.js';
import type { OpArgs } from './history.js';

export async function executeCommerce(client: StockraftClient, args: OpArgs): Promise<CommandResult> {
  switch (args.f) {
    case 'set-position-policy':
      return commandResult(await client.setPositionPolicy({ op_id: args.op_id, sku: args.sku, location: args.location, backorder_limit: args.backorder_limit, low_stock_threshold: args.low_stock_threshold }));
    case 'set-sku-policy':
      return commandResult(await client.setSkuPolicy({ op_id: args.op_id, sku: args.sku, customer_limit: args.customer_limit, customer_window_ms: args.customer_window_ms }));
    case 'transfer':
      return commandResult(await client.transfer({ op_id: args.op_id, sku: args.sku, from_location: args.from_location, to_location: args.to_location, quantity: args.quantity, reference: 'jepsen' }));
    case 'receive-transfer':
      return commandResult(await client.receiveTransfer({ op_id: args.op_id, transfer_id: args.transfer_id, received: args.received }));
    case 'count':
      return commandResult(await client.count({ op_id: args.op_id, sku: args.sku, location: args.location, counted: args.counted, reference: 'jepsen' }));
    default:
      throw new Error(`executeCommerce: ${args.f} is not a commerce command`);
  }
}
