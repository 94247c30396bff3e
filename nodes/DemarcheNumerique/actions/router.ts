import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { ExecutionCache } from '../resolve/cache';
import * as demarche from './demarche';
import * as dossier from './dossier';
import * as graphql from './graphql';
import * as groupeInstructeur from './groupeInstructeur';
import type { ItemRuns, OperationMap } from './common/types';

export const resources: Record<string, { operations: OperationMap }> = {
	demarche,
	dossier,
	groupeInstructeur,
	graphql,
};

/**
 * Runs the chosen operation once per input item (or every item together, for an operation whose
 * items share work), reading results in item order. Every output item is paired with its input;
 * with "Continue On Fail" an item that fails yields an error item and the others carry on.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const module = resources[resource]?.operations[operation];
	if (!module) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of resource "${resource}" is not supported`,
			{ description: 'Pick an operation from the list; this workflow may come from a newer version of the node.' },
		);
	}

	const cache = new ExecutionCache();
	let together: ItemRuns | undefined;
	let run: (itemIndex: number) => Promise<INodeExecutionData[]>;
	if ('executeItems' in module) {
		const all = module.executeItems.call(this, cache);
		together = all;
		run = async (itemIndex) => await all.result(itemIndex);
	} else {
		const execute = module.execute;
		run = async (itemIndex) => await execute.call(this, itemIndex, cache);
	}
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const records = await run(itemIndex);
			output.push(
				...this.helpers.constructExecutionMetaData(records, { itemData: { item: itemIndex } }),
			);
		} catch (caught) {
			const error =
				caught instanceof NodeApiError || caught instanceof NodeOperationError
					? caught
					: new NodeOperationError(this.getNode(), caught as Error, {
							itemIndex,
							description:
								'The node stopped on this item before the platform answered. Check the item\'s parameters and input; if they look right, report this message to the node\'s maintainers.',
						});
			if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
			if (this.continueOnFail()) {
				// An operation that did part of its work says which part (context.outcome).
				const outcome = error.context.outcome as IDataObject | undefined;
				output.push({
					json: { error: error.message, description: error.description ?? null, ...(outcome ?? {}) },
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			await together?.stop();
			throw error;
		}
	}
	return [output];
}
