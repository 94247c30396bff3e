import type { IExecuteFunctions } from 'n8n-workflow';

import { DOSSIER_CONTEXT } from '../graphql';
import { graphqlRequest } from '../transport';
import type { ExecutionCache } from './cache';

export interface Profile {
	id: string;
	email: string;
}

/** What DOSSIER_CONTEXT returns: where a dossier lives and who may act on it. */
export interface DossierContext {
	id: string;
	number: number;
	state: string;
	demarche: { number: number };
	groupeInstructeur: { id: string; number: number; label: string; instructeurs: Profile[] };
	instructeurs: Profile[];
}

/**
 * A dossier's démarche, groupe and instructeurs, read once per execution and dossier: resolving
 * a label name, an annotation or an acting instructeur's e-mail all need it, and share this read.
 */
export async function getDossierContext(
	ctx: IExecuteFunctions,
	cache: ExecutionCache,
	dossierNumber: number,
	itemIndex?: number,
): Promise<DossierContext> {
	return await cache.get(`dossierContext:${dossierNumber}`, async () => {
		const { data } = await graphqlRequest.call(
			ctx,
			{ ...DOSSIER_CONTEXT, variables: { number: dossierNumber } },
			{ itemIndex },
		);
		const dossier = (data as { dossier?: DossierContext | null } | null)?.dossier;
		if (!dossier) throw new Error(`Dossier ${dossierNumber} was not found`);
		return dossier;
	});
}
