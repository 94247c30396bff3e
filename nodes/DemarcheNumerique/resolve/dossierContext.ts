import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DOSSIER_CONTEXT } from '../graphql';
import type { ExecutionCache } from './cache';
import { readOnce } from './cache';

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

const contextKey = (dossierNumber: number) => `dossierContext:${dossierNumber}`;

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
	const document = { ...DOSSIER_CONTEXT, variables: { number: dossierNumber } };
	return await readOnce(ctx, cache, contextKey(dossierNumber), document, itemIndex, (data) => {
		const dossier = data?.dossier as DossierContext | null | undefined;
		if (!dossier) {
			throw new NodeOperationError(ctx.getNode(), `Dossier ${dossierNumber} was not found`, {
				itemIndex,
				description:
					'Check the dossier number, and that the credential\'s token has access to its démarche (the token of an instructeur or administrateur of it).',
			});
		}
		return dossier;
	});
}

/**
 * The dossier's démarche, from its context (one cached read per dossier and execution, shared
 * with the e-mail → instructeur resolution). Never guessed: with writes that are not atomic
 * upstream (annotations), a wrong guess could write part of a batch and then send it again.
 */
export async function dossierDemarche(
	ctx: IExecuteFunctions,
	cache: ExecutionCache,
	dossierNumber: number,
	itemIndex: number,
): Promise<number> {
	return (await getDossierContext(ctx, cache, dossierNumber, itemIndex)).demarche.number;
}
