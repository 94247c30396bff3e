import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ExecutionCache } from '../../resolve/cache';

/**
 * One operation: its parameters and how it runs for one input item. The router handles the item
 * loop, pairedItem and continue-on-fail, so an operation only returns its records.
 */
export interface OperationModule {
	description: INodeProperties[];
	execute(
		this: IExecuteFunctions,
		itemIndex: number,
		cache: ExecutionCache,
	): Promise<INodeExecutionData[]>;
}

export type OperationMap = Record<string, OperationModule>;
