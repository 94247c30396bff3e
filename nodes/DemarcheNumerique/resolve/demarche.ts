import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DemarcheReference } from '../actions/common/locators';
import { DEMARCHE_HINT, demarcheReference, parseNumber } from '../actions/common/locators';
import type { DnFunctions } from '../transport';
import { publicDemarcheByPath } from '../transport';
import type { ExecutionCache } from './cache';

/** The number of a reference that needs no request; undefined for a public link. */
export function demarcheNumberOf(node: INode, reference: DemarcheReference, itemIndex?: number): number | undefined {
	if ('path' in reference) return undefined;
	return parseNumber(node, reference.number, 'Démarche', DEMARCHE_HINT, itemIndex);
}

/**
 * The démarche number from a `demarche` locator, a public link's path resolved through the
 * platform (once per execution when a cache is given).
 */
export async function resolveDemarcheNumber(
	ctx: DnFunctions,
	locator: unknown,
	itemIndex?: number,
	cache?: ExecutionCache,
): Promise<number> {
	const reference = demarcheReference(locator);
	if (!('path' in reference)) return demarcheNumberOf(ctx.getNode(), reference, itemIndex)!;
	const { path } = reference;
	if (!path) {
		throw new NodeOperationError(ctx.getNode(), 'The public link names no démarche', { itemIndex, description: DEMARCHE_HINT });
	}
	const load = async () => (await publicDemarcheByPath.call(ctx, path, itemIndex)).number;
	return cache ? await cache.get(`demarchePath:${path}`, load) : await load();
}

/** The démarche number of an item's `demarche` parameter (a public link resolved once per execution). */
export async function readDemarche(
	ctx: IExecuteFunctions,
	itemIndex: number,
	cache?: ExecutionCache,
): Promise<number> {
	return await resolveDemarcheNumber(ctx, ctx.getNodeParameter('demarche', itemIndex), itemIndex, cache);
}
