import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ExecutionCache } from '../../resolve/cache';

/**
 * Every input item of an execution, started at once so their work can overlap (downloads that
 * share one limit of parallel transfers). The router still reads the results in item order.
 */
export interface ItemRuns {
	/** The records of one item, or its error. */
	result(itemIndex: number): Promise<INodeExecutionData[]>;
	/** Starts nothing more and waits for what is running: the execution fails. */
	stop(): Promise<void>;
}

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

/** An operation whose items share work: every item is started at once (see ItemRuns). */
export interface ItemsOperationModule {
	description: INodeProperties[];
	executeItems(this: IExecuteFunctions, cache: ExecutionCache): ItemRuns;
}

export type OperationMap = Record<string, OperationModule | ItemsOperationModule>;
