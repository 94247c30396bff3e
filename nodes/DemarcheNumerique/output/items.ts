import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { ExecutionCache } from '../resolve/cache';
import type { DescriptorIndex } from '../resolve/descriptors';
import { getDescriptors } from '../resolve/descriptors';
import type { DnFunctions } from '../transport';
import { dossierNeedsDescriptors, simplifyDossier } from './simplify';

/**
 * Dossiers as output items. With `simplify`, each becomes the contract's simplified dossier; the
 * démarche's descriptors are fetched (once per execution) only when a champ's type is unknown to
 * the node (a fork's type), so the usual case costs no extra request.
 */
export async function dossierItems(
	ctx: DnFunctions,
	cache: ExecutionCache,
	dossiers: IDataObject[],
	simplify: boolean,
	itemIndex?: number,
): Promise<INodeExecutionData[]> {
	if (!simplify) return dossiers.map((dossier) => ({ json: dossier }));
	const items: INodeExecutionData[] = [];
	for (const dossier of dossiers) {
		let descriptors: DescriptorIndex | undefined;
		const demarcheNumber = Number((dossier.demarche as IDataObject | null)?.number);
		if (demarcheNumber && dossierNeedsDescriptors(dossier)) {
			// Descriptors only refine unknown types: without them (e.g. a form the token cannot
			// read), those champs keep their stringValue rather than failing the dossier.
			descriptors =
				(await cache.get(`descriptors-if-readable:${demarcheNumber}`, async () =>
					getDescriptors(ctx, cache, demarcheNumber, itemIndex).catch(() => null),
				)) ?? undefined;
		}
		items.push({ json: simplifyDossier(dossier, descriptors) });
	}
	return items;
}
