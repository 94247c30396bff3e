import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { ExecutionCache } from '../resolve/cache';
import type { DescriptorIndex } from '../resolve/descriptors';
import { getDescriptors } from '../resolve/descriptors';
import type { DossierParts } from '../graphql';
import { getDossierDocument } from '../graphql';
import type { DnFunctions } from '../transport';
import { getDnCredentials, graphqlRequest, isHiddenLinkError, rootErrorsToApiError } from '../transport';
import { withHiddenLinkWarnings } from './linkedDossiers';
import type { SimplifyOptions } from './simplify';
import { dossierNeedsDescriptors, simplifyDossier } from './simplify';

/**
 * One dossier as the contract's simplified dossier. The démarche's descriptors are fetched (once
 * per execution) only when a champ's type is unknown to the node (a fork's type), so the usual case
 * costs no extra request; without them (e.g. a form the token cannot read), those champs keep their
 * stringValue rather than failing the dossier.
 */
export async function simplifiedDossier(
	ctx: DnFunctions,
	cache: ExecutionCache,
	dossier: IDataObject,
	itemIndex?: number,
	options: SimplifyOptions = {},
): Promise<IDataObject> {
	let descriptors: DescriptorIndex | undefined;
	const demarcheNumber = Number((dossier.demarche as IDataObject | null)?.number);
	if (demarcheNumber && dossierNeedsDescriptors(dossier)) {
		descriptors =
			(await cache.get(`descriptors-if-readable:${demarcheNumber}`, async () =>
				getDescriptors(ctx, cache, demarcheNumber, itemIndex).catch(() => null),
			)) ?? undefined;
	}
	return simplifyDossier(dossier, descriptors, options);
}

/** Dossiers as output items, simplified or as the API returns them. */
export async function dossierItems(
	ctx: DnFunctions,
	cache: ExecutionCache,
	dossiers: IDataObject[],
	simplify: boolean,
	itemIndex?: number,
	options: SimplifyOptions = {},
): Promise<INodeExecutionData[]> {
	const items: INodeExecutionData[] = [];
	for (const dossier of dossiers) {
		items.push({
			json: simplify ? await simplifiedDossier(ctx, cache, dossier, itemIndex, options) : dossier,
		});
	}
	return items;
}

/**
 * One dossier by number as the API returns it. With `notFoundAsNull`, a dossier the platform no
 * longer has (deleted since a webhook or a page named it) is null instead of an error. A linked
 * dossier the token cannot read leaves the dossier whole: it comes back with a warning.
 */
export async function fetchDossier(
	ctx: DnFunctions,
	number: number,
	parts: DossierParts,
	settings: { itemIndex?: number; notFoundAsNull?: boolean; deadlineMs?: number } = {},
): Promise<IDataObject | null> {
	const { data, errors } = await graphqlRequest.call(
		ctx,
		{ ...getDossierDocument(parts), variables: { number } },
		{ intent: 'read', itemIndex: settings.itemIndex, partial: true, deadlineMs: settings.deadlineMs },
	);
	const dossier = ((data as IDataObject | null)?.dossier ?? null) as IDataObject | null;
	const hiddenLinks = dossier ? (errors ?? []).filter(isHiddenLinkError) : [];
	const failures = (errors ?? []).filter((error) => !hiddenLinks.includes(error));
	if (failures.length) {
		if (settings.notFoundAsNull && failures.every((e) => e.extensions?.code === 'not_found')) return null;
		const { baseUrl, token } = await getDnCredentials(ctx);
		throw rootErrorsToApiError(ctx.getNode(), failures, baseUrl, token, settings.itemIndex);
	}
	return dossier && withHiddenLinkWarnings(dossier, hiddenLinks, ['dossier']);
}

/**
 * A deleted dossier (or one pending deletion) as an item, the same in Get Many Deleted and the
 * trigger. `pendingDeletion` is the key everywhere; `legacyPendingKey` also writes `pending`, the
 * key version 1 of the trigger used, for workflows saved with it.
 */
export function deletedDossierJson(
	record: IDataObject,
	pendingDeletion: boolean,
	legacyPendingKey = false,
): IDataObject {
	const json: IDataObject = {
		number: record.number ?? null,
		id: record.id ?? null,
		state: record.state ?? null,
		reason: record.reason ?? null,
		dateSupression: record.dateSupression ?? null,
		deleted: true,
		pendingDeletion,
	};
	if (legacyPendingKey) json.pending = pendingDeletion;
	return json;
}
